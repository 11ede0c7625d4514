#!/usr/bin/env python3
"""Run reference and Rust CLI on the §14 worked-example scenarios and compare with the spec's numbers."""
import json, subprocess, sys, pathlib
H = pathlib.Path(__file__).parent
exp = json.loads((H / "worked_expect.json").read_text())
for name, e in exp.items():
    for label, cmd in [("ref", [sys.executable, str(H.parent / "reference_engine.py")]), ("rust", ["/work/main/target/debug/allot", "allocate", "--scenario"])]:
        p = subprocess.run(cmd + [str(H / f"{name}.json")], capture_output=True, text=True)
        out = json.loads(p.stdout)
        got = {a["email"]: a["earliest_open_week"] for a in out["advisers"]}
        sel = (out["selection"]["chosen_email"], out["selection"]["decided_by"])
        bad = {k: (v, got.get(k)) for k, v in e["earliest"].items() if got.get(k) != v}
        status = "OK" if not bad and list(sel) == e["selection"] else f"DIFF {bad} sel={sel}"
        print(name, label, status)
