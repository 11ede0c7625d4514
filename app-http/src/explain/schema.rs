//! The typed response schemas of the allocation history, the decision and the dry run (H2.7,
//! H3) and of the availability JSON (H2.8). The explanation JSON is built once, in `explain`;
//! these types describe it in the OpenAPI document and are read from it, so field names and
//! values on the wire stay exactly those of the JSON they were read from.

use super::scalars::{Date, Half, Instant};
use crate::error::ApiError;
use crate::routes::allocate::AdviserRef;
use poem_openapi::Object;
use poem_openapi::types::ParseFromJSON;
use serde_json::Value;
use std::collections::BTreeMap;

/// Reads `value` as `T`. The JSON comes from our own serializer (or a stored explanation), so a
/// mismatch is a bug: logged, answered 500.
pub fn typed<T: ParseFromJSON>(value: Value) -> Result<T, ApiError> {
    T::parse_from_json(Some(value)).map_err(|e| {
        tracing::error!(error = %e.message(), "a response does not match its schema");
        ApiError::internal()
    })
}

/// A stored decision as `AllocationDecision`. An explanation written by an older version whose
/// `result` no longer reads is answered with `result: null` rather than not at all.
pub fn typed_decision(mut value: Value) -> Result<AllocationDecision, ApiError> {
    if let Ok(decision) = AllocationDecision::parse_from_json(Some(value.clone())) {
        return Ok(decision);
    }
    tracing::warn!("a stored explanation does not match the schema; answered without its result");
    if let Some(obj) = value.as_object_mut() {
        obj.insert("result".into(), Value::Null);
    }
    typed(value)
}

/// `GET /allocations` (H2.7.1).
#[derive(Debug, Object)]
pub struct AllocationList {
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    pub items: Vec<AllocationSummary>,
    pub counts: AllocationCounts,
}

/// Counts over the filtered set; top lists have at most 5 entries.
#[derive(Debug, Object)]
pub struct AllocationCounts {
    /// Outcome → count.
    pub by_outcome: BTreeMap<String, u64>,
    /// HubSpot write status → count.
    pub by_hubspot_write: BTreeMap<String, u64>,
    pub top_advisers: Vec<AdviserCount>,
    pub top_service_packages: Vec<ServicePackageCount>,
}

#[derive(Debug, Object)]
pub struct AdviserCount {
    pub email: String,
    pub count: u64,
}

#[derive(Debug, Object)]
pub struct ServicePackageCount {
    pub service_package: String,
    pub count: u64,
}

/// `AllocationSummary` (H2.7.1).
#[derive(Debug, Object)]
pub struct AllocationSummary {
    pub id: String,
    pub deal_id: String,
    pub decided_at: Instant,
    /// `allocated`, `no_eligible_adviser` or `upstream_unavailable`.
    pub outcome: String,
    pub service_package: String,
    pub household_type: Option<String>,
    pub agreement_start_date: Option<Date>,
    /// The chosen adviser; null unless allocated.
    pub adviser: Option<AdviserRef>,
    pub earliest_open_week: Option<Date>,
    pub fallback: bool,
    /// `pending`, `done`, `failed` or `not_applicable`.
    pub hubspot_write: String,
    pub replay_count: u32,
}

/// `AllocationDecision` (H3.1): a recorded decision, or a dry run (`id` null).
#[derive(Debug, Object)]
pub struct AllocationDecision {
    pub id: Option<String>,
    /// `hubspot_webhook` or `dry_run`.
    pub source: String,
    pub decided_at: Instant,
    pub deal_id: Option<String>,
    /// Null only for a stored explanation that could not be read.
    pub input: Option<DecisionInput>,
    /// `allocated`, `no_eligible_adviser` or `upstream_unavailable`.
    pub outcome: String,
    /// Null unless `allocated`.
    pub chosen: Option<ChosenAdviser>,
    /// scenario-format.md §4.1 with the H3.2 additions; null when the users listing failed.
    pub result: Option<AllocationReport>,
    pub hubspot_write: HubspotWriteInfo,
    pub replay_count: u32,
    /// Redeliveries after the first (receipts are kept 30 days).
    pub replays: Vec<ReplayEntry>,
}

