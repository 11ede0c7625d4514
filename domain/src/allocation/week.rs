//! Weeks (T3, T4, T11): a week is named by its Monday.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// A calendar date that is a Monday (T4). Construct with [`Week::of`] or [`Week::new`].
///
/// Held as the Monday's day number so that week arithmetic in the engine is integer arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week(i32);

impl Week {
    /// `Monday(d)` (T3): the week that contains `d`.
    pub fn of(d: NaiveDate) -> Week {
        Week::from_day(monday_of_day(day_number(d)))
    }

    /// The week named by `d`, or `None` when `d` is not a Monday.
    pub fn new(d: NaiveDate) -> Option<Week> {
        (d.weekday() == chrono::Weekday::Mon).then(|| Week::of(d))
    }

    /// The Monday.
    pub fn monday(self) -> NaiveDate {
        // Every Week holds a day inside chrono's range (see `from_day`).
        NaiveDate::from_num_days_from_ce_opt(self.0).unwrap_or(NaiveDate::MIN)
    }

    /// The ISO week label `YYYY-Www` (T11).
    pub fn iso_label(self) -> String {
        let iso = self.monday().iso_week();
        format!("{:04}-W{:02}", iso.year(), iso.week())
    }

    /// Day number of the Monday (days from the common era, 0001-01-01 = 1).
    pub(crate) fn day(self) -> i64 {
        i64::from(self.0)
    }

    /// The week whose Monday has day number `day`, which must be a Monday. Saturates at the ends
    /// of a window well inside chrono's range; anything beyond it is nonsense input anyway.
    pub(crate) fn from_day(day: i64) -> Week {
        Week(day.clamp(MIN_DAY, MAX_DAY) as i32)
    }
}

// Mondays near the years -100,000 and 100,000, inside chrono's range (±262,000 years): weeks
// before 0001-01-01 exist (a `today` in year 1 has its last week in year 0).
const MIN_DAY: i64 = 1 - 7 * 5_200_000;
const MAX_DAY: i64 = 1 + 7 * 5_200_000;

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.monday().format("%Y-%m-%d"))
    }
}

/// Day number (0001-01-01 = 1, a Monday) of a date.
pub(crate) fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// `Monday(d)` on day numbers.
pub(crate) fn monday_of_day(day: i64) -> i64 {
    day - (day - 1).rem_euclid(7)
}

/// ISO weekday index, Monday = 0 … Sunday = 6, of a day number.
pub(crate) fn weekday_index(day: i64) -> i64 {
    (day - 1).rem_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn t3_monday_of_every_weekday() {
        for (day, monday) in [
            ("2025-03-10", "2025-03-10"),
            ("2025-03-12", "2025-03-10"),
            ("2025-03-16", "2025-03-10"),
            ("2025-03-17", "2025-03-17"),
        ] {
            assert_eq!(Week::of(d(day)).monday(), d(monday));
            assert_eq!(monday_of_day(day_number(d(day))), day_number(d(monday)));
        }
    }

    #[test]
    fn t11_iso_label() {
        assert_eq!(Week::of(d("2025-03-12")).iso_label(), "2025-W11");
        assert_eq!(Week::of(d("2024-12-30")).iso_label(), "2025-W01");
        assert_eq!(Week::of(d("2026-12-28")).iso_label(), "2026-W53");
    }

    #[test]
    fn day_numbers_round_trip() {
        let w = Week::of(d("2025-03-12"));
        assert_eq!(Week::from_day(w.day()), w);
        assert_eq!(weekday_index(day_number(d("2025-03-16"))), 6);
        assert!(Week::new(d("2025-03-11")).is_none());
    }
}
