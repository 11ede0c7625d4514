//! Allocation history and dry run (http-api.md H2.7): the recorded decisions with their read-time
//! HubSpot write and replays (H3.1), and the read-only dry run of a deal.

use crate::auth::{self, Need};
use crate::body::JsonBody;
use crate::deal_input::deal_fields;
use crate::error::{ApiError, ApiResult};
use crate::explain::schema::{AllocationDecision, AllocationList, typed, typed_decision};
use crate::explain::{DecisionParts, decision_json, instant};
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::allocation::AllocationFailure;
use domain::ports::{
    DecisionOutcome, DecisionQuery, DecisionStore, DecisionSummary, HubspotWriteStatus,
    StoredDecision, WebhookReceipts,
};
use domain::usecase::{AllocateError, SnapshotSource};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde_json::{Map, Value, json};

#[derive(Debug)]
pub struct AllocationsApi;

/// `DealInput` of the dry run (H2.7.3). Values are checked as the webhook's fields (H2.1.1).
#[derive(Debug, Default, Object, serde::Deserialize)]
pub struct DealInput {
    /// Optional, 1..20 digits (string or integer).
    pub deal_id: Option<Value>,
    /// Required, ≤200 characters.
    pub service_package: Option<Value>,
    pub household_type: Option<Value>,
    /// null, "", YYYY-MM-DD, RFC 3339, or epoch milliseconds.
    pub agreement_start_date: Option<Value>,
    pub client_email: Option<Value>,
}

/// The raw query of `GET /allocations` (H2.7.1), before validation.
#[derive(Debug, Default, Clone)]
pub struct HistoryParams {
    pub outcome: Option<String>,
    pub hubspot_write: Option<String>,
    pub deal: Option<String>,
    pub adviser: Option<String>,
    pub days: Option<String>,
    pub page: Option<String>,
    pub page_size: Option<String>,
}

#[OpenApi]
impl AllocationsApi {
    /// Allocation history: filtered, paged, with counts over the filtered set.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/allocations", method = "get", tag = "ApiTags::Allocations")]
    async fn list(
        &self,
        state: Data<&AppState>,
        request: &Request,
        /// `allocated`, `no_eligible_adviser` or `upstream_unavailable`.
        outcome: Query<Option<String>>,
        /// `pending`, `done`, `failed` or `not_applicable`.
        hubspot_write: Query<Option<String>>,
        /// Exact deal id.
        deal: Query<Option<String>>,
        /// Case-insensitive substring of the chosen adviser's email or name.
        adviser: Query<Option<String>>,
        /// 1..365, default 30.
        days: Query<Option<String>>,
        /// ≥1, default 1.
        page: Query<Option<String>>,
        /// 5..200, default 25.
        page_size: Query<Option<String>>,
    ) -> ApiResult<Json<AllocationList>> {
        auth::require(&state, request, Need::Admin).await?;
        let params = HistoryParams {
            outcome: outcome.0,
            hubspot_write: hubspot_write.0,
            deal: deal.0,
            adviser: adviser.0,
            days: days.0,
            page: page.0,
            page_size: page_size.0,
        };
        Ok(Json(typed(history(&state, &params).await?)?))
    }

    /// One recorded decision with its current HubSpot write and replays (H3.1).
    #[oai(
        path = "/allocations/:id",
        method = "get",
        tag = "ApiTags::Allocations"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<String>,
    ) -> ApiResult<Json<AllocationDecision>> {
        auth::require(&state, request, Need::Admin).await?;
        Ok(Json(typed_decision(decision(&state, &id.0).await?)?))
    }

    /// Runs the allocation for a deal on live data without recording or writing anything.
    #[oai(
        path = "/allocations/dry-run",
        method = "post",
        tag = "ApiTags::Allocations"
    )]
    async fn dry_run(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<DealInput>,
    ) -> ApiResult<Json<AllocationDecision>> {
        auth::require(&state, request, Need::AdminWrite).await?;
        Ok(Json(typed(dry_run(&state, &body.0).await?)?))
    }
}

/// H2.7.1 on validated parameters.
pub async fn history(state: &AppState, params: &HistoryParams) -> ApiResult<Value> {
    let query = parse_history(params)?;
    let (page, page_size) = (query.page, query.page_size);
    let result = state.store.list_decisions(query, state.clock.now()).await?;
    let counts = &result.counts;
    Ok(json!({
        "total": result.total,
        "page": page,
        "page_size": page_size,
        "items": result.items.iter().map(summary).collect::<Vec<_>>(),
        "counts": {
            "by_outcome": counts.by_outcome.iter().map(|(k, v)| (k.as_str().to_owned(), json!(v))).collect::<Map<_, _>>(),
            "by_hubspot_write": counts.by_hubspot_write.iter().map(|(k, v)| (k.as_str().to_owned(), json!(v))).collect::<Map<_, _>>(),
            "top_advisers": counts.top_advisers.iter().map(|a| json!({"email": a.email, "count": a.count})).collect::<Vec<_>>(),
            "top_service_packages": counts.top_service_packages.iter().map(|s| json!({"service_package": s.service_package, "count": s.count})).collect::<Vec<_>>(),
        },
    }))
}

