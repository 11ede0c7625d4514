//! A clock that never moves (SF2: the demo's clock reports the scenario's `today`).

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::ports::Clock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(DateTime<Utc>);

impl FixedClock {
    pub fn at(now: DateTime<Utc>) -> FixedClock {
        FixedClock(now)
    }

    /// 12:00 firm-local on `date`: far from midnight, so `today` is `date` in the firm's zone.
    pub fn midday_of(date: NaiveDate, tz: Tz) -> FixedClock {
        let local = date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN));
        let utc = tz
            .from_local_datetime(&local)
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc));
        FixedClock(utc)
    }

    pub(crate) fn now_value(&self) -> DateTime<Utc> {
        self.0
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// A clock tests set and advance (portal.md P0.1). Clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn at(now: DateTime<Utc>) -> ManualClock {
        ManualClock(std::sync::Arc::new(std::sync::Mutex::new(now)))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = now;
    }

    pub fn advance(&self, by: chrono::TimeDelta) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_is_shared_by_its_clones() {
        let start = DateTime::<Utc>::UNIX_EPOCH;
        let clock = ManualClock::at(start);
        let other = clock.clone();
        other.advance(chrono::TimeDelta::seconds(61));
        assert_eq!(clock.now(), start + chrono::TimeDelta::seconds(61));
        clock.set(start);
        assert_eq!(other.now(), start);
    }
}
