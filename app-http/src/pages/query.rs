//! Small helpers shared by the pages: the query string and week labels.

use crate::routes::admin_login::html::parse_form;
use chrono::NaiveDate;
use domain::allocation::Week;
use poem::Request;

/// The decoded query string; a malformed one reads as empty.
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn of(req: &Request) -> Query {
        Query(req.uri().query().and_then(parse_form).unwrap_or_default())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `2025-03-31` → `2025-W14` (T11); anything else is shown as given.
pub fn week_label(monday: &str) -> String {
    NaiveDate::parse_from_str(monday, "%Y-%m-%d")
        .ok()
        .map_or_else(|| monday.to_owned(), |d| Week::of(d).iso_label())
}

/// Whole weeks from `from` to `to` (both Mondays).
pub fn weeks_between(from: &str, to: &str) -> Option<i64> {
    let f = NaiveDate::parse_from_str(from, "%Y-%m-%d").ok()?;
    let t = NaiveDate::parse_from_str(to, "%Y-%m-%d").ok()?;
    Some((t - f).num_days().div_euclid(7))
}
