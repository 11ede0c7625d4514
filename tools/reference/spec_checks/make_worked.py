#!/usr/bin/env python3
"""Build scenarios for allocation.md §14 worked examples X1-X9 and the expected key facts."""
import json, pathlib
H = pathlib.Path(__file__).parent
def adv(email, pk="Seed", meetings=(), deals=(), leave=(), **kw):
    a = {"email": email, "service_packages": pk,
         "meetings": [m if isinstance(m, dict) else {"start": m + ("" if "T" in m else "T14:00")} for m in meetings],
         "deals_without_clarify": [{"id": f"d{i}", "agreement_start_date": d} for i, d in enumerate(deals)],
         "leave": [{"start_date": s, "end_date": e} for s, e in leave]}
    a.update(kw); return a
base = {"today": "2025-03-12", "timezone": "Australia/Sydney"}
sc = {}
sc["X1"] = (dict(base, advisers=[adv("alice@x.com"), adv("bob@x.com", meetings=["2025-03-04"])],
                 deal={"service_package": "Seed", "household_type": "Single"}),
            {"alice@x.com": "2025-03-24", "bob@x.com": "2025-03-24"}, ("alice@x.com", "ratio"))
sc["X2"] = (dict(base, advisers=[adv("carol@x.com", meetings=["2025-03-10", "2025-03-11", "2025-03-17", "2025-03-18", "2025-03-24", "2025-03-25", "2025-03-31", "2025-04-01"])],
                 deal={"service_package": "Seed"}), {"carol@x.com": "2025-04-14"}, ("carol@x.com", "single"))
closures = [{"start_date": "2025-04-18"}, {"start_date": "2025-04-21"}, {"start_date": "2025-04-25"}, {"start_date": "2025-12-24", "end_date": "2026-01-02"}]
sc["X3"] = (dict(base, office_closures=closures, advisers=[
    adv("dana@x.com", meetings=["2025-03-13", "2025-03-18", "2025-04-02", "2025-04-22"],
        leave=[("2025-03-24", "2025-03-28"), ("2025-04-07", "2025-04-09"), ("2025-04-14", "2025-04-15"), ("2025-04-17", "2025-04-18")]),
    adv("eve@x.com", meetings=["2025-03-04", "2025-03-18", "2025-03-19", "2025-03-25"],
        leave=[("2025-03-29", "2025-03-30"), ("2025-03-20T00:00:00+11:00", "2025-04-01T00:00:00+11:00")])],
    deal={"service_package": "Seed"}), {"dana@x.com": "2025-03-31", "eve@x.com": "2025-03-31"}, ("dana@x.com", "ratio"))
sc["X4"] = (dict(base, advisers=[
    adv("ivan@x.com", pk="IPO", pod_type="Solo Adviser", start_date="2022-08-01", meetings=["2025-03-17", "2025-03-25"]),
    adv("judy@x.com", pk="IPO", pod_type="Solo Adviser", meetings=["2025-03-17", "2025-03-25"]),
    adv("ken@x.com", pk="IPO", meetings=["2025-03-18", "2025-03-25", "2025-04-01", "2025-04-08"]),
    adv("lily@x.com", pk="IPO", meetings=["2025-03-13", "2025-03-14", "2025-03-18", "2025-03-19", "2025-03-26"]),
    adv("mike@x.com", pk="IPO")],
    capacity_overrides=[
        {"adviser_email": "judy@x.com", "effective_date": "2025-05-05T09:00:00", "client_limit_monthly": 7},
        {"adviser_email": "ken@x.com", "effective_date": "2025-02-01", "client_limit_monthly": 2},
        {"adviser_email": "ken@x.com", "effective_date": "2025-04-02", "client_limit_monthly": 10},
        {"adviser_email": "lily@x.com", "effective_date": "2025-03-11", "client_limit_monthly": 8},
        {"adviser_email": "mike@x.com", "effective_date": "2000-01-03", "client_limit_monthly": 1}],
    deal={"service_package": "IPO", "household_type": "Couple"}),
    {"ivan@x.com": "2025-03-31", "judy@x.com": "2025-03-24", "ken@x.com": "2025-04-07", "lily@x.com": "2025-03-31", "mike@x.com": "2026-03-02"},
    ("judy@x.com", "single"))
