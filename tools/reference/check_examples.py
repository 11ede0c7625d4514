#!/usr/bin/env python3
"""Check the reference engine against the spec examples (examples/*.json and scenario-format §6)."""
import json, re, subprocess, sys, pathlib
HERE = pathlib.Path(__file__).parent
SPEC = pathlib.Path("/work/shared/spec")
ok = True
def run(path):
    p = subprocess.run([sys.executable, str(HERE / "reference_engine.py"), str(path)], capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout) if p.stdout else None
for f in sorted((SPEC / "examples").glob("*.json")):
    if f.name.endswith(".expected.json"): continue
    exp = json.loads(f.with_name(f.stem + ".expected.json").read_text())
    rc, out = run(f)
    good = rc == 0 and out == exp
    ok &= good
    print(f.name, "OK" if good else "MISMATCH")
# scenario-format §6
text = (SPEC / "scenario-format.md").read_text()
blocks = re.findall(r"```json\n(.*?)```", text, re.S)
inp, exp = json.loads(blocks[0]), json.loads(blocks[1])
p = HERE / "spec_checks" / "sf6_input.json"; p.write_text(json.dumps(inp, indent=1))
rc, out = run(p)
good = rc == 0 and out == exp; ok &= good
print("scenario-format §6", "OK" if good else "MISMATCH")
# §6.4 without deal
inp2 = dict(inp); del inp2["deal"]
p2 = HERE / "spec_checks" / "sf6_nodeal.json"; p2.write_text(json.dumps(inp2, indent=1))
rc, out = run(p2)
got = {a["email"].split(".")[0]: (a["eligible"], a["excluded_reason"], a["earliest_open_week"], a["fallback"], a["warnings"]) for a in out["advisers"]}
want = {"ana": (True, None, "2025-03-24", False, ['deal D-14: agreement_start_date "soon" is not a date; deal skipped']),
        "ben": (True, None, "2025-03-24", False, []), "cat": (True, None, "2025-03-31", False, []),
        "dev": (False, "data_unavailable", None, None, []), "eli": (True, None, "2025-03-31", False, [])}
good = rc == 0 and out["mode"] == "availability" and out["selection"] is None and out["error"] is None and got == want
ok &= good
print("scenario-format §6.4 (no deal)", "OK" if good else f"MISMATCH {got}")
sys.exit(0 if ok else 1)
