//! `POST /post/create_box_folder` (http-api.md H2.2): the signed, idempotent HubSpot workflow
//! webhook that copies the client folder template in Box. The claim, naming and Box steps are the
//! domain's `CreateBoxFolder`; this handler verifies, parses, records the receipt and maps the
//! answer. Errors that HubSpot should retry are 503.

use crate::body::RawJson;
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::routes::allocate::{WebhookObject, duplicate_in_progress, hex, record};
use crate::signature::verify_hubspot;
use crate::state::AppState;
use domain::ports::{NewReceipt, WebhookEndpoint};
use domain::usecase::box_folder::{
    CreateBoxFolder, FolderDone, FolderFailure, FolderRequest, MAX_NAME_CHARS, Person,
};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub struct BoxFolderApi;

/// The keys of a delivery (H2.2.1), read from `fields`, then `inputFields`, then the top level.
#[derive(Debug, Object)]
pub struct BoxFolderFields {
    /// Required, 1..20 digits (string or integer). Falls back to `deal_id`, `dealId`,
    /// `object.objectId`, `object.id`.
    pub hs_deal_record_id: Option<String>,
    pub hs_contact_id: Option<String>,
    pub hs_contact_firstname: Option<String>,
    pub hs_contact_lastname: Option<String>,
    pub hs_contact_email: Option<String>,
    pub hs_spouse_id: Option<String>,
    pub hs_spouse_firstname: Option<String>,
    pub hs_spouse_lastname: Option<String>,
    pub hs_spouse_email: Option<String>,
    pub deal_salutation: Option<String>,
    pub household_type: Option<String>,
    /// An explicit folder name, ≤120 characters.
    pub folder_name: Option<String>,
}

/// `BoxFolderWebhook` (H2.2.1).
#[derive(Debug, Object)]
pub struct BoxFolderWebhook {
    pub object: Option<WebhookObject>,
    pub fields: Option<BoxFolderFields>,
    #[oai(rename = "inputFields")]
    pub input_fields: Option<BoxFolderFields>,
}

/// The folder of the answer.
#[derive(Debug, Object)]
pub struct BoxFolderRef {
    pub id: String,
    pub name: String,
    pub url: String,
    pub parent_path: String,
}

/// The answer (H2.2.6).
#[derive(Debug, Object)]
pub struct BoxFolderResponse {
    /// `created` or `existing`.
    pub status: String,
    pub deal_id: String,
    pub folder: BoxFolderRef,
    /// The people the folder is named for (empty when answering a stored folder).
    pub contacts: Vec<String>,
    /// `applied`, `skipped` (not configured) or `failed` (folder kept).
    pub metadata: String,
}

#[derive(Debug, ApiResponse)]
pub enum BoxFolderOk {
    /// Created, or the deal's existing folder.
    #[oai(status = 200)]
    Ok(Json<BoxFolderResponse>),
}

#[OpenApi]
impl BoxFolderApi {
    /// HubSpot workflow webhook: create the client's Box folder from the template.
    #[oai(
        path = "/post/create_box_folder",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn create_box_folder(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: RawJson<BoxFolderWebhook>,
    ) -> ApiResult<BoxFolderOk> {
        let received_at = state.clock.now();
        let version = verify_hubspot(&state, request, &body.bytes)?;
        let receipt =
            |deal_id: Option<String>, status: u16, outcome: &str, replayed: bool| NewReceipt {
                endpoint: WebhookEndpoint::BoxFolder,
                deal_id,
                body_sha256: hex(&Sha256::digest(&body.bytes)),
                signature_version: version.to_owned(),
                received_at,
                status_code: status,
                outcome: outcome.to_owned(),
                decision_id: None,
                replayed,
            };
        let parsed = parse_request(&body.bytes).and_then(|r| {
            state
                .folders
                .as_ref()
                .map(|f| (r, f))
                .ok_or_else(|| ApiError::not_configured("Box"))
        });
        let (folder_request, folders) = match parsed {
            Ok(parsed) => parsed,
            Err(e) => {
                record(&state, receipt(None, e.status.as_u16(), e.code, false)).await;
                return Err(e);
            }
        };
        let deal_id = folder_request.deal_id.clone();
        let use_case = CreateBoxFolder {
            files: &folders.files,
            contacts: &folders.contacts,
            store: &state.store,
            clock: &state.clock,
            sleeper: &state.sleeper,
            settings: &folders.settings,
        };
        let answer = use_case.run(&folder_request).await;
        let replayed = answer.as_ref().is_ok_and(|d| d.replayed);
        let result = match answer {
            Ok(done) => {
                if let Some(reason) = &done.metadata_error {
                    tracing::warn!(%deal_id, folder_id = %done.folder.folder_id, %reason, "box folder metadata not applied");
                }
                Ok(BoxFolderOk::Ok(Json(response(done))))
            }
            Err(failure) => {
                tracing::warn!(%deal_id, code = failure.code(), failure = ?failure, "box folder webhook failed");
                Err(failure_error(&failure))
            }
        };
        let (status, outcome) = match &result {
            Ok(BoxFolderOk::Ok(Json(r))) => (200, r.status.clone()),
            Err(e) => (e.status.as_u16(), e.code.to_owned()),
        };
        tracing::info!(%deal_id, %outcome, "box folder webhook answered");
        if outcome != "database_unavailable" {
            record(&state, receipt(Some(deal_id), status, &outcome, replayed)).await;
        }
        result
    }
}

