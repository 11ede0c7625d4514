//! `POST /post/allocate` (http-api.md H2.1): the signed, idempotent HubSpot workflow webhook. The
//! claim, compute, record and write sequence is the domain's `AllocationWebhook`; this handler
//! verifies, parses, takes a computation slot and maps the answer.

use crate::body::RawJson;
use crate::deal_input::deal_fields;
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::signature::verify_hubspot;
use crate::state::AppState;
use domain::ports::{NewReceipt, WebhookEndpoint, WebhookReceipts};
use domain::usecase::webhook::{AllocatedAnswer, AllocationWebhook, Delivery, Look, WebhookAnswer};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Union};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

#[derive(Debug)]
pub struct AllocateApi;

/// `object` of a workflow delivery.
#[derive(Debug, Object)]
pub struct WebhookObject {
    #[oai(rename = "objectType")]
    pub object_type: Option<String>,
    #[oai(rename = "objectId")]
    pub object_id: Option<i64>,
}

/// The deal fields of a workflow delivery (H2.1.1).
#[derive(Debug, Object)]
pub struct DealWebhookFields {
    /// Required, trimmed non-empty, ≤200 chars.
    pub service_package: Option<String>,
    pub household_type: Option<String>,
    /// null, "", YYYY-MM-DD, RFC 3339, or epoch milliseconds (integer or digit string).
    pub agreement_start_date: Option<String>,
    /// 1..20 digits, string or integer.
    pub hs_deal_record_id: Option<String>,
    pub client_email: Option<String>,
}

/// `DealWebhook` (H2.1.1).
#[derive(Debug, Object)]
pub struct DealWebhook {
    pub object: Option<WebhookObject>,
    pub fields: Option<DealWebhookFields>,
}

/// The chosen adviser.
#[derive(Debug, Object)]
pub struct AdviserRef {
    pub email: String,
    pub name: String,
    pub hubspot_owner_id: Option<String>,
}

/// `AllocateResponse` (H2.1.4).
#[derive(Debug, Object)]
pub struct AllocateResponse {
    /// `allocated`.
    pub status: String,
    pub allocation_id: String,
    pub deal_id: String,
    pub adviser: AdviserRef,
    pub earliest_open_week: Option<String>,
    pub fallback: bool,
    pub replayed: bool,
    /// `done`, `pending` or `failed`.
    pub hubspot_write: String,
}

/// A delivery without an object type (kept from the legacy service).
#[derive(Debug, Object)]
pub struct IgnoredResponse {
    /// `ignored`.
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Union)]
#[oai(one_of)]
pub enum AllocateBody {
    Allocated(AllocateResponse),
    Ignored(IgnoredResponse),
}

#[derive(Debug, ApiResponse)]
pub enum AllocateOk {
    /// Allocated (or replayed), or ignored.
    #[oai(status = 200)]
    Ok(Json<AllocateBody>),
}

#[OpenApi]
impl AllocateApi {
    /// HubSpot workflow webhook: allocate a deal to the adviser who can take it earliest.
    #[oai(path = "/post/allocate", method = "post", tag = "ApiTags::Webhooks")]
    async fn allocate(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: RawJson<DealWebhook>,
    ) -> ApiResult<AllocateOk> {
        let received_at = state.clock.now();
        let version = verify_hubspot(&state, request, &body.bytes)?;
        let sha = hex(&Sha256::digest(&body.bytes));
        let receipt = |deal_id: Option<String>,
                       status: u16,
                       outcome: &str,
                       answer: Option<&WebhookAnswer>| NewReceipt {
            endpoint: WebhookEndpoint::Allocate,
            deal_id,
            body_sha256: sha.clone(),
            signature_version: version.to_owned(),
            received_at,
            status_code: status,
            outcome: outcome.to_owned(),
            decision_id: answer.and_then(|a| a.decision_id()).map(String::from),
            replayed: answer.is_some_and(WebhookAnswer::replayed),
        };

        let parsed = parse_delivery(&state, &body.bytes, sha.clone(), received_at);
        let delivery = match parsed {
            Ok(Some(delivery)) => delivery,
            Ok(None) => {
                record(&state, receipt(None, 200, "ignored", None)).await;
                return Ok(AllocateOk::Ok(Json(AllocateBody::Ignored(
                    IgnoredResponse {
                        status: "ignored".into(),
                        reason: "no_object_type".into(),
                    },
                ))));
            }
            Err(e) => {
                record(&state, receipt(None, e.status.as_u16(), e.code, None)).await;
                return Err(e);
            }
        };

        let webhook = AllocationWebhook {
            allocate: &state.allocator,
            crm: &state.crm,
            clock: &state.clock,
            sleeper: &state.sleeper,
            store: &state.store,
            explain: &state.explainer,
            settings: &state.webhook,
        };
        let answer = match webhook.look(&delivery).await {
            Look::Answered(answer) => answer,
            Look::Compute => {
                let slot =
                    tokio::time::timeout(Duration::from_secs(20), state.allocation_slots.acquire())
                        .await;
                match slot {
                    Ok(Ok(_permit)) => webhook.run(&delivery).await,
                    _ => {
                        let e = ApiError::new(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "overloaded",
                            "Too many allocations are running; try again shortly.",
                        )
                        .retry_after(60);
                        record(
                            &state,
                            receipt(Some(delivery.deal_id.clone()), 503, e.code, None),
                        )
                        .await;
                        return Err(e);
                    }
                }
            }
        };
        tracing::info!(deal_id = %delivery.deal_id, outcome = answer.code(), decision_id = ?answer.decision_id(), "allocation webhook answered");
        let result = to_response(&answer);
        let status = result
            .as_ref()
            .map(|_| 200)
            .unwrap_or_else(|e| e.status.as_u16());
        if !matches!(answer, WebhookAnswer::DatabaseUnavailable { .. }) {
            record(
                &state,
                receipt(
                    Some(delivery.deal_id.clone()),
                    status,
                    answer.code(),
                    Some(&answer),
                ),
            )
            .await;
        }
        result
    }
}