#[derive(Debug, Object)]
pub struct DecisionInput {
    pub service_package: String,
    pub household_type: Option<String>,
    /// The resolved firm-local date (allocation.md IN4).
    pub agreement_start_date: Option<Date>,
    /// The value as received.
    pub agreement_start_raw: Option<String>,
    pub client_email: Option<String>,
}

#[derive(Debug, Object)]
pub struct ChosenAdviser {
    pub email: String,
    pub name: String,
    pub hubspot_owner_id: Option<String>,
    pub earliest_open_week: Date,
    pub fallback: bool,
}

#[derive(Debug, Object)]
pub struct HubspotWriteInfo {
    /// `not_applicable`, `pending`, `done` or `failed`.
    pub status: String,
    /// The deal properties written with the owner id.
    pub properties: Vec<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub written_at: Option<Instant>,
}

#[derive(Debug, Object)]
pub struct ReplayEntry {
    pub received_at: Instant,
    /// SHA-256 hex of the raw body.
    pub body_sha256: String,
    /// The body differs from the first delivery's.
    pub body_differs: bool,
}

/// The parts of the scenario-format §4.1 object shared by both modes.
#[derive(Debug, Object)]
pub struct ReportHeader {
    pub today: Date,
    pub current_week: Date,
    pub earliest_allowed_week: Date,
    pub config: ReportConfig,
    /// `allocate` or `availability`.
    pub mode: String,
    pub include_no: bool,
}

/// scenario-format.md §4.1 in allocate mode, with the H3.2 additions.
#[derive(Debug, Object)]
pub struct AllocationReport {
    #[oai(flatten)]
    pub header: ReportHeader,
    /// One entry per HubSpot user, in listing order.
    pub advisers: Vec<AdviserEntry>,
    /// Null in availability mode and when `error` is set.
    pub selection: Option<SelectionReport>,
    pub error: Option<ReportError>,
}

/// The resolved configuration (allocation.md CF1).
#[derive(Debug, Object)]
pub struct ReportConfig {
    pub timezone: String,
    pub prestart_weeks: u32,
    pub buffer_weeks: u32,
    pub horizon_weeks: u32,
    pub max_clarifies_per_week: u32,
    pub base_limit_monthly: u32,
    pub solo_limit_monthly: u32,
}

/// scenario-format.md §4.2 with the H3.2 additions.
#[derive(Debug, Object)]
pub struct AdviserEntry {
    pub email: String,
    pub name: String,
    pub hubspot_owner_id: Option<String>,
    pub eligible: bool,
    /// `not_taking_on_clients`, `service_package_mismatch`, `household_mismatch`,
    /// `data_unavailable`; null when eligible.
    pub excluded_reason: Option<String>,
    /// The displayed limit (LM7).
    pub client_limit_monthly: u32,
    /// `active`, `upcoming` or `base`.
    pub client_limit_source: String,
    pub availability_start_week: Option<Date>,
    pub earliest_open_week: Option<Date>,
    pub fallback: Option<bool>,
    /// ER3 texts.
    pub warnings: Vec<String>,
    pub weeks: Vec<WeekRow>,
    /// For `data_unavailable`: `hubspot_meetings`, `hubspot_deals` or `leave_store`.
    pub excluded_detail: Option<String>,
    pub inputs: AdviserInputs,
    /// In LM4 order.
    pub overrides: Vec<OverrideRow>,
    /// Null when not eligible.
    pub walk: Option<WalkReport>,
}

/// scenario-format.md §4.3 with `label` and `ooo_days` (H3.2).
#[derive(Debug, Object)]
pub struct WeekRow {
    pub week: Date,
    pub clarify: u32,
    pub kickoff: u32,
    /// `No`, `Full` or `Partial: n`.
    pub ooo: String,
    pub deals_no_clarify: u32,
    pub target: u32,
    pub actual: u32,
    pub difference: i64,
    /// ISO week label `YYYY-Www`.
    pub label: String,
    /// 0..5.
    pub ooo_days: u32,
}

/// Records received before parsing.
#[derive(Debug, Object)]
pub struct AdviserInputs {
    pub meetings: u64,
    pub deals_without_clarify: u64,
    pub leave: u64,
}

#[derive(Debug, Object)]
pub struct OverrideRow {
    pub effective_date: Date,
    pub effective_week: Date,
    pub client_limit_monthly: u32,
}

