//! Folder metadata (upstreams.md U3.6): create the instance, or merge into an existing one with a
//! JSON-Patch of `replace` and `add` operations (never `remove`).

use crate::config::BoxConfig;
use crate::error_body::{clean, split_conflict};
use crate::http::BoxHttp;
use domain::ports::{FolderMetadata, MetadataField, MetadataOutcome, UpstreamError};
use reqwest::Url;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Map, Value};
use upstream_http::Call;

const LABEL: &str = "/folders/{id}/metadata/{scope}/{template}";

/// Where a folder's instance of the configured template lives; `None` when not configured.
fn instance_url(http: &BoxHttp, config: &BoxConfig, folder_id: &str) -> Option<Url> {
    config.metadata_configured().then(|| {
        http.url(&[
            "folders",
            folder_id,
            "metadata",
            config.metadata_scope.trim(),
            config.metadata_template_key.trim(),
        ])
    })
}

/// The instance by our field names (keys we do not map are dropped); `None` on 404.
pub(crate) async fn read(
    http: &BoxHttp,
    config: &BoxConfig,
    folder_id: &str,
) -> Result<Option<FolderMetadata>, UpstreamError> {
    let Some(url) = instance_url(http, config, folder_id) else {
        return Ok(None);
    };
    let instance = match get_instance(http, &url).await {
        Ok(instance) => instance,
        Err(UpstreamError::NotFound) => return Ok(None),
        Err(e) => return Err(clean(e)),
    };
    Ok(Some(
        MetadataField::ALL
            .into_iter()
            .filter_map(|field| {
                let text = match instance.get(config.metadata_key(field))? {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((field, text))
            })
            .collect(),
    ))
}

async fn get_instance(http: &BoxHttp, url: &Url) -> Result<Map<String, Value>, UpstreamError> {
    http.get(LABEL, url, &[]).await
}

/// Creates the instance; on 409 `tuple_already_exists` merges into the existing one (U3.6).
pub(crate) async fn apply(
    http: &BoxHttp,
    config: &BoxConfig,
    folder_id: &str,
    values: &FolderMetadata,
) -> Result<MetadataOutcome, UpstreamError> {
    let Some(url) = instance_url(http, config, folder_id) else {
        return Ok(MetadataOutcome::Skipped);
    };
    let body: Map<String, Value> = values
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(f, v)| (config.metadata_key(*f).to_owned(), Value::String(v.clone())))
        .collect();
    if body.is_empty() {
        return Ok(MetadataOutcome::Applied);
    }
    // Safe to repeat: a replayed create that had succeeded answers 409 and is merged below.
    let created = http
        .send(
            Call::idempotent_write(LABEL),
            |c| c.post(url.clone()).json(&body),
            |_| Ok(()),
        )
        .await;
    let result = match created {
        Err(UpstreamError::Conflict { code })
            if split_conflict(&code).0 == "tuple_already_exists" =>
        {
            merge(http, &url, &body).await
        }
        other => other,
    };
    outcome(result)
}

/// GET the instance, then PUT a JSON-Patch: `replace` for keys it has, `add` for the others.
async fn merge(http: &BoxHttp, url: &Url, body: &Map<String, Value>) -> Result<(), UpstreamError> {
    let instance = get_instance(http, url).await?;
    let patch: Vec<Value> = body
        .iter()
        .filter(|(key, value)| instance.get(*key) != Some(value))
        .map(|(key, value)| {
            let op = if instance.contains_key(key) {
                "replace"
            } else {
                "add"
            };
            serde_json::json!({"op": op, "path": format!("/{key}"), "value": value})
        })
        .collect();
    if patch.is_empty() {
        return Ok(());
    }
    let patch = Value::Array(patch).to_string();
    // Safe to repeat: the same replace/add operations give the same instance.
    http.send(
        Call::idempotent_write(LABEL),
        |c| {
            c.put(url.clone())
                .header(CONTENT_TYPE, "application/json-patch+json")
                .body(patch.clone())
        },
        |_| Ok(()),
    )
    .await
}

/// Box refusing the values (400, e.g. `schema_validation_failed`, or a template that does not
/// exist) fails the metadata and keeps the folder; other failures are the caller's to handle.
fn outcome(result: Result<(), UpstreamError>) -> Result<MetadataOutcome, UpstreamError> {
    match result {
        Ok(()) => Ok(MetadataOutcome::Applied),
        Err(UpstreamError::Rejected { status, code, .. }) => {
            tracing::warn!(upstream = "box", status, code = %code, "box metadata refused");
            Ok(MetadataOutcome::Failed {
                reason: if code.is_empty() {
                    format!("rejected ({status})")
                } else {
                    code
                },
            })
        }
        Err(UpstreamError::NotFound) => {
            tracing::warn!(
                upstream = "box",
                "box metadata template or folder not found"
            );
            Ok(MetadataOutcome::Failed {
                reason: "not_found".to_owned(),
            })
        }
        Err(e) => Err(clean(e)),
    }
}
