#!/usr/bin/env python3
"""Reference implementation of the adviser allocation algorithm.

A direct transcription of /work/shared/spec/allocation.md (rule ids in comments) and of the
scenario-format.md JSON contract.  Standard library only.  The scenario file is assumed to be
valid (no SF4 validation).  Walk arithmetic uses fractions.Fraction (exact).

Usage:  reference_engine.py SCENARIO.json      -> prints the §4 JSON; exit 1 if error is non-null.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo
from collections import Counter

# Branch coverage counters (used by difftest.py --coverage to check what the generator reaches).
COVERAGE: Counter = Counter()


def _cov(name: str) -> None:
    COVERAGE[name] += 1

# ----------------------------------------------------------------------------------------------
# Conventions: trim / lowercase (Rust str::trim = Unicode White_Space; str::to_lowercase)
# ----------------------------------------------------------------------------------------------

_WHITE_SPACE = set(
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def trim(s: str) -> str:
    i, j = 0, len(s)
    while i < j and s[i] in _WHITE_SPACE:
        i += 1
    while j > i and s[j - 1] in _WHITE_SPACE:
        j -= 1
    return s[i:j]


def lowercase(s: str) -> str:
    return s.lower()


def ekey(e: str) -> str:  # T9
    return lowercase(trim(e))


# ----------------------------------------------------------------------------------------------
# Dates and weeks (T3..T6)
# ----------------------------------------------------------------------------------------------

# Internally a calendar date is its proleptic-Gregorian day number ("ordinal", 0001-01-01 = 1,
# a Monday), so that week arithmetic near the ends of the calendar (years 1 and 9999) cannot
# overflow.  Parsers return ordinals.

_MAX_ORD = date(9999, 12, 31).toordinal()
_CYCLE_DAYS = 146097  # 400 Gregorian years; the calendar repeats exactly


def ordinal(d: date) -> int:
    return d.toordinal()


def isoweekday(o: int) -> int:
    return (o - 1) % 7 + 1


def monday(o: int) -> int:  # T3
    return o - (isoweekday(o) - 1)


def wk(o: int) -> str:
    """YYYY-MM-DD.  Outside years 1..9999 (not defined by the spec) it uses chrono's style."""
    k = 0
    while o < 1:
        o += _CYCLE_DAYS
        k -= 1
    while o > _MAX_ORD:
        o -= _CYCLE_DAYS
        k += 1
    d = date.fromordinal(o)
    y = d.year + 400 * k
    if 0 <= y <= 9999:
        ys = f"{y:04d}"
    elif y > 9999:
        ys = f"+{y}"
    else:
        ys = f"-{-y:04d}"
    return f"{ys}-{d.month:02d}-{d.day:02d}"


# ----------------------------------------------------------------------------------------------
# Parsing (IN1..IN5)
# ----------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DT_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(Z|z|[+-][0-9]{2}:[0-9]{2})?"
)


