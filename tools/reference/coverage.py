#!/usr/bin/env python3
"""Print reference-engine branch coverage reached by the difftest generator (N scenarios, seed)."""
import random, sys
sys.path.insert(0, __import__("os").path.dirname(__file__))
import difftest, reference_engine as R
n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
seed = sys.argv[2] if len(sys.argv) > 2 else "1"
for i in range(n):
    R.run(difftest.gen_scenario(random.Random(f"{seed}:{i}")))
for k in sorted(R.COVERAGE):
    print(f"{R.COVERAGE[k]:8d}  {k}")