/// Checks every parameter; all failures are reported at once.
pub fn parse_history(p: &HistoryParams) -> Result<DecisionQuery, ApiError> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut bad = |field: &str, code: &str| errors.push((field.to_owned(), code.to_owned()));
    let outcome = given(&p.outcome).and_then(|s| {
        DecisionOutcome::parse(s).or_else(|| {
            bad("outcome", "invalid_value");
            None
        })
    });
    let hubspot_write = given(&p.hubspot_write).and_then(|s| {
        HubspotWriteStatus::parse(s).or_else(|| {
            bad("hubspot_write", "invalid_value");
            None
        })
    });
    let mut number =
        |field: &str, v: &Option<String>, min: u32, max: u32, default: u32| match given(v) {
            None => default,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    bad(field, "out_of_range");
                    default
                }
            },
        };
    let days = number("days", &p.days, 1, 365, 30);
    let page = number("page", &p.page, 1, u32::MAX, 1);
    let page_size = number("page_size", &p.page_size, 5, 200, 25);
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    Ok(DecisionQuery {
        outcome,
        hubspot_write,
        deal_id: given(&p.deal).map(str::to_owned),
        adviser: given(&p.adviser).map(str::to_owned),
        within: chrono::TimeDelta::days(i64::from(days)),
        page,
        page_size,
    })
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `AllocationSummary`.
fn summary(s: &DecisionSummary) -> Value {
    json!({
        "id": s.id,
        "deal_id": s.deal_id,
        "decided_at": instant(s.decided_at),
        "outcome": s.outcome.as_str(),
        "service_package": s.service_package,
        "household_type": s.household_type,
        "agreement_start_date": s.agreement_start_date.map(|d| d.to_string()),
        "adviser": s.chosen.as_ref().map(|c| json!({"email": c.email, "name": c.name, "hubspot_owner_id": c.hubspot_owner_id})),
        "earliest_open_week": s.earliest_week.map(|d| d.to_string()),
        "fallback": s.fallback,
        "hubspot_write": s.hubspot_write.as_str(),
        "replay_count": s.replay_count,
    })
}

/// H2.7.2: the stored explanation with the read-time keys of H3.1.
pub async fn decision(state: &AppState, id: &str) -> ApiResult<Value> {
    let Some(stored) = state.store.get_decision(id).await? else {
        return Err(ApiError::not_found(
            "allocation_not_found",
            "The allocation",
        ));
    };
    let replays = state.store.replays(id).await?;
    let mut value = read_explanation(&stored);
    if let Some(obj) = value.as_object_mut() {
        let w = &stored.hubspot_write;
        obj.insert(
            "hubspot_write".into(),
            json!({
                "status": w.status.as_str(),
                "properties": properties(state, w.status),
                "attempts": w.attempts,
                "last_error": w.last_error,
                "written_at": w.written_at.map(instant),
            }),
        );
        obj.insert("replay_count".into(), json!(stored.summary.replay_count));
        obj.insert(
            "replays".into(),
            Value::Array(
                replays
                    .iter()
                    .map(|r| json!({"received_at": instant(r.received_at), "body_sha256": r.body_sha256, "body_differs": r.body_differs}))
                    .collect(),
            ),
        );
    }
    Ok(value)
}

/// The stored JSON; a row whose explanation cannot be parsed still answers its summary fields.
fn read_explanation(stored: &StoredDecision) -> Value {
    match serde_json::from_str::<Value>(&stored.explanation) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            tracing::warn!(id = %stored.summary.id, "stored explanation is not a JSON object");
            let s = &stored.summary;
            json!({
                "id": s.id, "source": "hubspot_webhook", "decided_at": instant(s.decided_at),
                "deal_id": s.deal_id, "input": null, "outcome": s.outcome.as_str(),
                "chosen": null, "result": null,
            })
        }
    }
}

/// The deal properties a write sets (none when there is nothing to write).
fn properties(state: &AppState, status: HubspotWriteStatus) -> Vec<String> {
    if status == HubspotWriteStatus::NotApplicable {
        Vec::new()
    } else {
        state.settings.deal_owner_properties()
    }
}

/// H2.7.3: the computation of the webhook, read-only.
pub async fn dry_run(state: &AppState, input: &DealInput) -> ApiResult<Value> {
    let mut map = Map::new();
    for (key, value) in [
        ("deal_id", &input.deal_id),
        ("service_package", &input.service_package),
        ("household_type", &input.household_type),
        ("agreement_start_date", &input.agreement_start_date),
        ("client_email", &input.client_email),
    ] {
        if let Some(v) = value {
            map.insert(key.to_owned(), v.clone());
        }
    }
    let fields = deal_fields(&map, "", "deal_id", false, state.firm.timezone())?;
    let decided_at = state.clock.now();
    let (outcome, result) = match state.allocator.decide(&fields.deal).await {
        Ok(result) => (outcome_of(&result), Some(result)),
        Err(AllocateError::UpstreamUnavailable {
            which: SnapshotSource::Advisers,
            ..
        }) => return Err(ApiError::upstream_unavailable("hubspot")),
        Err(e) => {
            tracing::warn!(error = %e, "dry run: a firm-wide input could not be read");
            return Err(ApiError::database_unavailable());
        }
    };
    let mut value = decision_json(&DecisionParts {
        id: None,
        source: "dry_run",
        decided_at,
        deal_id: fields.deal_id.as_deref(),
        deal: &fields.deal,
        agreement_start_raw: fields.agreement_start_raw.as_deref(),
        client_email: fields.client_email.as_deref(),
        outcome,
        result: result.as_ref(),
    });
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "hubspot_write".into(),
            json!({"status": "not_applicable", "properties": [], "attempts": 0, "last_error": null, "written_at": null}),
        );
        obj.insert("replay_count".into(), json!(0));
        obj.insert("replays".into(), json!([]));
    }
    Ok(value)
}

fn outcome_of(result: &domain::allocation::AllocationResult) -> DecisionOutcome {
    match (result.error, result.selection.is_some()) {
        (Some(AllocationFailure::UpstreamUnavailable), _) => DecisionOutcome::UpstreamUnavailable,
        (None, true) => DecisionOutcome::Allocated,
        _ => DecisionOutcome::NoEligibleAdviser,
    }
}
