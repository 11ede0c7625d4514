//! Strict parsing of a scenario file (scenario-format.md §2) into domain inputs.
//!
//! Every value is checked against the tables of §2 and SF3a: unknown keys, duplicate keys, `null`
//! where the table does not say "or null", missing required keys and the SF4 value errors are
//! file errors. The first error in document order is reported, named by its SF4 path (a missing
//! key is found, and reported, at the end of its object).

mod adviser;
mod stores;
mod walk;

use crate::json::{self, Value};
use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::allocation::{Config, ConfigValues, DealRequest, FirmSnapshot, RawDealDate};
use std::collections::HashSet;
use std::str::FromStr;
use walk::{Node, R};

/// A parsed scenario: everything the allocation reads, plus `today`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub today: NaiveDate,
    /// The `config` values with the top-level `timezone` (default `Australia/Sydney`).
    pub config: Config,
    pub include_no: bool,
    pub firm: FirmSnapshot,
    /// `None` when `deal` is absent or null (availability mode, SF6).
    pub deal: Option<DealRequest>,
}

/// A file error (SF4): the path of the offending value and a free-text reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ScenarioError {
    pub path: String,
    pub reason: String,
}

/// Parses and validates a scenario file's text.
pub fn parse_scenario(text: &str) -> Result<Scenario, ScenarioError> {
    let value = json::parse(text).map_err(|e| ScenarioError {
        path: "$".to_owned(),
        reason: format!("invalid JSON: {e}"),
    })?;
    scenario(&Node::root(&value))
}

/// The deal as read; its agreement date is resolved once the time zone is known.
struct DealFields {
    date_path: String,
    /// The agreement date as written, for the error reason.
    date_written: String,
    deal_id: Option<String>,
    service_package: String,
    household_type: Option<String>,
    agreement_start_date: RawDealDate,
}

fn scenario(node: &Node<'_>) -> R<Scenario> {
    let mut obj = node.object()?;
    let mut name = None;
    let mut description = None;
    let mut today = None;
    let mut timezone = None;
    let mut config = None;
    let mut include_no = None;
    let mut advisers = None;
    let mut closures = None;
    let mut overrides = None;
    let mut deal = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "name" => name = Some(n.string()?),
            "description" => description = Some(n.string()?),
            "today" => today = Some(n.date()?),
            "timezone" => timezone = Some(zone(&n)?),
            "config" => config = Some(config_values(&n)?),
            "include_no" => include_no = Some(n.boolean()?),
            "advisers" => {
                let mut emails = HashSet::new();
                advisers = Some(n.list(|a| adviser::adviser(a, &mut emails))?);
            }
            "office_closures" => closures = Some(n.list(stores::closure)?),
            "capacity_overrides" => overrides = Some(n.list(stores::capacity_override)?),
            "deal" => deal = Some(n.nullable(deal_fields)?),
            _ => return Err(n.unknown_key()),
        }
    }
    let today = obj.required(today, "today")?;
    let advisers = obj.required(advisers, "advisers")?;
    let timezone = timezone.unwrap_or(chrono_tz::Australia::Sydney);
    let values = config.unwrap_or_default();
    let config = Config::new(timezone, values).map_err(|e| ScenarioError {
        path: format!("$.config.{}", e.key),
        reason: e.to_string(),
    })?;
    let deal = match deal.flatten() {
        Some(d) => Some(resolve_deal(d, timezone)?),
        None => None,
    };
    Ok(Scenario {
        name,
        description,
        today,
        config,
        include_no: include_no.unwrap_or(false),
        firm: FirmSnapshot {
            advisers,
            closures: closures.unwrap_or_default(),
            overrides: overrides.unwrap_or_default(),
        },
        deal,
    })
}

/// T1: an IANA zone name.
fn zone(node: &Node<'_>) -> R<Tz> {
    let s = node.string()?;
    Tz::from_str(&s).map_err(|_| node.error(format!("unknown time zone {s:?}")))
}

/// CF1 integer keys, each within its range; the time zone is not accepted here.
fn config_values(node: &Node<'_>) -> R<ConfigValues> {
    let mut values = ConfigValues::default();
    let mut obj = node.object()?;
    while let Some((key, n)) = obj.next_member()? {
        let slot = match key {
            "prestart_weeks" => &mut values.prestart_weeks,
            "buffer_weeks" => &mut values.buffer_weeks,
            "horizon_weeks" => &mut values.horizon_weeks,
            "max_clarifies_per_week" => &mut values.max_clarifies_per_week,
            "base_limit_monthly" => &mut values.base_limit_monthly,
            "solo_limit_monthly" => &mut values.solo_limit_monthly,
            "timezone" => {
                return Err(n.error("unknown key; the time zone is the top-level `timezone`"));
            }
            _ => return Err(n.unknown_key()),
        };
        let range = ConfigValues::range_of(key).ok_or_else(|| n.unknown_key())?;
        *slot = n.integer_in(range)?;
    }
    Ok(values)
}

fn deal_fields(node: &Node<'_>) -> R<DealFields> {
    let mut obj = node.object()?;
    let mut deal_id = None;
    let mut package = None;
    let mut household = None;
    let mut date = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "deal_id" => deal_id = Some(n.nullable(Node::id)?),
            "service_package" => package = Some(n.string()?),
            "household_type" => household = Some(n.nullable(Node::string)?),
            "agreement_start_date" => date = Some((n.deal_date()?, written(n.value))),
            _ => return Err(n.unknown_key()),
        }
    }
    let service_package = obj.required(package, "service_package")?;
    let (agreement_start_date, date_written) =
        date.unwrap_or((RawDealDate::Missing, String::new()));
    Ok(DealFields {
        date_path: format!("{}.agreement_start_date", node.path),
        date_written,
        deal_id: deal_id.flatten(),
        service_package,
        household_type: household.flatten(),
        agreement_start_date,
    })
}

/// A scalar as written in the file (strings quoted).
fn written(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        other => other.kind().to_owned(),
    }
}

/// IN4 / T7: the deal's agreement date in the firm's zone; unparseable is a file error.
fn resolve_deal(d: DealFields, tz: Tz) -> R<DealRequest> {
    DealRequest::new(
        d.deal_id.as_deref(),
        &d.service_package,
        d.household_type.as_deref(),
        &d.agreement_start_date,
        tz,
    )
    .map_err(|e| ScenarioError {
        path: d.date_path,
        reason: format!("{}: {e}", d.date_written),
    })
}