import datetime as dt
dee_m = []
w = dt.date(2025, 3, 10)
while w <= dt.date(2025, 8, 25):
    dee_m += [str(w), str(w + dt.timedelta(1)), str(w + dt.timedelta(2))]; w += dt.timedelta(7)
sc["X5"] = (dict(base, advisers=[adv("dee@x.com", meetings=dee_m, deals=["2025-02-03", "2025-02-04", "2025-02-05", "2025-02-06", "2025-02-10", "2025-02-11", "2025-02-12", "2025-02-13"])],
                 deal={"service_package": "Seed"}), {"dee@x.com": "2026-03-30"}, ("dee@x.com", "single"))
sc["X6"] = (dict(base, advisers=[
    adv("gina@x.com", meetings=["2025-03-18", "2025-03-26"], deals=["2025-02-10", "2025-02-24", "2025-03-05", "2025-03-11", "2025-03-17", "2025-03-19"]),
    adv("frank@x.com", meetings=["2025-03-18", "2025-03-26"], deals=["2025-02-10", "2025-02-24", "2025-03-11", "2025-03-17", "2025-03-19"]),
    adv("ivy@x.com", deals=["2025-02-10", "2025-02-11", "2025-02-24", "2025-03-05", "2025-03-06", "2025-02-03"]),
    adv("hank@x.com", meetings=["2025-03-04", "2025-03-19", "2025-03-20"], deals=["2025-03-24"])],
    deal={"service_package": "Seed", "household_type": "Couple"}),
    {"gina@x.com": "2025-04-07", "frank@x.com": "2025-04-07", "ivy@x.com": "2025-04-07", "hank@x.com": "2025-03-24"}, ("hank@x.com", "single"))
sc["X7"] = (dict(base, office_closures=[{"start_date": "2025-03-26"}], advisers=[adv("nora@x.com", leave=[("2025-03-24", "2025-03-25"), ("2025-03-27", "2025-03-28")])],
                 deal={"service_package": "Seed"}), {"nora@x.com": "2025-03-31"}, ("nora@x.com", "single"))
sc["X8"] = (dict(base, advisers=[adv("bea@x.com", meetings=[
    {"start": "2025-03-03T10:59:00+11:00"}, {"start": "2025-03-24T09:00:00+11:00"}, {"start": "2025-03-24T14:00:00+11:00"},
    {"start": "2025-03-02T15:00:00+11:00"}, {"start": "2025-03-26T14:00", "type": "Review"},
    {"start": "2025-03-27T14:00", "type": "Kick Off"}, {"start": "2025-03-28T14:00", "type": "Kick Off"}])],
    deal={"service_package": "Seed"}), {"bea@x.com": "2025-03-24"}, ("bea@x.com", "single"))
sc["X9"] = (dict(today="2025-10-01", advisers=[adv("cleo@example.com", pk="Series A", meetings=["2025-09-23"]), adv("dan.dale@example.com", pk="Series A"),
                                                adv("ema.eng@example.com", pk="Series A"), adv("fay.fu@example.com", pk="Series A", meetings=["2025-10-29"])],
                 deal={"deal_id": "9000000008", "service_package": "Series A", "household_type": "Single"}),
            {"cleo@example.com": "2025-10-13", "dan.dale@example.com": "2025-10-13", "ema.eng@example.com": "2025-10-13", "fay.fu@example.com": "2025-10-13"},
            ("ema.eng@example.com", "hash"))
expect = {}
for k, (s, e, sel) in sc.items():
    (H / f"{k}.json").write_text(json.dumps(s, indent=1))
    expect[k] = {"earliest": e, "selection": sel}
(H / "worked_expect.json").write_text(json.dumps(expect, indent=1))