def _mkdate(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def parse_plain_date(s: str) -> date | None:
    m = _DATE_RE.fullmatch(s)
    if not m:
        return None
    return _mkdate(*m.groups())


class DateTime:
    """An IN5 date-time: written date, time, optional offset (minutes)."""

    def __init__(self, d: date, hh: int, mm: int, ss: int, offset_min: int | None):
        self.d, self.hh, self.mm, self.ss, self.offset_min = d, hh, mm, ss, offset_min

    def local_date(self, tz: ZoneInfo) -> date | None:
        """IN5: with an offset the instant's local date in TZ; without, the written date."""
        if self.offset_min is None:
            return self.d
        # Python datetimes stop at years 1 and 9999 even for intermediate UTC values, so the
        # conversion is done 400 years (one exact Gregorian cycle) away from the edge that is
        # near, and shifted back.  IN4: a result outside 0001-01-01..9999-12-31 is unparseable.
        off = timezone(timedelta(minutes=self.offset_min))
        try:
            inst = datetime(self.d.year, self.d.month, self.d.day, self.hh, self.mm, self.ss,
                            tzinfo=off)
            return inst.astimezone(tz).date()
        except (OverflowError, ValueError):
            pass
        # only at the very edges of the calendar (years 1 and 9999)
        shift = 400 if self.d.year < 5000 else -400
        try:
            inst = datetime(self.d.year + shift, self.d.month, self.d.day, self.hh, self.mm,
                            self.ss, tzinfo=off)
            return _shift_years(inst.astimezone(tz).date(), -shift)
        except (OverflowError, ValueError):
            return None


def parse_datetime(s: str) -> DateTime | None:  # IN5 grammar
    m = _DT_RE.fullmatch(s)
    if not m:
        return None
    y, mo, d, hh, mi, ss, _frac, off = m.groups()
    dd = _mkdate(y, mo, d)
    if dd is None:
        return None
    hh, mi = int(hh), int(mi)
    ss = int(ss) if ss is not None else 0
    if not (0 <= hh <= 23 and 0 <= mi <= 59 and 0 <= ss <= 59):
        return None
    offset_min = None
    if off is not None:
        if off in ("Z", "z"):
            offset_min = 0
        else:
            oh, om = int(off[1:3]), int(off[4:6])
            if not (0 <= oh <= 23 and 0 <= om <= 59):
                return None
            offset_min = (oh * 60 + om) * (1 if off[0] == "+" else -1)
    return DateTime(dd, hh, mi, ss, offset_min)


def parse_cal_date(s) -> int | None:  # IN3 (not trimmed, written date, no TZ conversion)
    if not isinstance(s, str):
        return None
    d = parse_plain_date(s)
    if d is not None:
        return ordinal(d)
    dt = parse_datetime(s)
    if dt is not None:
        return ordinal(dt.d)
    return None


_MIN_DATE, _MAX_DATE = date(1, 1, 1), date(9999, 12, 31)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

NO_DATE = "no-date"
UNPARSEABLE = "unparseable"


def parse_deal_date(v, tz: ZoneInfo):
    """IN4.  Returns an ordinal date, NO_DATE or UNPARSEABLE."""
    if v is None:
        return NO_DATE
    if isinstance(v, bool):
        return UNPARSEABLE
    if isinstance(v, int):
        return _epoch_ms_date(v, tz)
    if isinstance(v, str):
        s = trim(v)
        if s == "":
            return NO_DATE
        if re.fullmatch(r"[0-9]+", s):
            return _epoch_ms_date(int(s), tz)
        d = parse_plain_date(s)
        if d is not None:
            return ordinal(d)
        dt = parse_datetime(s)
        if dt is not None:
            ld = dt.local_date(tz)
            return ordinal(ld) if ld is not None else UNPARSEABLE
        return UNPARSEABLE
    return UNPARSEABLE


_CYCLE_MS = 146097 * 86400 * 1000  # 400 Gregorian years


def _shift_years(d: date, years: int) -> date | None:
    """Shift by a multiple of 400 years (calendar and weekdays repeat exactly)."""
    y = d.year + years
    if not (1 <= y <= 9999):
        return None
    return date(y, d.month, d.day)


def _epoch_ms_date(ms: int, tz: ZoneInfo):
    """IN4: epoch milliseconds (UTC) -> the instant's local date in TZ."""
    if abs(ms) > 400_000 * 86400 * 1000 * 366:
        return UNPARSEABLE
    try:
        return ordinal((_EPOCH + timedelta(milliseconds=ms)).astimezone(tz).date())
    except (OverflowError, ValueError):
        pass
    # only at the very edges of the calendar (years 1 and 9999)
    shift = 400 if ms < 0 else -400
    try:
        inst = _EPOCH + timedelta(milliseconds=ms + (_CYCLE_MS if shift > 0 else -_CYCLE_MS))
        res = _shift_years(inst.astimezone(tz).date(), -shift)
    except (OverflowError, ValueError):
        return UNPARSEABLE
    return ordinal(res) if res is not None else UNPARSEABLE


# IN1
YES, NO, BLANK = "Yes", "No", "Blank"


def taking_state(adv: dict) -> str:
    if "taking_on_clients" not in adv:
        return YES  # scenario-format 2.2: absent means true
    v = adv["taking_on_clients"]
    if v is None:
        return BLANK
    if v is True:
        return YES
    if isinstance(v, str):
        t = trim(v)
        if t == "":
            return BLANK
        if lowercase(t) == "true":
            return YES
        return NO
    return NO


def norm(x) -> set[str]:  # IN2
    if x is None:
        s = ""
    elif isinstance(x, list):
        s = ";".join(x)
    else:
        s = x
    out = set()
    for part in re.split(r"[;,/|]+", s):
        p = lowercase(trim(part))
        if p != "":
            out.add(p)
    return out


# ----------------------------------------------------------------------------------------------
# Configuration (CF1)
# ----------------------------------------------------------------------------------------------

DEFAULTS = {
    "prestart_weeks": 3,
    "buffer_weeks": 2,
    "horizon_weeks": 52,
    "max_clarifies_per_week": 2,
    "base_limit_monthly": 6,
    "solo_limit_monthly": 4,
}
SOLO_POD = "Solo Adviser"
EXEMPT_PACKAGES = {"series c", "ipo"}
FORTNIGHT = 14

MESSAGES = {
    "no_eligible_adviser": "no adviser is eligible for this deal",
    "upstream_unavailable": "adviser data could not be fetched for any eligible adviser",
    "invalid_agreement_date": "agreement_start_date is not a date",
    "not_found": "no adviser with this email",
}


# ----------------------------------------------------------------------------------------------
# SL9 name
# ----------------------------------------------------------------------------------------------

def display_name(adv: dict) -> str:
    n = adv.get("name")
    if isinstance(n, str) and trim(n) != "":
        return n
    email = adv["email"]
    local = email.split("@", 1)[0]
    parts = [p for p in re.split(r"[._\-]+", local) if p != ""]
    words = [p[0].upper() + p[1:].lower() for p in parts]
    res = " ".join(words)
    return res if res != "" else email


def owner_id(adv: dict):
    v = adv.get("hubspot_owner_id")
    if v is None:
        return None
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


# ----------------------------------------------------------------------------------------------
# Per-adviser computation
# ----------------------------------------------------------------------------------------------

class Ctx:
    def __init__(self, sc: dict):
        self.today = ordinal(parse_plain_date(sc["today"]))
        self.tzname = sc.get("timezone", "Australia/Sydney")
        self.tz = ZoneInfo(self.tzname)
        cfg = dict(DEFAULTS)
        cfg.update(sc.get("config") or {})
        self.cfg = cfg
        self.CW = monday(self.today)                          # T5
        self.LW = self.CW - 7                                 # T5
        self.MA = self.CW + 7 * cfg["buffer_weeks"]           # T6
        self.closures = []
        for c in sc.get("office_closures") or []:             # AB1
            s = parse_cal_date(c["start_date"])
            e = c.get("end_date")
            e = s if e is None else parse_cal_date(e)
            self.closures.append((s, e))
        self.overrides = sc.get("capacity_overrides") or []


class Limits:
    """LM1..LM7 for one adviser."""

    def __init__(self, ctx: Ctx, adv: dict):
        self.warnings = []
        raw = adv.get("start_date")
        sd = None
        if isinstance(raw, str) and trim(raw) != "":           # LM1
            sd = parse_cal_date(raw)
            if sd is None:
                self.warnings.append(f'start_date "{raw}" is not a date; treated as no start date')  # W1
        self.sd = sd
        cfg = ctx.cfg
        if sd is not None and adv.get("pod_type") == SOLO_POD:  # LM2
            self.base = cfg["solo_limit_monthly"]
        else:
            self.base = cfg["base_limit_monthly"]
        if sd is not None and sd > ctx.today:                  # LM3
            self.avail = monday(sd - 7 * cfg["prestart_weeks"])
        else:
            self.avail = None
        # LM4
        k = ekey(adv["email"])
        ovs = []
        for i, o in enumerate(ctx.overrides):
            if ekey(o["adviser_email"]) == k:
                eff = parse_cal_date(o["effective_date"])
                effw = eff + (8 - isoweekday(eff)) % 7
                ovs.append((effw, i, o["client_limit_monthly"]))
        ovs.sort(key=lambda t: (t[0], t[1]))  # stable: equal weeks keep input order
        self.ovs = ovs
        # LM7
        active = [o for o in ovs if o[0] <= ctx.CW]
        upcoming = [o for o in ovs if o[0] > ctx.CW]
        if active:
            self.display = (active[-1][2], "active")
        elif upcoming:
            self.display = (upcoming[0][2], "upcoming")
        else:
            self.display = (self.base, "base")

    def L(self, w: int) -> int:  # LM5
        lim = self.base
        for effw, _i, limit in self.ovs:
            if effw <= w:
                lim = limit
        return lim


def ooo_label(n: int) -> str:  # AB3
    if n == 0:
        return "No"
    if n == 5:
        return "Full"
    return f"Partial: {n}"


def target_for(tb: int, days: int) -> int:  # CT5
    if days <= 2:
        return tb
    if days <= 4:
        if tb % 2:
            _cov("CT5 ceil odd Tb")
        return -(-tb // 2)
    return 0


class Table:
    def __init__(self, ctx: Ctx, adv: dict, lim: Limits):
        self.warnings = []
        tz = ctx.tz
        # WC1, WC2 meetings
        clar, kick = {}, {}
        for m in adv.get("meetings") or []:
            t = m.get("type", "Clarify")
            if t not in ("Clarify", "Kick Off"):      # IN6
                continue
            dt = parse_datetime(m["start"])
            md = ordinal(dt.local_date(tz))
            w = monday(md)
            if w < ctx.LW:
                continue
            dct = clar if t == "Clarify" else kick
            dct[w] = dct.get(w, 0) + 1
        # IN4, WC3, WC4 deals
        deals = {}
        for i, dl in enumerate(adv.get("deals_without_clarify") or []):
            raw = dl.get("agreement_start_date")
            r = parse_deal_date(raw, tz)
            if r == NO_DATE:
                continue
            if r == UNPARSEABLE:
                did = dl["id"] if "id" in dl and dl["id"] is not None else i
                rawtxt = raw if isinstance(raw, str) else json.dumps(raw)
                _cov("W2 " + type(raw).__name__ + ("" if "id" in dl else " (position id)"))
                self.warnings.append(
                    f'deal {did}: agreement_start_date "{rawtxt}" is not a date; deal skipped')  # W2
                continue
            w = monday(r)
            if w < ctx.CW:
                _cov("WC4 roll-up")
                w = ctx.LW  # roll-up (C1)
            deals[w] = deals.get(w, 0) + 1
        # AB1 intervals
        intervals = list(ctx.closures)
        for lv in adv.get("leave") or []:
            intervals.append((parse_cal_date(lv["start_date"]), parse_cal_date(lv["end_date"])))
        self.intervals = intervals

        # CT1
        S = max(ctx.LW, lim.avail) if lim.avail is not None else ctx.LW
        # WC5 data weeks
        data_weeks = [w for w, c in clar.items() if c > 0] + [w for w, c in kick.items() if c > 0]
        data_weeks += [w for w, c in deals.items() if w >= ctx.CW and c > 0]
        for (s, e) in intervals:
            lw = self._latest_weekday(s, e)
            if lw is not None:
                data_weeks.append(monday(lw))
        # CT2
        Y = S + 7 * ctx.cfg["horizon_weeks"]
        if data_weeks:
            Y = max(Y, max(data_weeks))
        self.S, self.Y = S, Y
        if data_weeks and max(data_weeks) > S + 7 * ctx.cfg["horizon_weeks"]:
            _cov("CT2 stretched by data")
        if lim.avail is not None:
            _cov("CT1 avail>LW" if lim.avail > ctx.LW else "CT1 avail<=LW")
        if S > ctx.LW and any(w < S for w in deals):
            _cov("CT2 deals before S lost")

        weeks = []
        w = S
        while w <= Y:
            weeks.append(w)
            w += 7
        self.weeks = weeks
        self.C = {w: clar.get(w, 0) for w in weeks}
        self.K = {w: kick.get(w, 0) for w in weeks}
        self.N = {w: deals.get(w, 0) for w in weeks}
        self.days = {w: self._days(w) for w in weeks}
        self.O = {w: ooo_label(self.days[w]) for w in weeks}
        self.L = {w: lim.L(w) for w in weeks}
        self.T = {w: target_for(self.L[w] // 2, self.days[w]) for w in weeks}   # CT4, CT5
        # CT6
        self.A = {}
        last_not_full = None   # nearest earlier table row that is not Full
        for idx, w in enumerate(weeks):
            if idx == 0:
                if self.O[w] == "Full" and self.C[w] > 0:
                    _cov("CT6 first row Full with C>0")
                self.A[w] = self.C[w]
            elif self.O[w] == "Full":
                self.A[w] = 0
            else:
                q = last_not_full
                if q is None:
                    _cov("CT6 no earlier non-Full row")
                elif q != weeks[idx - 1]:
                    _cov("CT6 q jumps Full")
                self.A[w] = self.C[w] + (self.C[q] if q is not None else 0)
            if self.O[w] != "Full":
                last_not_full = w
        self.D = {w: self.A[w] - self.T[w] for w in weeks}   # CT7
        # helpers for EW9 / EW10: nearest non-Full table week before / at-or-after each week
        self.prev_not_full, self.next_not_full = {}, {}
        last = None
        for w in weeks:
            self.prev_not_full[w] = last
            if self.O[w] != "Full":
                last = w
        nxt = None
        for w in reversed(weeks):
            if self.O[w] != "Full":
                nxt = w
            self.next_not_full[w] = nxt

    @staticmethod
    def _latest_weekday(s: int, e: int):
        """The last weekday (T8) of [s, e], or None when the interval covers no weekday."""
        for d in (e, e - 1, e - 2):
            if s <= d <= e and isoweekday(d) <= 5:
                return d
        return None

    def _days(self, w: int) -> int:  # AB2
        n = 0
        for i in range(5):
            d = w + i
            if any(s <= d <= e for (s, e) in self.intervals):
                n += 1
        return n

    # CT8 lookups
    def in_table(self, x: int) -> bool:
        return self.S <= x <= self.Y

    def c(self, x):
        return self.C[x] if self.in_table(x) else 0

    def t(self, x):
        return self.T[x] if self.in_table(x) else 0

    def n(self, x):
        return self.N[x] if self.in_table(x) else 0

    def d(self, x):
        return self.D[x] if self.in_table(x) else 0

    def full(self, x):
        return self.in_table(x) and self.O[x] == "Full"

    def rows(self):
        return [
            {
                "week": wk(w),
                "clarify": self.C[w],
                "kickoff": self.K[w],
                "ooo": self.O[w],
                "deals_no_clarify": self.N[w],
                "target": self.T[w],
                "actual": self.A[w],
                "difference": self.D[w],
            }
            for w in self.weeks
        ]


def walk(ctx: Ctx, tab: Table, lim: Limits, AA: int | None):
    """EW1..EW12.  Returns (earliest, fallback)."""
    D7 = 7
    D14 = FORTNIGHT
    S, Y = tab.S, tab.Y
    s = max([S, ctx.MA] + ([AA] if AA is not None else []))   # EW1
    if s > Y:                                                    # EW3
        _cov("EW3 s>Y" + (" (AA binds)" if AA is not None and s == AA and AA > max(S, ctx.MA) else ""))
        return max(Y + D14, s), True
    if AA is not None and AA > max(S, ctx.MA):
        _cov("EW1 AA binds")
    if S > ctx.MA:
        _cov("EW1 S binds")
    b = s                                                        # EW4
    half = Fraction(1, 2)
    # EW5
    R = Fraction(sum(tab.N[w] for w in tab.weeks if w < b - D14))
    R += max(tab.c(b - 3 * D7) - tab.t(b - 3 * D7) * half, 0)
    R += tab.c(b - 2 * D7) - tab.t(b - 2 * D7) * half
    R += tab.c(b - D7) - tab.t(b - D7) * half
    # EW6
    F = lim.L(b) // 2
    if F == 0:
        _cov("EW6 F=0->1")
        F = 1
    # EW7
    prev = Fraction(0)
    clar = Fraction(sum(tab.C[w] for w in tab.weeks if w < b))
    targ = sum((tab.T[w] * half for w in tab.weeks if w < b), Fraction(0))
    M = ctx.cfg["max_clarifies_per_week"]
    # EW8
    for w in [x for x in tab.weeks if x >= b]:
        if tab.full(w):                                          # a
            _cov("EW8a skip Full")
            continue
        new = tab.n(w - D14)                                     # b
        R = R + new
        # c: EW9
        p = tab.prev_not_full[w]   # greatest table week x < w with not Full(x)
        if p is None:
            _cov("EW9 p=S-7")
            p = S - D7
        elif p < b:
            _cov("EW9 p<b")
        # d: EW10
        x = w + D7
        if x > Y:
            _cov("EW10 x>Y")
            n = x
        else:
            n = tab.next_not_full[x]   # smallest non-Full table week in x..Y
            if n is None:
                _cov("EW10 all Full -> Y+7")
                n = Y + D7
            elif n > x:
                _cov("EW10 jumps Full")
        Cw, Tw = tab.c(w), tab.t(w)
        cap = min(Fraction(Tw - tab.c(p) - Cw) - prev, Fraction(-tab.d(n)))   # e
        assigned = max(min(max(min(cap, Fraction(M - Cw)), Fraction(0)), R,
                           Fraction(max(-tab.d(p), -tab.d(n)))), Fraction(0))  # f
        if new:
            _cov("EW8b new>0")
        if assigned > 0:
            _cov("EW8f assigned>0")
            if assigned == R:
                _cov("EW8f assigned=R")
            if assigned.denominator == 2:
                _cov("EW8f assigned half")
            if cap > M - Cw and assigned == M - Cw:
                _cov("EW8f assigned=M-C")
            if assigned == max(-tab.d(p), -tab.d(n)) and assigned < min(cap, M - Cw, R):
                _cov("EW8f assigned=max(-dp,-dn)")
        if -tab.d(n) < Tw - tab.c(p) - Cw - prev:
            _cov("EW8e cap=-d(n)")
        if prev > 0 and Tw - tab.c(p) - Cw - prev < -tab.d(n):
            _cov("EW8e prev limits cap")
        R = R - assigned                                         # g
        prev = assigned
        final = cap - assigned
        R = R + max(Fraction(Cw), assigned) - Tw * half          # h
        targ = targ + Tw * half                                  # i
        clar = clar + Cw + new
        if R == 0 and final > half and targ > clar:
            _cov("EW11 accept with R=0")
        if R <= 0 and final == half and targ > clar:
            _cov("EW11 reject final=0.5")
        if R <= 0 and final > half and targ == clar:
            _cov("EW11 reject targ=clar")
        if R <= 0 and final > half and targ > clar:              # j / EW11
            _cov("EW11 accept" + (" at b" if w == b else " after b"))
            return w, False
    # EW12
    Rp = max(R, Fraction(0))
    k = math.ceil(Rp / F)  # exact on Fraction
    cands = [Y + FORTNIGHT * k, ctx.MA] + ([AA] if AA is not None else [])
    _cov("EW12 k>0" if k > 0 else "EW12 k=0")
    if max(cands) != cands[0]:
        _cov("EW12 MA/AA binds")
    if Rp / F != k and k > 0:
        _cov("EW12 ceil rounds up")
    return max(cands), True


# ----------------------------------------------------------------------------------------------
# Whole scenario
# ----------------------------------------------------------------------------------------------

def run(sc: dict):
    ctx = Ctx(sc)
    deal = sc.get("deal")
    mode = "allocate" if deal is not None else "availability"
    include_no = bool(sc.get("include_no", False))
    advisers = sc["advisers"]

    AA = None
    svc = hh = None
    if deal is not None:
        svc = lowercase(trim(deal["service_package"]))
        hh = lowercase(trim(deal.get("household_type") or ""))
        r = parse_deal_date(deal.get("agreement_start_date"), ctx.tz)
        if r == UNPARSEABLE:
            # IN7 / SF4: a file error in the CLI; reported here as the domain error.
            return None, 2
        if r != NO_DATE:
            AA = monday(r) + 7                                    # T7

    entries = []
    results = []  # (index, adv, table, earliest, fallback)
    business_eligible = 0
    for idx, adv in enumerate(advisers):
        lim = Limits(ctx, adv)
        state = taking_state(adv)
        unavailable = bool(adv.get("data_unavailable", False))
        reason = None
        if mode == "allocate":
            if state != YES:                                            # EL1.1
                reason = "not_taking_on_clients"
            elif svc not in norm(adv.get("service_packages", "")):      # EL1.2
                reason = "service_package_mismatch"
            elif (svc not in EXEMPT_PACKAGES and hh != ""               # EL1.3 / EL4
                  and norm(adv.get("household_types")) and hh not in norm(adv.get("household_types"))):
                reason = "household_mismatch"
            else:
                business_eligible += 1
                if unavailable:                                         # EL1.4
                    reason = "data_unavailable"
        else:
            listed = state == YES or (state == NO and include_no)       # AV1
            if not listed:
                reason = "not_taking_on_clients"
            elif unavailable:
                reason = "data_unavailable"
        eligible = reason is None
        entry = {
            "email": adv["email"],
            "name": display_name(adv),
            "hubspot_owner_id": owner_id(adv),
            "eligible": eligible,
            "excluded_reason": reason,
            "client_limit_monthly": lim.display[0],
            "client_limit_source": lim.display[1],
            "availability_start_week": wk(lim.avail) if lim.avail is not None else None,
            "earliest_open_week": None,
            "fallback": None,
            "warnings": list(lim.warnings),
            "weeks": [],
        }
        if eligible:
            tab = Table(ctx, adv, lim)
            earliest, fb = walk(ctx, tab, lim, AA)
            entry["earliest_open_week"] = wk(earliest)
            entry["fallback"] = fb
            entry["warnings"] += tab.warnings
            entry["weeks"] = tab.rows()
            results.append((idx, adv, tab, earliest, fb))
        entries.append(entry)

    selection = None
    error = None
    if mode == "allocate":
        if business_eligible == 0:                                       # SL1.2
            error = "no_eligible_adviser"
        elif not results:                                                # SL1.3
            error = "upstream_unavailable"
        else:
            selection = select(results, deal)

    out = {
        "today": sc["today"],
        "current_week": wk(ctx.CW),
        "earliest_allowed_week": wk(ctx.MA),
        "config": {
            "timezone": ctx.tzname,
            "prestart_weeks": ctx.cfg["prestart_weeks"],
            "buffer_weeks": ctx.cfg["buffer_weeks"],
            "horizon_weeks": ctx.cfg["horizon_weeks"],
            "max_clarifies_per_week": ctx.cfg["max_clarifies_per_week"],
            "base_limit_monthly": ctx.cfg["base_limit_monthly"],
            "solo_limit_monthly": ctx.cfg["solo_limit_monthly"],
        },
        "mode": mode,
        "include_no": include_no,
        "advisers": entries,
        "selection": selection,
        "error": None if error is None else {"code": error, "message": MESSAGES[error]},
    }
    return out, (1 if error is not None else 0)


def select(results, deal):
    estar = min(r[3] for r in results)                                  # SL2
    tied = [r for r in results if r[3] == estar]                         # SL3
    if len(tied) == 1:                                                   # SL4
        chosen, how = tied[0], "single"
    else:
        ratios = []                                                      # SL5
        for r in tied:
            tab = r[2]
            c = sum(tab.C[w] for w in tab.weeks if w <= estar)
            t2 = sum(tab.T[w] for w in tab.weeks if w <= estar)          # 2 * targ
            targ = t2 / 2.0
            ratios.append(float(c) / max(targ, 1.0))
        m = min(ratios)
        rtied = [r for r, q in zip(tied, ratios) if abs(q - m) < 1e-6]
        if any(r[2].T and sum(r[2].T[w] for w in r[2].weeks if w <= estar) < 2 for r in tied):
            _cov("SL5 targ<1 -> 1")
        if len(rtied) == 1:
            chosen, how = rtied[0], "ratio"
        else:                                                            # SL6
            did = deal.get("deal_id")
            if isinstance(did, int) and not isinstance(did, bool):
                did = str(did)
            did = trim(did) if isinstance(did, str) else ""
            _cov("SL6 with deal id" if did != "" else "SL6 no deal id")
            if did != "":
                def key(r):
                    return hashlib.sha256((did + ":" + ekey(r[1]["email"])).encode("utf-8")).hexdigest().encode()
            else:
                def key(r):
                    return ekey(r[1]["email"]).encode("utf-8")
            best = rtied[0]
            for r in rtied[1:]:
                if key(r) < key(best):
                    best = r
            chosen, how = best, "hash"
    adv = chosen[1]
    return {
        "chosen_email": adv["email"],
        "chosen_hubspot_owner_id": owner_id(adv),
        "earliest_week": wk(estar),
        "tied": [r[1]["email"] for r in tied],
        "decided_by": how,
        "fallback": chosen[4],
    }


def main(argv):
    if len(argv) != 2:
        print("usage: reference_engine.py SCENARIO.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        sc = json.load(f)
    out, code = run(sc)
    if out is None:
        print("error: $.deal.agreement_start_date: agreement_start_date is not a date", file=sys.stderr)
        return code
    sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
