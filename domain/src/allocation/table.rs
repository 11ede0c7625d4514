//! The capacity table (CT1–CT8), with the weekly counts (WC4, WC5) and day counts (AB2) it holds.

use super::activity::Events;
use super::limits::AdviserLimits;
use super::result::WeekRow;
use super::week::{Week, monday_of_day, weekday_index};

/// Reference weeks of one computation (T5, T6, T7) as day numbers of Mondays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RefWeeks {
    pub cw: i64,
    pub lw: i64,
    pub ma: i64,
    pub aa: Option<i64>,
}

/// Builds the table S..Y of one adviser.
///
/// `absences` are the closed day intervals of leave and closures (start ≤ end).
pub(crate) fn build_table(
    events: &Events,
    closures: &[(i64, i64)],
    limits: &AdviserLimits,
    refs: RefWeeks,
    horizon_weeks: u32,
) -> Vec<WeekRow> {
    // CT1
    let s = limits.avail.map_or(refs.lw, |a| a.day().max(refs.lw));
    // WC5 + CT2: the latest data week stretches the horizon.
    let absences = || events.leave.iter().chain(closures.iter()).copied();
    let latest = events
        .clarify_weeks
        .iter()
        .chain(&events.kickoff_weeks)
        .copied()
        .filter(|&w| w >= refs.lw)
        .chain(events.deal_weeks.iter().copied().filter(|&w| w >= refs.cw))
        .chain(absences().filter_map(last_weekday).map(monday_of_day))
        .max();
    let y = latest.map_or(s + 7 * i64::from(horizon_weeks), |l| {
        l.max(s + 7 * i64::from(horizon_weeks))
    });
    let len = usize::try_from((y - s) / 7 + 1).unwrap_or(0);
    let index = |week: i64| -> Option<usize> {
        (week >= s && week <= y)
            .then(|| usize::try_from((week - s) / 7).ok())
            .flatten()
    };

    let mut rows: Vec<WeekRow> = (0..len)
        .map(|i| WeekRow {
            week: Week::from_day(s + 7 * i as i64),
            clarify: 0,
            kickoff: 0,
            ooo_days: 0,
            deals_no_clarify: 0,
            target: 0,
            actual: 0,
            difference: 0,
        })
        .collect();

    // WC2: meetings before LW are ignored; CT2: so is data before S.
    for &w in &events.clarify_weeks {
        if let Some(i) = index(w).filter(|_| w >= refs.lw) {
            rows[i].clarify += 1;
        }
    }
    for &w in &events.kickoff_weeks {
        if let Some(i) = index(w).filter(|_| w >= refs.lw) {
            rows[i].kickoff += 1;
        }
    }
    // WC4 (C1): every deal dated before CW rolls up into LW.
    for &w in &events.deal_weeks {
        let at = if w < refs.cw { refs.lw } else { w };
        if let Some(i) = index(at) {
            rows[i].deals_no_clarify += 1;
        }
    }
    // AB2 (C2): distinct covered weekdays, as a 5-bit mask per row.
    let mut masks = vec![0u8; len];
    for (a, b) in absences() {
        mark_weekdays(&mut masks, s, y, a, b);
    }

    // CT4–CT7, with L(w) from LM5 walked alongside the rows.
    let mut overrides = limits.overrides.iter().peekable();
    let mut limit = limits.base;
    let mut last_open_clarify: Option<u32> = None; // C(q) of the nearest earlier non-Full row
    for (i, (row, mask)) in rows.iter_mut().zip(masks).enumerate() {
        while let Some(o) = overrides.next_if(|o| o.effective_week <= row.week) {
            limit = o.client_limit_monthly;
        }
        row.ooo_days = mask.count_ones() as u8;
        let base_target = limit / 2;
        row.target = match row.ooo_days {
            0..=2 => base_target,
            3 | 4 => base_target.div_ceil(2),
            _ => 0,
        };
        row.actual = if i == 0 {
            row.clarify
        } else if row.is_full() {
            0
        } else {
            row.clarify + last_open_clarify.unwrap_or(0)
        };
        if !row.is_full() {
            last_open_clarify = Some(row.clarify);
        }
        row.difference = i64::from(row.actual) - i64::from(row.target);
    }
    rows
}

/// The last weekday inside [a, b], when there is one.
fn last_weekday((a, b): (i64, i64)) -> Option<i64> {
    let back = (weekday_index(b) - 4).max(0);
    let last = b - back;
    (last >= a).then_some(last)
}