/// Parses the verified body: `Ok(None)` for a delivery without an object type (ignored).
fn parse_delivery(
    state: &AppState,
    bytes: &[u8],
    body_sha256: String,
    received_at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Delivery>, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ApiError::invalid_json())?;
    let Value::Object(top) = value else {
        return Err(ApiError::invalid_json());
    };
    let object_type = top
        .get("object")
        .and_then(|o| o.get("objectType"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if object_type.is_none() {
        return Ok(None);
    }
    let empty = serde_json::Map::new();
    let fields = match top.get("fields") {
        Some(Value::Object(f)) => f,
        None | Some(Value::Null) => &empty,
        Some(_) => return Err(ApiError::field("fields", "invalid_type")),
    };
    let d = deal_fields(
        fields,
        "fields.",
        "hs_deal_record_id",
        true,
        state.firm.timezone(),
    )?;
    let deal_id = d
        .deal_id
        .ok_or_else(|| ApiError::field("fields.hs_deal_record_id", "required"))?;
    Ok(Some(Delivery {
        deal: d.deal,
        deal_id,
        body_sha256,
        agreement_start_raw: d.agreement_start_raw,
        client_email: d.client_email,
        received_at,
    }))
}

fn to_response(answer: &WebhookAnswer) -> ApiResult<AllocateOk> {
    match answer {
        WebhookAnswer::Allocated(a) => {
            Ok(AllocateOk::Ok(Json(AllocateBody::Allocated(allocated(a)))))
        }
        WebhookAnswer::NoEligibleAdviser { allocation_id } => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_eligible_adviser",
            "No adviser is eligible for this deal.",
        )
        .with_details(json!({ "allocation_id": allocation_id }))),
        WebhookAnswer::UpstreamUnavailable {
            upstream,
            allocation_id,
        } => {
            let mut e = ApiError::upstream_unavailable(upstream);
            e.details = Some(json!({ "upstream": upstream, "allocation_id": allocation_id }));
            Err(e)
        }
        WebhookAnswer::DatabaseUnavailable { reason } => {
            tracing::error!(%reason, "allocation webhook: database unavailable");
            Err(ApiError::database_unavailable())
        }
        WebhookAnswer::DuplicateInProgress => Err(duplicate_in_progress()),
    }
}

fn allocated(a: &AllocatedAnswer) -> AllocateResponse {
    AllocateResponse {
        status: "allocated".into(),
        allocation_id: a.allocation_id.clone(),
        deal_id: a.deal_id.clone(),
        adviser: AdviserRef {
            email: a.email.clone(),
            name: a.name.clone(),
            hubspot_owner_id: a.hubspot_owner_id.clone(),
        },
        earliest_open_week: a.earliest_open_week.map(|d| d.to_string()),
        fallback: a.fallback,
        replayed: a.replayed,
        hubspot_write: a.hubspot_write.as_str().into(),
    }
}

/// 503 `duplicate_in_progress` (H2.1.3, H2.2.2): another delivery of the deal holds the claim.
pub(crate) fn duplicate_in_progress() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "duplicate_in_progress",
        "This deal is being processed by another delivery; try again.",
    )
    .retry_after(60)
}

/// A receipt that cannot be written is logged, never turned into a failed answer: the decision
/// itself is already durable.
pub(crate) async fn record(state: &AppState, receipt: NewReceipt) {
    if let Err(e) = state.store.record_receipt(&receipt).await {
        tracing::warn!(error = %e, "webhook receipt not recorded");
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