/// The earliest-week walk (allocation.md EW1–EW12).
#[derive(Debug, Object)]
pub struct WalkReport {
    pub start_week: Date,
    pub r0: Half,
    pub f: u32,
    pub steps: Vec<WalkStep>,
    /// `accepted`, `no_start_row` or `end_of_table`.
    pub ended_by: String,
    pub k: Option<u64>,
}

/// One table week of the walk; a Full week has only `week` and `full: true`.
#[derive(Debug, Object)]
pub struct WalkStep {
    pub week: Date,
    pub full: bool,
    #[oai(skip_serializing_if_is_none)]
    pub new: Option<u32>,
    #[oai(skip_serializing_if_is_none)]
    pub p: Option<Date>,
    #[oai(skip_serializing_if_is_none)]
    pub n: Option<Date>,
    #[oai(skip_serializing_if_is_none)]
    pub cap: Option<Half>,
    #[oai(skip_serializing_if_is_none)]
    pub assigned: Option<Half>,
    #[oai(rename = "final", skip_serializing_if_is_none)]
    pub final_: Option<Half>,
    /// R after the step.
    #[oai(skip_serializing_if_is_none)]
    pub r: Option<Half>,
    #[oai(skip_serializing_if_is_none)]
    pub clar: Option<Half>,
    #[oai(skip_serializing_if_is_none)]
    pub targ: Option<Half>,
    #[oai(skip_serializing_if_is_none)]
    pub accepted: Option<bool>,
}

/// scenario-format.md §4.4 with `ratios` and `hash_keys` (H3.2).
#[derive(Debug, Object)]
pub struct SelectionReport {
    pub chosen_email: String,
    pub chosen_hubspot_owner_id: Option<String>,
    pub earliest_week: Date,
    /// Emails of the advisers at the earliest week, in listing order.
    pub tied: Vec<String>,
    /// `single`, `ratio`, `hash` or `fallback`.
    pub decided_by: String,
    pub fallback: bool,
    pub ratios: Vec<RatioRow>,
    pub hash_keys: Vec<HashKeyRow>,
}

#[derive(Debug, Object)]
pub struct RatioRow {
    pub email: String,
    pub clar: u64,
    pub targ: Half,
    pub ratio: f64,
}

#[derive(Debug, Object)]
pub struct HashKeyRow {
    pub email: String,
    /// SHA-256 hex, or the ekey when there is no deal id (SL6).
    pub key: String,
}

/// allocation.md ER2.
#[derive(Debug, Object)]
pub struct ReportError {
    pub code: String,
    pub message: String,
}

/// `GET /api/availability/earliest` (H2.8.1).
#[derive(Debug, Object)]
pub struct EarliestAvailability {
    pub computed_at: Instant,
    pub result: AvailabilityReport,
}

/// The §4.1 object in availability mode (`selection` and `error` null), restricted to the
/// advisers AV1 lists.
#[derive(Debug, Object)]
pub struct AvailabilityReport {
    #[oai(flatten)]
    pub header: ReportHeader,
    pub advisers: Vec<AvailabilityAdviser>,
    pub selection: Option<SelectionReport>,
    pub error: Option<ReportError>,
}

/// An adviser entry with the raw HubSpot values and the shown override (H2.8.1, LM7).
#[derive(Debug, Object)]
pub struct AvailabilityAdviser {
    #[oai(flatten)]
    pub entry: AdviserEntry,
    /// The raw value: a string, a boolean or null.
    pub taking_on_clients: Value,
    pub service_packages: String,
    pub household_types: String,
    pub pod_type: Option<String>,
    pub override_shown: Option<OverrideShown>,
}

#[derive(Debug, Object)]
pub struct OverrideShown {
    /// `active` or `upcoming`.
    pub status: String,
    pub client_limit_monthly: u32,
    pub effective_date: Date,
    pub effective_week: Date,
}

/// `GET /api/availability/schedule` (H2.8.2).
#[derive(Debug, Object)]
pub struct AdviserSchedule {
    pub computed_at: Instant,
    pub today: Date,
    pub current_week: Date,
    pub earliest_allowed_week: Date,
    pub config: ReportConfig,
    pub adviser: AdviserEntry,
}
