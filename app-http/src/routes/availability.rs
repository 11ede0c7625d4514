//! Availability JSON (http-api.md H2.8): the firm-wide earliest-open listing (one computation per
//! process at a time, H2.8.3) and one adviser's schedule.

use crate::auth::{self, Need};
use crate::error::{ApiError, ApiResult};
use crate::explain::schema::{AdviserSchedule, EarliestAvailability, typed};
use crate::explain::{instant, service_result};
use crate::routes::ApiTags;
use crate::state::AppState;
use chrono::NaiveDate;
use domain::allocation::{AdviserProfile, LimitSource, RawFlag, ScheduleError};
use domain::usecase::availability::ScheduleFailure;
use domain::usecase::{AllocateError, SnapshotSource};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug)]
pub struct AvailabilityApi;

#[OpenApi]
impl AvailabilityApi {
    /// Earliest open week of every adviser taking on clients (allocation.md §11).
    #[oai(
        path = "/api/availability/earliest",
        method = "get",
        tag = "ApiTags::Availability"
    )]
    async fn earliest_route(
        &self,
        state: Data<&AppState>,
        request: &Request,
        /// `1`, `true`, `yes`, `on` → also advisers not taking on clients.
        include_no: Query<Option<String>>,
        /// Optional `YYYY-MM-DD`.
        agreement_start_date: Query<Option<String>>,
    ) -> ApiResult<Json<EarliestAvailability>> {
        auth::require(&state, request, Need::Admin).await?;
        let include_no = parse_include_no(include_no.0.as_deref())?;
        let date = parse_date(agreement_start_date.0.as_deref())?;
        Ok(Json(typed(earliest(&state, include_no, date).await?)?))
    }

    /// One adviser's week-by-week schedule (allocation.md §12).
    #[oai(
        path = "/api/availability/schedule",
        method = "get",
        tag = "ApiTags::Availability"
    )]
    async fn schedule_route(
        &self,
        state: Data<&AppState>,
        request: &Request,
        /// The adviser's email (required).
        email: Query<Option<String>>,
        /// Optional `YYYY-MM-DD`.
        agreement_start_date: Query<Option<String>>,
    ) -> ApiResult<Json<AdviserSchedule>> {
        auth::require(&state, request, Need::Admin).await?;
        let email = email
            .0
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| ApiError::field("email", "required"))?;
        if email.chars().count() > 254 {
            return Err(ApiError::field("email", "too_long"));
        }
        let date = parse_date(agreement_start_date.0.as_deref())?;
        Ok(Json(typed(schedule(&state, email, date).await?)?))
    }
}

/// H2.8.1 `include_no`.
pub fn parse_include_no(raw: Option<&str>) -> Result<bool, ApiError> {
    let Some(raw) = raw else { return Ok(false) };
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ApiError::field("include_no", "invalid_value")),
    }
}

/// An optional `YYYY-MM-DD`.
pub fn parse_date(raw: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 10)
            .map(Some)
            .ok_or_else(|| ApiError::field("agreement_start_date", "invalid_date")),
    }
}

fn rate_limited() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "An availability computation is already running; try again shortly.",
    )
    .retry_after(10)
}

/// H2.8.1 with the H2.8.3 limit.
pub async fn earliest(
    state: &AppState,
    include_no: bool,
    agreement_date: Option<NaiveDate>,
) -> ApiResult<Value> {
    earliest_waiting(state, include_no, agreement_date, Duration::from_secs(5)).await
}

/// As [`earliest`], waiting at most `wait` for the slot.
pub async fn earliest_waiting(
    state: &AppState,
    include_no: bool,
    agreement_date: Option<NaiveDate>,
    wait: Duration,
) -> ApiResult<Value> {
    let _permit = match tokio::time::timeout(wait, state.availability_slot.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(rate_limited()),
    };
    // U1.3: webhook allocations get HubSpot's search tokens first.
    let view =
        hubspot::background_priority(state.allocator.availability(include_no, agreement_date))
            .await
            .map_err(snapshot_error)?;
    let computed_at = instant(state.clock.now());
    let mut result = service_result(&view.result);
    if let Some(Value::Array(entries)) = result.get_mut("advisers") {
        let listed: Vec<Value> = std::mem::take(entries)
            .into_iter()
            .zip(view.result.advisers.iter().zip(&view.profiles))
            .filter(|(_, (outcome, _))| {
                outcome.excluded_reason
                    != Some(domain::allocation::ExcludedReason::NotTakingOnClients)
            })
            .map(|(mut entry, (outcome, profile))| {
                if let Some(obj) = entry.as_object_mut() {
                    extras(obj, profile);
                    let shown = outcome.limit.override_shown.map(|o| {
                        json!({
                            "status": match outcome.limit.source { LimitSource::Upcoming => "upcoming", _ => "active" },
                            "client_limit_monthly": o.client_limit_monthly,
                            "effective_date": o.effective_date.to_string(),
                            "effective_week": o.effective_week.to_string(),
                        })
                    });
                    obj.insert("override_shown".into(), shown.unwrap_or(Value::Null));
                }
                entry
            })
            .collect();
        *entries = listed;
    }
    Ok(json!({"computed_at": computed_at, "result": result}))
}

fn extras(obj: &mut serde_json::Map<String, Value>, profile: &AdviserProfile) {
    let taking = match &profile.taking_on_clients {
        RawFlag::Missing => Value::Null,
        RawFlag::Bool(b) => json!(b),
        RawFlag::Text(s) => json!(s),
    };
    obj.insert("taking_on_clients".into(), taking);
    obj.insert(
        "service_packages".into(),
        json!(profile.service_packages.display()),
    );
    obj.insert(
        "household_types".into(),
        json!(profile.household_types.display()),
    );
    obj.insert("pod_type".into(), json!(profile.pod_type));
}

fn snapshot_error(e: AllocateError) -> ApiError {
    match &e {
        AllocateError::UpstreamUnavailable {
            which: SnapshotSource::Advisers,
            ..
        } => ApiError::upstream_unavailable("hubspot"),
        _ => {
            tracing::warn!(error = %e, "availability: a firm-wide input could not be read");
            ApiError::upstream_unavailable("database")
        }
    }
}

/// H2.8.2.
pub async fn schedule(
    state: &AppState,
    email: &str,
    agreement_date: Option<NaiveDate>,
) -> ApiResult<Value> {
    let schedule = state.allocator.schedule(email, agreement_date);
    let view = match hubspot::background_priority(schedule).await {
        Ok(view) => view,
        Err(ScheduleFailure::Snapshot(e)) => return Err(snapshot_error(e)),
        Err(ScheduleFailure::Schedule(ScheduleError::NotFound)) => {
            return Err(ApiError::not_found("adviser_not_found", "The adviser"));
        }
        Err(ScheduleFailure::Schedule(ScheduleError::UpstreamUnavailable)) => {
            return Err(ApiError::upstream_unavailable("hubspot"));
        }
    };
    let mut result = view.result.clone();
    result.advisers = vec![view.adviser];
    let full = service_result(&result);
    let adviser = full
        .get("advisers")
        .and_then(|a| a.get(0))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(json!({
        "computed_at": instant(state.clock.now()),
        "today": full.get("today"),
        "current_week": full.get("current_week"),
        "earliest_allowed_week": full.get("earliest_allowed_week"),
        "config": full.get("config"),
        "adviser": adviser,
    }))
}