/// Sets, for every row of S..Y, the bits of the weekdays in [a, b].
fn mark_weekdays(masks: &mut [u8], s: i64, y: i64, a: i64, b: i64) {
    let (from, to) = (a.max(s), b.min(y + 4));
    if from > to {
        return;
    }
    let mut week = monday_of_day(from);
    while week <= to {
        let lo = (from - week).max(0);
        let hi = (to - week).min(4);
        if lo <= hi {
            let bits = ((1u8 << (hi - lo + 1)) - 1) << lo;
            if let Some(m) = usize::try_from((week - s) / 7)
                .ok()
                .and_then(|i| masks.get_mut(i))
            {
                *m |= bits;
            }
        }
        week += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::config::Config;
    use crate::allocation::input::AdviserProfile;
    use crate::allocation::week::day_number;
    use chrono::NaiveDate;

    fn dn(s: &str) -> i64 {
        day_number(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }
    fn refs() -> RefWeeks {
        RefWeeks {
            cw: dn("2025-03-10"),
            lw: dn("2025-03-03"),
            ma: dn("2025-03-24"),
            aa: None,
        }
    }
    fn plain_limits() -> AdviserLimits {
        AdviserLimits::compute(
            &AdviserProfile::new("a@x.com"),
            &[],
            NaiveDate::from_ymd_opt(2025, 3, 12).unwrap(),
            &Config::default(),
        )
    }
    fn row<'a>(rows: &'a [WeekRow], week: &str) -> &'a WeekRow {
        rows.iter()
            .find(|r| r.week.day() == dn(week))
            .expect("row exists")
    }

    #[test]
    fn ct2_default_table_has_horizon_plus_one_rows() {
        let rows = build_table(&Events::default(), &[], &plain_limits(), refs(), 52);
        assert_eq!(rows.len(), 53);
        assert_eq!(rows[0].week.day(), dn("2025-03-03"));
        assert_eq!(rows[52].week.day(), dn("2026-03-02"));
    }

    #[test]
    fn ct2_data_weeks_stretch_the_table() {
        let ev = Events {
            leave: vec![(dn("2026-06-06"), dn("2026-06-07"))], // weekend only: no data week
            deal_weeks: vec![dn("2026-04-06")],
            ..Events::default()
        };
        let rows = build_table(
            &ev,
            &[(dn("2026-05-04"), dn("2026-05-04"))],
            &plain_limits(),
            refs(),
            52,
        );
        assert_eq!(rows.last().unwrap().week.day(), dn("2026-05-04"));
    }

    #[test]
    fn ab2_distinct_days_across_leave_and_closures() {
        // X7: leave Mon–Tue and Thu–Fri plus a closure on Wed is a Full week (C2).
        let ev = Events {
            leave: vec![
                (dn("2025-03-24"), dn("2025-03-25")),
                (dn("2025-03-27"), dn("2025-03-28")),
                (dn("2025-03-31"), dn("2025-04-02")),
            ],
            ..Events::default()
        };
        let closures = [
            (dn("2025-03-26"), dn("2025-03-26")),
            (dn("2025-04-02"), dn("2025-04-02")),
            (dn("2025-04-07"), dn("2025-04-07")),
            (dn("2025-04-11"), dn("2025-04-11")),
        ];
        let rows = build_table(&ev, &closures, &plain_limits(), refs(), 52);
        assert_eq!(row(&rows, "2025-03-24").ooo_days, 5);
        assert_eq!(row(&rows, "2025-03-31").ooo_days, 3);
        assert_eq!(row(&rows, "2025-04-07").ooo_days, 2);
    }

    #[test]
    fn ct5_targets_by_absence_and_ct6_actual_jumps_full_weeks() {
        let ev = Events {
            clarify_weeks: vec![dn("2025-03-17"), dn("2025-03-31")],
            leave: vec![
                (dn("2025-03-24"), dn("2025-03-28")),
                (dn("2025-04-07"), dn("2025-04-09")),
                (dn("2025-04-14"), dn("2025-04-15")),
            ],
            ..Events::default()
        };
        let rows = build_table(&ev, &[], &plain_limits(), refs(), 52);
        let full = row(&rows, "2025-03-24");
        assert_eq!((full.target, full.actual, full.difference), (0, 0, 0));
        let after = row(&rows, "2025-03-31");
        assert_eq!((after.target, after.actual, after.difference), (3, 2, -1));
        assert_eq!(row(&rows, "2025-04-07").target, 2); // Partial: 3 → ceil(3/2)
        assert_eq!(row(&rows, "2025-04-14").target, 3); // Partial: 2 → no reduction
    }

    #[test]
    fn ct6_first_row_actual_is_its_clarify_even_when_full() {
        let ev = Events {
            clarify_weeks: vec![dn("2025-03-03"), dn("2025-03-10")],
            leave: vec![(dn("2025-03-03"), dn("2025-03-07"))],
            ..Events::default()
        };
        let rows = build_table(&ev, &[], &plain_limits(), refs(), 52);
        assert_eq!((rows[0].target, rows[0].actual), (0, 1));
        assert_eq!(rows[1].actual, 1); // no earlier non-Full row: A = C
    }

    #[test]
    fn wc4_past_deals_roll_into_last_week() {
        let ev = Events {
            deal_weeks: vec![dn("2025-02-10"), dn("2025-03-03"), dn("2025-03-17")],
            ..Events::default()
        };
        let rows = build_table(&ev, &[], &plain_limits(), refs(), 52);
        assert_eq!(rows[0].deals_no_clarify, 2);
        assert_eq!(rows[1].deals_no_clarify, 0);
        assert_eq!(rows[2].deals_no_clarify, 1);
    }

    #[test]
    fn wc2_meetings_before_last_week_are_ignored() {
        let ev = Events {
            clarify_weeks: vec![dn("2025-02-24"), dn("2025-03-03")],
            ..Events::default()
        };
        let rows = build_table(&ev, &[], &plain_limits(), refs(), 52);
        assert_eq!(rows[0].clarify, 1);
    }
}
