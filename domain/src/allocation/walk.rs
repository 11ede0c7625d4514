//! The earliest open week (EW1–EW13): the walk over one adviser's table.
//!
//! Every number that can be a multiple of 0.5 is held in half-units (EW15), so all arithmetic is
//! exact integer arithmetic.

use super::result::{Half, StepNumbers, Walk, WalkEnd, WalkStep, WeekRow};
use super::table::RefWeeks;
use super::week::Week;

/// The walk's answer and its explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WalkResult {
    pub earliest: Week,
    pub fallback: bool,
    pub walk: Walk,
}

/// Runs EW1–EW12 on a non-empty table. `base_target_at_b` is Tb(b) (EW6) and is only read when
/// the start row exists; `max_clarifies` is M (CF1).
pub(crate) fn walk(
    rows: &[WeekRow],
    refs: RefWeeks,
    base_target: impl Fn(Week) -> u32,
    max_clarifies: u32,
) -> WalkResult {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        // A table always has at least one row (CT2); answer the earliest allowed week regardless.
        return no_table(refs);
    };
    let (s_day, y_day) = (first.week.day(), last.week.day());
    // EW1
    let start = s_day.max(refs.ma).max(refs.aa.unwrap_or(i64::MIN));
    // EW3
    if start > y_day {
        return WalkResult {
            earliest: Week::from_day(start.max(y_day + 14)),
            fallback: true,
            walk: Walk {
                start_week: Week::from_day(start),
                r0: Half(0),
                f: 0,
                steps: Vec::new(),
                ended_by: WalkEnd::NoStartRow,
                k: None,
            },
        };
    }
    let len = rows.len() as i64;
    let b = (start - s_day) / 7; // EW4: row index of b
    // CT8: lookups outside the table read as 0.
    let at = |i: i64| (0..len).contains(&i).then(|| &rows[i as usize]);
    let c2 = |i: i64| at(i).map_or(0, |r| 2 * i64::from(r.clarify));
    let t = |i: i64| at(i).map_or(0, |r| i64::from(r.target));
    let delta2 = |i: i64| at(i).map_or(0, |r| 2 * r.difference);
    let n_of = |i: i64| at(i).map_or(0, |r| i64::from(r.deals_no_clarify));
    let full = |i: i64| at(i).is_some_and(WeekRow::is_full);

    // EW5, in half-units: T(w)/2 becomes T(w).
    let backlog: i64 = (0..(b - 2).max(0)).map(n_of).sum();
    let mut r = 2 * backlog
        + (c2(b - 3) - t(b - 3)).max(0)
        + (c2(b - 2) - t(b - 2))
        + (c2(b - 1) - t(b - 1));
    let r0 = r;
    // EW6
    let f = base_target(Week::from_day(start)).max(1);
    // EW7
    let mut prev = 0i64;
    let mut clar: i64 = (0..b).map(c2).sum();
    let mut targ: i64 = (0..b).map(t).sum();
    // EW9 / EW10 helpers: nearest non-Full rows before and after.
    let mut prev_open: Option<i64> = (0..b).rev().find(|&i| !full(i));
    let next_open = |i: i64| (i + 1..len).find(|&x| !full(x));
    let m2 = 2 * i64::from(max_clarifies);

    let mut steps = Vec::with_capacity((len - b) as usize);
    for i in b..len {
        let week = rows[i as usize].week;
        // EW8.a
        if full(i) {
            steps.push(WalkStep {
                week,
                numbers: None,
            });
            continue;
        }
        // EW8.b
        let new = n_of(i - 2);
        r += 2 * new;
        // EW8.c / EW9
        let p = prev_open.unwrap_or(-1);
        // EW8.d / EW10
        let n = if i + 1 >= len {
            i + 1
        } else {
            next_open(i).unwrap_or(len)
        };
        let cw2 = c2(i);
        // EW8.e
        let cap = (2 * t(i) - c2(p) - cw2 - prev).min(-delta2(n));
        // EW8.f
        let assigned = (cap.min(m2 - cw2).max(0))
            .min(r)
            .min((-delta2(p)).max(-delta2(n)))
            .max(0);
        // EW8.g
        r -= assigned;
        prev = assigned;
        let final_ = cap - assigned;
        // EW8.h
        r += cw2.max(assigned) - t(i);
        // EW8.i
        targ += t(i);
        clar += cw2 + 2 * new;
        // EW8.j / EW11: R ≤ 0, final > 0.5, targ > clar.
        let accepted = r <= 0 && final_ > 1 && targ > clar;
        let week_at = |x: i64| Week::from_day(s_day + 7 * x);
        steps.push(WalkStep {
            week,
            numbers: Some(StepNumbers {
                new: new as u32,
                p: week_at(p),
                n: week_at(n),
                cap: Half(cap),
                assigned: Half(assigned),
                final_: Half(final_),
                r: Half(r),
                clar: Half(clar),
                targ: Half(targ),
                accepted,
            }),
        });
        prev_open = Some(i);
        if accepted {
            return WalkResult {
                earliest: week,
                fallback: false,
                walk: Walk {
                    start_week: Week::from_day(start),
                    r0: Half(r0),
                    f,
                    steps,
                    ended_by: WalkEnd::Accepted,
                    k: None,
                },
            };
        }
    }
    // EW12: k = ceil(max(R, 0) / F), exactly; R is in half-units.
    let k = (r.max(0) as u64).div_ceil(2 * u64::from(f));
    let earliest = (y_day.saturating_add(k.saturating_mul(14).min(i64::MAX as u64) as i64))
        .max(refs.ma)
        .max(refs.aa.unwrap_or(i64::MIN));
    WalkResult {
        earliest: Week::from_day(earliest),
        fallback: true,
        walk: Walk {
            start_week: Week::from_day(start),
            r0: Half(r0),
            f,
            steps,
            ended_by: WalkEnd::EndOfTable,
            k: Some(k),
        },
    }
}

fn no_table(refs: RefWeeks) -> WalkResult {
    let start = Week::from_day(refs.ma.max(refs.aa.unwrap_or(i64::MIN)));
    WalkResult {
        earliest: start,
        fallback: true,
        walk: Walk {
            start_week: start,
            r0: Half(0),
            f: 0,
            steps: Vec::new(),
            ended_by: WalkEnd::NoStartRow,
            k: None,
        },
    }
}