fn response(done: FolderDone) -> BoxFolderResponse {
    BoxFolderResponse {
        status: if done.created { "created" } else { "existing" }.into(),
        deal_id: done.deal_id,
        folder: BoxFolderRef {
            id: done.folder.folder_id,
            name: done.folder.folder_name,
            url: done.url,
            parent_path: done.parent_path,
        },
        contacts: done.contacts,
        metadata: done.folder.metadata.as_str().into(),
    }
}

fn failure_error(failure: &FolderFailure) -> ApiError {
    match failure {
        FolderFailure::NameExhausted => ApiError::new(
            StatusCode::CONFLICT,
            "folder_name_exhausted",
            "Every candidate folder name is taken by another folder.",
        ),
        FolderFailure::UpstreamUnavailable { upstream, .. } => {
            ApiError::upstream_unavailable(upstream)
        }
        FolderFailure::UpstreamError { upstream, .. } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "upstream_error",
            "An upstream service refused the request.",
        )
        .with_details(json!({ "upstream": upstream })),
        FolderFailure::DatabaseUnavailable { .. } => ApiError::database_unavailable(),
        FolderFailure::DuplicateInProgress => duplicate_in_progress(),
    }
}

/// H2.2.1: the first non-blank value of `key` in `fields`, `inputFields`, then the top level.
/// Strings are trimmed; integers count for ids only.
fn pick(top: &Map<String, Value>, key: &str, id: bool) -> Option<String> {
    let nested = ["fields", "inputFields"]
        .into_iter()
        .filter_map(|k| top.get(k)?.as_object()?.get(key));
    nested.chain(top.get(key)).find_map(|v| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) if id && (n.is_u64() || n.is_i64()) => Some(n.to_string()),
        _ => None,
    })
}

/// The verified body as a request, or 400 naming the field.
fn parse_request(bytes: &[u8]) -> Result<FolderRequest, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ApiError::invalid_json())?;
    let Value::Object(top) = value else {
        return Err(ApiError::invalid_json());
    };
    let object = |key: &str| match top.get("object").and_then(|o| o.get(key)) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let deal_id = ["hs_deal_record_id", "deal_id", "dealId"]
        .into_iter()
        .find_map(|k| pick(&top, k, true))
        .or_else(|| object("objectId"))
        .or_else(|| object("id"))
        .ok_or_else(|| ApiError::field("hs_deal_record_id", "required"))?;
    if deal_id.is_empty() || deal_id.len() > 20 || !deal_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::field("hs_deal_record_id", "not_digits"));
    }
    let folder_name = pick(&top, "folder_name", false);
    if folder_name
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
    {
        return Err(ApiError::field("folder_name", "too_long"));
    }
    let text = |key: &str| pick(&top, key, false);
    let person = |who: &str| Person {
        id: pick(&top, &format!("hs_{who}_id"), true),
        first_name: text(&format!("hs_{who}_firstname")),
        last_name: text(&format!("hs_{who}_lastname")),
        email: text(&format!("hs_{who}_email")),
    };
    Ok(FolderRequest {
        primary: person("contact"),
        partner: person("spouse"),
        deal_salutation: text("deal_salutation"),
        household_type: text("household_type"),
        folder_name,
        deal_id,
    })
}
