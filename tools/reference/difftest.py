#!/usr/bin/env python3
"""Differential test: Rust `allot allocate` against reference_engine.py.

Generates seeded random, VALID scenario files (scenario-format.md), runs both implementations,
compares parsed JSON output and exit codes.  Every disagreement is minimised (greedy structural
delta debugging) and each distinct signature is saved to disagreements/NNN.json with a note
NNN.note.txt listing the differing fields.

Usage: difftest.py [--n 3000] [--seed 1] [--jobs 8] [--bin PATH] [--out DIR] [--keep-workdir]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_engine  # noqa: E402

DEFAULT_BIN = "/work/main/target/debug/allot"

TIMEZONES = ["Australia/Sydney", "Australia/Melbourne", "Australia/Perth", "Pacific/Auckland",
             "UTC", "America/New_York"]
# used occasionally: odd offsets, 30-minute DST, +14, west of UTC by 12h
EXTRA_TIMEZONES = ["Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu", "Pacific/Kiritimati",
                   "Etc/GMT+12", "Europe/London", "America/St_Johns"]
PACKAGES = ["Seed", "Series A", "Series B", "Series C", "IPO", "Growth"]
HOUSEHOLDS = ["Single", "Couple", "Family"]
# DST transition days (and neighbours) of the zones above, 2024..2027
DST_DAYS = [
    "2024-04-07", "2024-10-06", "2025-04-06", "2025-10-05", "2026-04-05", "2026-10-04",  # AU
    "2024-09-29", "2025-09-28", "2026-09-27",                                            # NZ
    "2024-03-10", "2024-11-03", "2025-03-09", "2025-11-02", "2026-03-08", "2026-11-01",  # US
]
FIRST_NAMES = ["ana", "ben", "cat", "dev", "eli", "fay", "gus", "hal", "ivy", "jo", "kim", "lu",
               "mo", "ned", "oz", "pia"]


# ----------------------------------------------------------------------------------------------
# Random generation
# ----------------------------------------------------------------------------------------------

def rdate(rng, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def fmt_offset(mins: int) -> str:
    sign = "+" if mins >= 0 else "-"
    mins = abs(mins)
    return f"{sign}{mins // 60:02d}:{mins % 60:02d}"


def gen_datetime(rng, d: date, *, allow_offset=True, near_midnight=None) -> str:
    if near_midnight is None:
        near_midnight = rng.random() < 0.35
    if near_midnight:
        hh = rng.choice([0, 0, 1, 22, 23, 23])
    else:
        hh = rng.randint(0, 23)
    mm = rng.randint(0, 59)
    t = rng.choice(["T", "T", "T", "t"])
    s = f"{d.isoformat()}{t}{hh:02d}:{mm:02d}"
    r = rng.random()
    if r < 0.5:
        s += f":{rng.randint(0, 59):02d}"
        if rng.random() < 0.3:
            s += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 9)))
    if allow_offset and rng.random() < 0.6:
        s += rng.choice(["Z", "z", fmt_offset(rng.choice([600, 660, 480, 780, 720, 0, -300, -240,
                                                           -600, 840, -720, 330, 1439, -1439]))])
    return s


def gen_cal_date(rng, d: date) -> str:
    """IN3 value: mostly a plain date, sometimes a date-time (written date counts)."""
    if rng.random() < 0.8:
        return d.isoformat()
    return gen_datetime(rng, d)


def around(rng, today: date, lo_w: int, hi_w: int) -> date:
    return rdate(rng, today + timedelta(weeks=lo_w), today + timedelta(weeks=hi_w))


def gen_packages(rng):
    r = rng.random()
    picks = rng.sample(PACKAGES, rng.randint(0, 3))
    def vary(p):
        return rng.choice([p, p.lower(), p.upper(), " " + p + " ", p])
    if r < 0.1:
        return None  # means: key absent
    if r < 0.5:
        seps = [";", ",", "/", "|", " / ", "; ", ";;", " | ", ",/"]
        s = ""
        for i, p in enumerate(picks):
            if i:
                s += rng.choice(seps)
            s += vary(p)
        if rng.random() < 0.1:
            s = rng.choice([";", " ", ""]) + s + rng.choice([";", " ", ""])
        return s
    lst = [vary(p) for p in picks]
    if len(lst) >= 2 and rng.random() < 0.3:
        lst = [lst[0] + rng.choice(["|", "/", ","]) + lst[1]] + lst[2:]
    if rng.random() < 0.1:
        lst.append(rng.choice(["", " ", ";"]))
    return lst


def gen_households(rng):
    r = rng.random()
    if r < 0.25:
        return "__absent__"
    if r < 0.35:
        return None
    if r < 0.4:
        return ""
    picks = rng.sample(HOUSEHOLDS, rng.randint(1, 2))
    if r < 0.7:
        return rng.choice([";", ",", " / "]).join(rng.choice([p, p.lower(), " " + p]) for p in picks)
    return picks


def gen_start_date(rng, today):
    r = rng.random()
    if r < 0.3:
        return "__absent__"
    opts = [
        lambda: None,
        lambda: "",
        lambda: "   ",
        lambda: around(rng, today, -300, -1).isoformat(),
        lambda: around(rng, today, 0, 12).isoformat(),
        lambda: around(rng, today, 0, 3).isoformat(),
        lambda: today.isoformat(),
        lambda: (today + timedelta(days=1)).isoformat(),
        lambda: "soon",
        lambda: "2025-02-30",
        lambda: " " + around(rng, today, -5, 5).isoformat(),
        lambda: gen_datetime(rng, around(rng, today, -3, 8)),
        lambda: around(rng, today, 0, 8).strftime("%d/%m/%Y"),
        lambda: "2025-13-01",
        lambda: around(rng, today, -2, 8).isoformat() + "T24:00",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00:00+24:00",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00:00.1234567890",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00:60",
        lambda: around(rng, today, -2, 8).isoformat() + " ",
        lambda: around(rng, today, -2, 8).isoformat() + "T10",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00+1000",
        lambda: "\u00a0\u2003",
        lambda: "\u001c",
        lambda: "2024-02-29",
        lambda: "2025-02-29",
        lambda: "0000-01-01",
        lambda: "+2025-01-01",
        lambda: "2025-1-01",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00:00.",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00.5",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00+05",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00:00Z ",
        lambda: around(rng, today, -2, 8).isoformat() + "T10:00:00-00:00",
        lambda: around(rng, today, -2, 8).isoformat() + "T23:59:59.999999999+23:59",
        lambda: around(rng, today, -2, 8).isoformat() + "T\uff11\uff10:00",
    ]
    return rng.choice(opts)()


def gen_taking(rng):
    if rng.random() < 0.6:
        return rng.choice(["__absent__", True, " TRUE ", "True", "true", "tRuE", "\tTrue\n"])
    if rng.random() < 0.15:
        return rng.choice(["\u00a0true\u3000", "\u2003TRUE", "\u200btrue", "\u001ctrue",
                           "\u0085True", "true\u00a0x", "\u00a0", "\u2028"])
    return rng.choice([False, None, "no", "yes", "", " ", "False", "1", "truee"])


def gen_meeting(rng, today, tzname):
    r = rng.random()
    if r < 0.12:
        d = around(rng, today, -6, -1)           # around/before last week
    elif r < 0.2:
        d = around(rng, today, 8, 30)            # far future, stretches the table
    elif r < 0.3:
        d = date.fromisoformat(rng.choice(DST_DAYS)) + timedelta(days=rng.randint(-1, 1))
    else:
        d = around(rng, today, -2, 8)
    m = {"start": gen_datetime(rng, d)}
    t = rng.random()
    if t < 0.45:
        pass  # default Clarify
    elif t < 0.65:
        m["type"] = "Clarify"
    elif t < 0.8:
        m["type"] = "Kick Off"
    else:
        m["type"] = rng.choice(["Review", "clarify", "Kickoff", "kick off", "Clarify ", ""])
    if rng.random() < 0.1:
        m["title"] = "t"
    return m


def midnight_utc_ms(d: date) -> int:
    return int((datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
                - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 1000


def gen_deal_date(rng, today, *, allow_unparseable=True):
    d = around(rng, today, -8, 10) if rng.random() < 0.8 else \
        date.fromisoformat(rng.choice(DST_DAYS)) + timedelta(days=rng.randint(-1, 1))
    opts = [
        lambda: d.isoformat(),
        lambda: d.isoformat(),
        lambda: " " + d.isoformat() + " ",
        lambda: midnight_utc_ms(d),
        lambda: str(midnight_utc_ms(d)),
        lambda: midnight_utc_ms(d) + rng.randint(0, 86_399_999),
        lambda: str(midnight_utc_ms(d) + rng.randint(0, 86_399_999)),
        lambda: gen_datetime(rng, d, near_midnight=True),
        lambda: gen_datetime(rng, d),
        lambda: None,
        lambda: "",
        lambda: "  ",
    ]
    if allow_unparseable:
        opts += [
            lambda: "soon",
            lambda: "2025-13-01",
            lambda: d.strftime("%d/%m/%Y"),
            lambda: d.isoformat() + "T25:00",
            lambda: "-" + str(midnight_utc_ms(d)),
            lambda: "1e12",
            lambda: d.isoformat() + " 10:00",
            lambda: 10**15,
            lambda: str(10**16),
            lambda: "99999999999999999999999",
            lambda: -rng.randint(1, 10**11),
            lambda: "+" + str(midnight_utc_ms(d)),
            lambda: "\uff11\uff17\uff14\uff12",
            lambda: d.isoformat() + "T10:00:00.1234567890Z",
            lambda: d.isoformat() + "T10:00+24:00",
            lambda: d.isoformat() + "t10:00z",
            lambda: "0000-01-01",
            lambda: -62135596800000,
            lambda: "0001-01-01T00:30:00+01:00",
            lambda: "9999-12-31T23:00:00-14:00",
            lambda: "\u00a0" + d.isoformat() + "\u3000",
            lambda: "\u001c" + d.isoformat(),
            lambda: d.isoformat() + "T23:59:59.999999999-23:59",
            lambda: d.isoformat() + "T00:00:00+23:59",
            lambda: d.isoformat() + "T10:00:00.",
            lambda: d.isoformat() + "T10:00.5Z",
            lambda: d.isoformat() + "T10:00+05",
            lambda: " " + d.isoformat() + "T23:30:00-05:00\n",
            lambda: str(d.year * 10000 + d.month * 100 + d.day),
            lambda: "0" * rng.randint(1, 30) + str(midnight_utc_ms(d)),
        ]
    return rng.choice(opts)()


def gen_leave(rng, today):
    s = around(rng, today, -3, 10)
    r = rng.random()
    if r < 0.15:
        e = s - timedelta(days=rng.randint(1, 5))        # end < start
    elif r < 0.3:
        s = s + timedelta(days=(5 - s.weekday()) % 7)     # Saturday
        e = s + timedelta(days=1)                          # weekend-only
    else:
        e = s + timedelta(days=rng.randint(0, 12))
    lv = {"start_date": gen_cal_date(rng, s), "end_date": gen_cal_date(rng, e)}
    if rng.random() < 0.2:
        lv["id"] = f"L{rng.randint(1, 99)}"
    return lv


def gen_closure(rng, today):
    s = around(rng, today, -3, 14) if rng.random() < 0.9 else around(rng, today, 14, 60)
    c = {"start_date": gen_cal_date(rng, s)}
    r = rng.random()
    if r < 0.35:
        pass
    elif r < 0.45:
        c["end_date"] = None
    else:
        c["end_date"] = gen_cal_date(rng, s + timedelta(days=rng.randint(-2, 10)))
    if rng.random() < 0.5:
        c["description"] = "closure"
    if rng.random() < 0.3:
        c["tags"] = rng.choice([["office"], "office", []])
    return c


def email_variant(rng, email):
    r = rng.random()
    if r < 0.5:
        return email
    if r < 0.7:
        return email.upper()
    if r < 0.85:
        return "  " + email.capitalize() + " "
    return email.title()


def gen_scenario(rng: random.Random) -> dict:
    today = rdate(rng, date(2024, 1, 1), date(2027, 6, 30))
    r = rng.random()
    if r < 0.1:
        today = date.fromisoformat(rng.choice(DST_DAYS)) + timedelta(days=rng.randint(-3, 3))
    elif r < 0.15:   # far future (beyond tzdb transition tables) or historical
        today = rdate(rng, date(2036, 1, 1), date(2060, 12, 31)) if rng.random() < 0.7 else \
            rdate(rng, date(1971, 1, 1), date(2005, 12, 31))
    sc: dict = {"today": today.isoformat()}
    if rng.random() < 0.1:
        sc["name"] = "random"
    tzname = "Australia/Sydney"
    if rng.random() < 0.85:
        tzname = rng.choice(TIMEZONES) if rng.random() < 0.9 else rng.choice(EXTRA_TIMEZONES)
        sc["timezone"] = tzname
    cfg = {}
    if rng.random() < 0.9:
        cfg["horizon_weeks"] = rng.randint(1, 12)
    if rng.random() < 0.6:
        cfg["buffer_weeks"] = rng.randint(0, 4)
    if rng.random() < 0.5:
        cfg["prestart_weeks"] = rng.randint(0, 5)
    if rng.random() < 0.5:
        cfg["max_clarifies_per_week"] = rng.randint(0, 3)
    if rng.random() < 0.5:
        cfg["base_limit_monthly"] = rng.randint(1, 12)
    if rng.random() < 0.5:
        cfg["solo_limit_monthly"] = rng.randint(1, 12)
    if rng.random() < 0.05:   # occasional range extremes (CF1)
        k = rng.choice(["prestart_weeks", "buffer_weeks", "horizon_weeks", "max_clarifies_per_week",
                        "base_limit_monthly", "solo_limit_monthly"])
        cfg[k] = {"prestart_weeks": rng.choice([0, 52]), "buffer_weeks": rng.choice([0, 52]),
                  "horizon_weeks": rng.choice([1, 104]), "max_clarifies_per_week": rng.choice([0, 100]),
                  "base_limit_monthly": rng.choice([1, 1000]), "solo_limit_monthly": rng.choice([1, 1000])}[k]
    if cfg or rng.random() < 0.5:
        sc["config"] = cfg
    if rng.random() < 0.4:
        sc["include_no"] = rng.random() < 0.6

    tie_heavy = rng.random() < 0.15
    n = rng.randint(1, 8)
    names = rng.sample(FIRST_NAMES, n)
    advisers = []
    for i, fn in enumerate(names):
        base_email = rng.choice([f"{fn}.{fn[::-1]}@example.com", f"{fn}_x-y@example.com",
                                 f"{fn}@example.com", f"{fn}..q@example.com"])
        if rng.random() < 0.08:
            base_email = rng.choice([f" {fn}.x@example.com", f"{fn}", f"@{fn}.com", f"..{fn}@x.com",
                                     f"{fn}@a@b.com", f"\u00e9{fn}.\u00df{fn}@x.com",
                                     f"\u039f\u0394\u039f\u03a3.{fn}@x.com", f"{fn}.-_.{fn}@x.com",
                                     f"{fn.upper()}.MC{fn.upper()}@X.COM", f"\u01c6{fn}@x.com"])
        a: dict = {"email": email_variant(rng, base_email) if rng.random() < 0.2 else base_email}
        r = rng.random()
        if r < 0.1:
            a["name"] = None
        elif r < 0.15:
            a["name"] = rng.choice(["", "  "])
        elif r < 0.3:
            a["name"] = fn.capitalize() + " Given"
        r = rng.random()
        if r < 0.3:
            a["hubspot_owner_id"] = str(100 + i)
        elif r < 0.5:
            a["hubspot_owner_id"] = 200 + i
        elif r < 0.6:
            a["hubspot_owner_id"] = None
        elif r < 0.63:
            a["hubspot_owner_id"] = rng.choice([0, 2**53 + 1, 2**63 - 1, "", " 12 "])
        t = gen_taking(rng)
        if t != "__absent__":
            a["taking_on_clients"] = t
        p = gen_packages(rng)
        if p is not None:
            a["service_packages"] = p
        h = gen_households(rng)
        if h != "__absent__":
            a["household_types"] = h
        r = rng.random()
        if r < 0.3:
            a["pod_type"] = "Solo Adviser"
        elif r < 0.4:
            a["pod_type"] = rng.choice(["solo adviser", "Solo Adviser ", "Standard Pod", None])
        sd = gen_start_date(rng, today)
        if sd != "__absent__":
            a["start_date"] = sd
        idle = rng.random() < (0.85 if tie_heavy else 0.3)
        busy = not idle and rng.random() < 0.15
        if busy:   # many Clarifies packed into a few weeks, plus a backlog of deals
            a["meetings"] = [{"start": gen_datetime(rng, around(rng, today, -1, rng.randint(2, 8)))}
                             for _ in range(rng.randint(10, 40))]
        elif rng.random() < 0.85 and not idle:
            a["meetings"] = [gen_meeting(rng, today, tzname) for _ in range(rng.randint(0, 12))]
        if rng.random() < 0.7 and not idle:
            deals = []
            for j in range(rng.randint(0, 25 if busy else 8)):
                dl: dict = {}
                r = rng.random()
                if r < 0.5:
                    dl["id"] = f"D-{i}{j}"
                elif r < 0.65:
                    dl["id"] = rng.randint(0, 10**10)
                elif r < 0.7:
                    dl["id"] = rng.choice(["", " ", "x\"y", 2**63 - 1])
                v = gen_deal_date(rng, today)
                if not (v is None and rng.random() < 0.5):
                    dl["agreement_start_date"] = v
                if rng.random() < 0.1:
                    dl["name"] = "deal"
                deals.append(dl)
            a["deals_without_clarify"] = deals
        if rng.random() < 0.5 and not idle:
            a["leave"] = [gen_leave(rng, today) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.1:
            a["data_unavailable"] = True
        elif rng.random() < 0.1:
            a["data_unavailable"] = False
        advisers.append(a)
    sc["advisers"] = advisers

    if rng.random() < 0.6:
        sc["office_closures"] = [gen_closure(rng, today) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.6:
        ovs = []
        for _ in range(rng.randint(0, 5)):
            if rng.random() < 0.85:
                tgt = trimmed = rng.choice(advisers)["email"].strip()
                tgt = email_variant(rng, trimmed)
            else:
                tgt = "nobody@example.com"
            r = rng.random()
            if r < 0.1:
                eff = date(2000, 1, 3) + timedelta(days=rng.randint(0, 6))
            else:
                eff = around(rng, today, -6, 12)
            o = {"adviser_email": tgt, "effective_date": gen_cal_date(rng, eff),
                 "client_limit_monthly": rng.randint(1, 12)}
            if rng.random() < 0.3:
                o["pod_type"] = rng.choice(["Solo Adviser", None])
            if rng.random() < 0.3:
                o["notes"] = rng.choice(["n", None])
            ovs.append(o)
            if rng.random() < 0.15:   # another one in the same effective week
                o2 = dict(o)
                o2["client_limit_monthly"] = rng.randint(1, 12)
                o2["effective_date"] = (eff + timedelta(days=rng.randint(0, 3))).isoformat()
                ovs.append(o2)
        sc["capacity_overrides"] = ovs

    r = rng.random()
    if r < 0.7:
        deal: dict = {}
        r2 = rng.random()
        if r2 < 0.35:
            deal["deal_id"] = str(rng.randint(1, 10**10))
        elif r2 < 0.55:
            deal["deal_id"] = rng.randint(0, 10**10)
        elif r2 < 0.62:
            deal["deal_id"] = rng.choice(["", "  ", None, " 77 ", "\u00a0", "\u00a0abc\u00a0", 0,
                                          2**63 - 1, "D\u00e9al"])
        pk = rng.choice(PACKAGES + ["", "Unknown", "Seed;IPO", "\u00a0IPO\u00a0", "series  a"])
        if rng.random() < 0.75:
            owned = sorted(set().union(*(reference_engine.norm(a.get("service_packages", ""))
                                         for a in advisers)))
            if owned:
                pk = rng.choice(owned)
        deal["service_package"] = rng.choice([pk, pk.lower(), " " + pk.upper() + " ", pk, pk.title()])
        r2 = rng.random()
        if r2 < 0.6:
            deal["household_type"] = rng.choice(HOUSEHOLDS + [h.upper() for h in HOUSEHOLDS] + ["Other"])
        elif r2 < 0.7:
            deal["household_type"] = rng.choice([None, "", " "])
        if rng.random() < 0.5:
            deal["agreement_start_date"] = gen_deal_date(rng, today, allow_unparseable=False)
        sc["deal"] = deal
    elif r < 0.8:
        sc["deal"] = None
    return sc


# ----------------------------------------------------------------------------------------------
# Hand-written edge scenarios (valid files), run before the random ones.  Each disagreement
# among them is saved on its own (they are already minimal).
# ----------------------------------------------------------------------------------------------

def _edge(today="2025-03-12", advisers=None, **kw):
    sc = {"today": today, "config": {"horizon_weeks": 2},
          "advisers": advisers if advisers is not None else [{"email": "a@x.com"}]}
    sc.update(kw)
    return sc


EDGE_SCENARIOS = [
    ("deal-without-clarify date: JSON integer >= 2^64 (IN4 integer -> epoch ms -> out of range -> W2)",
     _edge(advisers=[{"email": "a@x.com", "deals_without_clarify": [{"agreement_start_date": 18446744073709551616}]}])),
    ("deal-without-clarify date: JSON integer < -2^63",
     _edge(advisers=[{"email": "a@x.com", "deals_without_clarify": [{"agreement_start_date": -9223372036854775809}]}])),
    ("deal-without-clarify date: JSON -0 (an integer: no fraction, no exponent) = epoch 0",
     '{"today": "2025-03-12", "config": {"horizon_weeks": 2}, "advisers": [{"email": "a@x.com", '
     '"deals_without_clarify": [{"agreement_start_date": -0}]}]}'),
    ("W2 raw text of an integer date above i64::MAX",
     _edge(advisers=[{"email": "a@x.com", "deals_without_clarify": [{"agreement_start_date": 9223372036854775808},
                                                                     {"agreement_start_date": 18446744073709551615}]}])),
    ("hubspot_owner_id: JSON integer 2^64 (a non-negative integer)",
     _edge(advisers=[{"email": "a@x.com", "hubspot_owner_id": 18446744073709551616}])),
    ("hubspot_owner_id: JSON -0",
     '{"today": "2025-03-12", "config": {"horizon_weeks": 2}, "advisers": [{"email": "a@x.com", '
     '"hubspot_owner_id": -0}]}'),
    ("deal_id: JSON integer 2^64",
     _edge(advisers=[{"email": "a@x.com", "service_packages": "Seed"}],
           deal={"service_package": "Seed", "deal_id": 18446744073709551616})),
    ("deal_id: JSON -0",
     '{"today": "2025-03-12", "config": {"horizon_weeks": 2}, "advisers": [{"email": "a@x.com", '
     '"service_packages": "Seed"}], "deal": {"service_package": "Seed", "deal_id": -0}}'),
    ("deal agreement_start_date: JSON -0 (epoch 0, a valid date)",
     '{"today": "2025-03-12", "config": {"horizon_weeks": 2}, "advisers": [{"email": "a@x.com", '
     '"service_packages": "Seed"}], "deal": {"service_package": "Seed", "agreement_start_date": -0}}'),
    ("deal-without-clarify id: JSON integer 2^64",
     _edge(advisers=[{"email": "a@x.com", "deals_without_clarify": [{"id": 18446744073709551616, "agreement_start_date": "x"}]}])),
    ("SL9 name: final sigma when lowercasing (str::to_lowercase)",
     _edge(advisers=[{"email": "\u039f\u0394\u039f\u03a3.fay@x.com"}])),
    ("today 0001-01-01: LW = 0000-12-25 lies before the calendar's first day",
     _edge(today="0001-01-01")),
    ("today 9999-12-31: MA and later weeks lie after 9999-12-31",
     _edge(today="9999-12-31")),
]


# ----------------------------------------------------------------------------------------------
# Running and comparing
# ----------------------------------------------------------------------------------------------

def run_rust(binpath, path):
    p = subprocess.run([binpath, "allocate", "--scenario", path], capture_output=True, text=True,
                       timeout=120)
    out = None
    if p.stdout.strip():
        try:
            out = json.loads(p.stdout)
        except json.JSONDecodeError:
            out = {"__unparseable_stdout__": p.stdout[:500]}
    return p.returncode, out, p.stderr.strip()


def run_ref(sc):
    try:
        out, code = reference_engine.run(copy.deepcopy(sc))
    except Exception as e:  # a crash of the reference is itself worth reporting
        return 99, {"__reference_crash__": repr(e)}
    if out is None:
        return code, None
    return code, json.loads(json.dumps(out))


def diff_paths(a, b, path="$"):
    """List of (path, a_value, b_value) where the JSON values differ."""
    if type(a) != type(b) or (not isinstance(a, (dict, list)) and a != b):
        return [(path, a, b)]
    res = []
    if isinstance(a, dict):
        for k in list(a.keys()) + [k for k in b.keys() if k not in a]:
            if k not in a or k not in b:
                res.append((f"{path}.{k}", a.get(k, "<missing>"), b.get(k, "<missing>")))
            else:
                res += diff_paths(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b):
            # compare the common prefix and report the length
            res.append((f"{path}.length", len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            res += diff_paths(x, y, f"{path}[{i}]")
    return res


def compare(binpath, sc, workdir, tag):
    """sc is a scenario object, or the exact JSON text of one (for edge cases such as -0)."""
    path = os.path.join(workdir, f"{tag}.json")
    with open(path, "w", encoding="utf-8") as f:
        if isinstance(sc, str):
            f.write(sc)
            sc = json.loads(sc)
        else:
            json.dump(sc, f, indent=1, ensure_ascii=False)
    rc_r, out_r, err_r = run_rust(binpath, path)
    rc_p, out_p = run_ref(sc)
    diffs = []
    if rc_r != rc_p:
        diffs.append(("exit_code", rc_r, rc_p))
    if out_r is not None or out_p is not None:
        if out_r is None or out_p is None:
            diffs.append(("$", out_r if out_r is not None else err_r, out_p))
        else:
            diffs += diff_paths(out_r, out_p)
    return diffs, (rc_r, out_r, err_r), (rc_p, out_p)


def signature(diffs):
    keys = set()
    for p, _a, _b in diffs:
        p = re.sub(r"\[\d+\]", "[]", p)
        p = re.sub(r"\.weeks\[\]\.", ".weeks[].", p)
        keys.add(p)
    return tuple(sorted(keys))


# ----------------------------------------------------------------------------------------------
# Minimisation (greedy structural shrinking keeping the same signature)
# ----------------------------------------------------------------------------------------------

def candidates(sc):
    """Yield smaller variants of the scenario."""
    # remove whole advisers / list items / optional keys, from big to small
    def lists(obj, path=()):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield from lists(v, path + (k,))
        elif isinstance(obj, list):
            yield path, obj
            for i, v in enumerate(obj):
                yield from lists(v, path + (i,))

    def get(obj, path):
        for p in path:
            obj = obj[p]
        return obj

    for path, lst in list(lists(sc)):
        if path and path[-1] == "tags":
            continue
        n = len(lst)
        # halves first, then single items
        chunk = n // 2
        while chunk >= 1:
            for start in range(0, n, chunk):
                new = copy.deepcopy(sc)
                tgt = get(new, path)
                if path == ("advisers",) and n - chunk < 1:
                    continue
                del tgt[start:start + chunk]
                yield new
            chunk //= 2
    optional_top = ["name", "description", "include_no", "office_closures", "capacity_overrides",
                    "config", "timezone"]
    for k in optional_top:
        if k in sc:
            new = copy.deepcopy(sc)
            del new[k]
            yield new
    if isinstance(sc.get("config"), dict):
        for k in list(sc["config"]):
            new = copy.deepcopy(sc)
            del new["config"][k]
            yield new
    if isinstance(sc.get("deal"), dict):
        for k in ["deal_id", "household_type", "agreement_start_date"]:
            if k in sc["deal"]:
                new = copy.deepcopy(sc)
                del new["deal"][k]
                yield new
    adv_optional = ["name", "hubspot_owner_id", "taking_on_clients", "service_packages",
                    "household_types", "pod_type", "start_date", "meetings",
                    "deals_without_clarify", "leave", "data_unavailable"]
    for i, a in enumerate(sc.get("advisers", [])):
        for k in adv_optional:
            if k in a:
                new = copy.deepcopy(sc)
                del new["advisers"][i][k]
                yield new
        for lk in ["meetings", "deals_without_clarify", "leave"]:
            for j, item in enumerate(a.get(lk, [])):
                for k in ["type", "title", "id", "name"]:
                    if k in item:
                        new = copy.deepcopy(sc)
                        del new["advisers"][i][lk][j][k]
                        yield new
    for i, o in enumerate(sc.get("capacity_overrides", [])):
        for k in ["pod_type", "notes"]:
            if k in o:
                new = copy.deepcopy(sc)
                del new["capacity_overrides"][i][k]
                yield new
    for i, c in enumerate(sc.get("office_closures", [])):
        for k in ["end_date", "description", "tags"]:
            if k in c:
                new = copy.deepcopy(sc)
                del new["office_closures"][i][k]
                yield new


def minimise(binpath, sc, sig, workdir, tag, budget=600):
    cur = sc
    improved = True
    runs = 0
    while improved and runs < budget:
        improved = False
        for cand in candidates(cur):
            runs += 1
            if runs >= budget:
                break
            diffs, rr, _ = compare(binpath, cand, workdir, tag + "_min")
            if diffs and signature(diffs) == sig and rr[0] != 2:
                cur = cand
                improved = True
                break
    return cur


# ----------------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------------

def worker(args):
    binpath, seed, idx, workdir = args
    rng = random.Random(f"{seed}:{idx}")
    sc = gen_scenario(rng)
    diffs, rr, rp = compare(binpath, sc, workdir, f"s{idx}")
    return idx, sc, diffs, rr[0], rp[0]


def fmt_val(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 300 else s[:300] + "..."


def write_note(path, sc_path, diffs, rr, rp, label=None):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"scenario: {sc_path}\n")
        if label:
            f.write(f"edge case: {label}\n")
        f.write(f"exit codes: rust={rr[0]} reference={rp[0]}\n")
        if rr[2]:
            f.write(f"rust stderr: {rr[2]}\n")
        f.write("differing fields (path: rust | reference):\n")
        for p, a, b in diffs[:60]:
            f.write(f"  {p}: {fmt_val(a)} | {fmt_val(b)}\n")
        if len(diffs) > 60:
            f.write(f"  ... {len(diffs) - 60} more\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 4)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--out", default=os.path.join(HERE, "disagreements"))
    ap.add_argument("--no-minimise", action="store_true")
    args = ap.parse_args()

    # snapshot the binary so a concurrent rebuild cannot change it mid-run
    workdir = tempfile.mkdtemp(prefix="difftest_")
    binpath = os.path.join(workdir, "allot")
    shutil.copy2(args.bin, binpath)

    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        os.remove(os.path.join(args.out, f))

    by_sig = {}
    total = 0
    n_diff = 0
    n_exit2 = 0
    num = 0
    summary = []
    for label, sc in EDGE_SCENARIOS:
        total += 1
        diffs, rr, rp = compare(binpath, sc, workdir, "edge")
        if rr[0] == 2:
            n_exit2 += 1
        if not diffs:
            continue
        n_diff += 1
        num += 1
        name = f"{num:03d}"
        sc_path = os.path.join(args.out, f"{name}.json")
        with open(sc_path, "w", encoding="utf-8") as f:
            if isinstance(sc, str):
                f.write(sc)
            else:
                json.dump(sc, f, indent=2, ensure_ascii=False)
            f.write("\n")
        write_note(os.path.join(args.out, f"{name}.note.txt"), sc_path, diffs, rr, rp, label)
        summary.append({"name": name, "count": 1, "edge": label, "sig": list(signature(diffs))})
        print(f"{name}: edge scenario: {label}")
    with ProcessPoolExecutor(max_workers=args.jobs) as ex:
        for idx, sc, diffs, rc_r, rc_p in ex.map(worker, [(binpath, args.seed, i, workdir) for i in range(args.n)],
                                                chunksize=8):
            total += 1
            if rc_r == 2:
                n_exit2 += 1
            if diffs:
                n_diff += 1
                sig = signature(diffs)
                by_sig.setdefault(sig, []).append((idx, sc, diffs))
    print(f"scenarios run: {total}; with disagreement: {n_diff}; rust exit 2 (rejected): {n_exit2}")
    print(f"distinct raw signatures: {len(by_sig)}")

    # minimise one representative per signature; dedupe by minimised signature
    saved = {}
    for sig, items in sorted(by_sig.items(), key=lambda kv: -len(kv[1])):
        idx, sc, diffs = min(items, key=lambda t: len(json.dumps(t[1])))
        small = sc if args.no_minimise else minimise(binpath, sc, sig, workdir, f"m{idx}")
        d2, rr, rp = compare(binpath, small, workdir, f"final{idx}")
        sig2 = signature(d2)
        if sig2 in saved:
            saved[sig2]["count"] += len(items)
            continue
        num += 1
        name = f"{num:03d}"
        sc_path = os.path.join(args.out, f"{name}.json")
        with open(sc_path, "w", encoding="utf-8") as f:
            json.dump(small, f, indent=2, ensure_ascii=False)
            f.write("\n")
        write_note(os.path.join(args.out, f"{name}.note.txt"), sc_path, d2, rr, rp)
        saved[sig2] = {"name": name, "count": len(items), "sig": sig2, "seed_index": idx}
    for v in saved.values():
        v["sig"] = list(v["sig"])
        summary.append(v)
        print(f"{v['name']}: {v['count']} scenarios (first seed index {v['seed_index']}): {', '.join(v['sig'])}")
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump({"scenarios": total, "with_disagreement": n_diff, "rust_exit2": n_exit2,
                   "seed": args.seed, "disagreements": summary}, f, indent=2)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
