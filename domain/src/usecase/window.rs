//! Time for the allocation: `today` from the clock (T2) and the start of the meeting search,
//! 00:00 firm-local on the Monday of last week (T5, upstreams.md U1.8).

use crate::allocation::Week;
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// T2: the calendar date in `tz` at `now`.
pub(crate) fn local_today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// LW = Monday(today) − 7 days (T5).
pub(crate) fn last_week(today: NaiveDate) -> NaiveDate {
    let cw = Week::of(today).monday();
    cw.checked_sub_days(Days::new(7)).unwrap_or(cw)
}

/// The instant of 00:00 in `tz` on `date`. When a DST gap swallows that midnight, the instant
/// midnight would have had under the later (larger) offset: never after the day's first instant,
/// so a search from it misses nothing (earlier meetings are ignored by WC2).
pub(crate) fn local_midnight(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    if let Some(t) = tz.from_local_datetime(&midnight).earliest() {
        return t.with_timezone(&Utc);
    }
    let east = |n: NaiveDateTime| tz.offset_from_utc_datetime(&n).fix().local_minus_utc();
    let around = [
        midnight.checked_sub_days(Days::new(1)),
        midnight.checked_add_days(Days::new(1)),
    ];
    let offset = around.into_iter().flatten().map(east).max().unwrap_or(0);
    let utc = midnight
        .checked_sub_signed(chrono::TimeDelta::seconds(i64::from(offset)))
        .unwrap_or(midnight);
    Utc.from_utc_datetime(&utc)
}

/// The `since` of the meeting search for `today`.
pub(crate) fn meetings_since(today: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_midnight(last_week(today), tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn t2_today_is_the_firm_local_date() {
        let sydney = chrono_tz::Australia::Sydney;
        assert_eq!(
            local_today(utc("2025-03-09T13:30:00Z"), sydney),
            d("2025-03-10")
        );
        assert_eq!(
            local_today(utc("2025-03-09T12:59:59Z"), sydney),
            d("2025-03-09")
        );
    }

    #[test]
    fn u1_8_since_is_local_midnight_of_last_monday() {
        let sydney = chrono_tz::Australia::Sydney;
        // Wednesday 2025-03-12: CW 03-10, LW 03-03, AEDT (+11).
        assert_eq!(
            meetings_since(d("2025-03-12"), sydney),
            utc("2025-03-02T13:00:00Z")
        );
        // A Monday is its own week; AEST (+10) after April.
        assert_eq!(
            meetings_since(d("2025-06-16"), sydney),
            utc("2025-06-08T14:00:00Z")
        );
        assert_eq!(
            meetings_since(d("2025-03-16"), chrono_tz::UTC),
            utc("2025-03-03T00:00:00Z")
        );
    }

    #[test]
    fn a_dst_gap_at_midnight_does_not_panic_and_starts_no_later() {
        // Tehran skipped 2021-03-22 00:00..01:00 (+03:30 → +04:30); that day was a Monday.
        let tehran = chrono_tz::Asia::Tehran;
        let midnight = d("2021-03-22").and_time(NaiveTime::MIN);
        assert!(tehran.from_local_datetime(&midnight).earliest().is_none());
        let since = meetings_since(d("2021-03-31"), tehran);
        let first_instant = utc("2021-03-21T20:30:00Z");
        assert!(since <= first_instant);
        assert!(first_instant - since <= chrono::TimeDelta::hours(1));
    }
}
