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
