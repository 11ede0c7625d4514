//! Instants and dates as TEXT, the same on both backends: instants are RFC 3339 UTC with
//! milliseconds and `Z` (fixed width, so text order is time order), dates `YYYY-MM-DD`.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use diesel::result::Error as DieselError;

pub(crate) fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_instant(s: &str) -> Result<DateTime<Utc>, DieselError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(format!("instant {s:?}: {e}")))
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, DieselError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(format!("date {s:?}: {e}")))
}

/// A stored value that is not what the schema promises.
pub(crate) fn corrupt(detail: String) -> DieselError {
    DieselError::DeserializationError(detail.into())
}
