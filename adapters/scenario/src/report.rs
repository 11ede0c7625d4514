//! The dry-run JSON output (scenario-format.md §4): the domain result as the documented object,
//! with keys in the documented order.

use domain::allocation::{AdviserOutcome, AllocationResult, Selection, WeekRow};
use serde::Serialize;

/// §4.1
#[derive(Debug, Serialize)]
pub struct Report {
    pub today: String,
    pub current_week: String,
    pub earliest_allowed_week: String,
    pub config: ConfigReport,
    pub mode: &'static str,
    pub include_no: bool,
    pub advisers: Vec<AdviserReport>,
    pub selection: Option<SelectionReport>,
    pub error: Option<ErrorReport>,
}

/// §4.1 `config`, keys in the documented order.
#[derive(Debug, Serialize)]
pub struct ConfigReport {
    pub timezone: String,
    pub prestart_weeks: u32,
    pub buffer_weeks: u32,
    pub horizon_weeks: u32,
    pub max_clarifies_per_week: u32,
    pub base_limit_monthly: u32,
    pub solo_limit_monthly: u32,
}

/// §4.2
#[derive(Debug, Serialize)]
pub struct AdviserReport {
    pub email: String,
    pub name: String,
    pub hubspot_owner_id: Option<String>,
    pub eligible: bool,
    pub excluded_reason: Option<&'static str>,
    pub client_limit_monthly: u32,
    pub client_limit_source: &'static str,
    pub availability_start_week: Option<String>,
    pub earliest_open_week: Option<String>,
    pub fallback: Option<bool>,
    pub warnings: Vec<String>,
    pub weeks: Vec<WeekReport>,
}

/// §4.3
#[derive(Debug, Serialize)]
pub struct WeekReport {
    pub week: String,
    pub clarify: u32,
    pub kickoff: u32,
    pub ooo: String,
    pub deals_no_clarify: u32,
    pub target: u32,
    pub actual: u32,
    pub difference: i64,
}

/// §4.4
#[derive(Debug, Serialize)]
pub struct SelectionReport {
    pub chosen_email: String,
    pub chosen_hubspot_owner_id: Option<String>,
    pub earliest_week: String,
    pub tied: Vec<String>,
    pub decided_by: &'static str,
    pub fallback: bool,
}

/// ER1 / ER2
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
}

impl Report {
    pub fn from_result(result: &AllocationResult) -> Report {
        let values = result.config.values();
        Report {
            today: result.today.format("%Y-%m-%d").to_string(),
            current_week: result.current_week.to_string(),
            earliest_allowed_week: result.earliest_allowed_week.to_string(),
            config: ConfigReport {
                timezone: result.config.timezone().name().to_owned(),
                prestart_weeks: values.prestart_weeks,
                buffer_weeks: values.buffer_weeks,
                horizon_weeks: values.horizon_weeks,
                max_clarifies_per_week: values.max_clarifies_per_week,
                base_limit_monthly: values.base_limit_monthly,
                solo_limit_monthly: values.solo_limit_monthly,
            },
            mode: result.mode.code(),
            include_no: result.include_no,
            advisers: result.advisers.iter().map(AdviserReport::from).collect(),
            selection: result
                .selection
                .as_ref()
                .and_then(|s| SelectionReport::new(s, &result.advisers)),
            error: result.error.map(|e| ErrorReport {
                code: e.code(),
                message: e.to_string(),
            }),
        }
    }

    /// Pretty JSON, 2-space indent, as the reference encoder prints it.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

impl From<&AdviserOutcome> for AdviserReport {
    fn from(a: &AdviserOutcome) -> Self {
        let schedule = a.schedule.as_ref();
        AdviserReport {
            email: a.email.clone(),
            name: a.name.clone(),
            hubspot_owner_id: a.hubspot_owner_id.clone(),
            eligible: a.eligible(),
            excluded_reason: a.excluded_reason.map(|r| r.code()),
            client_limit_monthly: a.limit.client_limit_monthly,
            client_limit_source: a.limit.source.code(),
            availability_start_week: a.availability_start_week.map(|w| w.to_string()),
            earliest_open_week: schedule.map(|s| s.earliest_open_week.to_string()),
            fallback: schedule.map(|s| s.fallback),
            warnings: a.warnings.iter().map(ToString::to_string).collect(),
            weeks: schedule
                .map(|s| s.rows.iter().map(WeekReport::from).collect())
                .unwrap_or_default(),
        }
    }
}

impl From<&WeekRow> for WeekReport {
    fn from(r: &WeekRow) -> Self {
        WeekReport {
            week: r.week.to_string(),
            clarify: r.clarify,
            kickoff: r.kickoff,
            ooo: r.ooo().to_string(),
            deals_no_clarify: r.deals_no_clarify,
            target: r.target,
            actual: r.actual,
            difference: r.difference,
        }
    }
}

impl SelectionReport {
    fn new(s: &Selection, advisers: &[AdviserOutcome]) -> Option<SelectionReport> {
        let chosen = advisers.get(s.chosen)?;
        Some(SelectionReport {
            chosen_email: chosen.email.clone(),
            chosen_hubspot_owner_id: chosen.hubspot_owner_id.clone(),
            earliest_week: s.earliest_week.to_string(),
            tied: s
                .tied
                .iter()
                .filter_map(|&i| advisers.get(i).map(|a| a.email.clone()))
                .collect(),
            decided_by: s.decided_by.code(),
            fallback: s.fallback,
        })
    }
}
