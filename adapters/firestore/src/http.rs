//! Every HTTP call to Firestore goes through here and through the shared client policy
//! (upstreams.md U0) of `upstream-http`: the bearer token (U4.3), the four operations of U4.4
//! (get, patch, runQuery, commit) and the reading of documents.
//!
//! A 401 means the token was revoked or expired early: it is forgotten and the call is sent
//! once more with a new token. A commit answered 409 `ABORTED` (contention) is tried again, up
//! to the policy's attempts (U4.7); `upstream-http` treats 409 as final, so that loop is here.

use crate::auth::{TokenSource, describe_token_error};
use crate::config::{FirestoreConfig, FirestoreConfigError};
use crate::value::{Fields, fields_from_json, fields_to_json};
use reqwest::{Client, RequestBuilder, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};
use std::time::Duration;
use upstream_http::{Call, ErrorBody, Policy, RateBudget, Upstream, UpstreamError};

/// A document as Firestore returns it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Document {
    /// `projects/…/documents/{collection}/{id}[/…]`.
    pub name: String,
    pub fields: Fields,
    pub update_time: Option<String>,
}

impl Document {
    /// The last path segment.
    pub fn id(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or_default()
    }

    /// The id of the document this one's collection hangs under (the employee of a leave
    /// request), if any.
    pub fn parent_id(&self) -> Option<&str> {
        let relative = self.name.split_once("/documents/")?.1;
        let parts: Vec<&str> = relative.split('/').collect();
        // `{parent collection}/{parent id}/{collection}/{id}` at least; a top-level document
        // (e.g. a root `leave_requests` collection a collection-group query also finds) has none.
        (parts.len() >= 4).then(|| parts[parts.len() - 3])
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireDocument {
    name: String,
    #[serde(default)]
    fields: Option<Json>,
    update_time: Option<String>,
}

impl WireDocument {
    fn into_document(self) -> Result<Document, String> {
        let fields = match &self.fields {
            None | Some(Json::Null) => Fields::new(),
            Some(f) => fields_from_json(f).ok_or("document fields are not an object")?,
        };
        Ok(Document {
            name: self.name,
            fields,
            update_time: self.update_time,
        })
    }
}

#[derive(Deserialize)]
struct QueryItem {
    document: Option<WireDocument>,
}

/// A write precondition (U4.4).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Precondition {
    /// Create only: an existing document is refused.
    Missing,
    /// Update only: a missing document is refused (404), so there is no upsert.
    Exists,
}

pub(crate) struct FirestoreHttp {
    /// `{base_url}/projects/{p}/databases/{d}/documents`.
    documents: Url,
    /// `projects/{p}/databases/{d}/documents`, the prefix of document names.
    root: String,
    upstream: Upstream,
    tokens: TokenSource,
}

impl std::fmt::Debug for FirestoreHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirestoreHttp")
            .field("documents", &self.documents.as_str())
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

impl FirestoreHttp {
    pub(crate) fn new(config: &FirestoreConfig) -> Result<FirestoreHttp, FirestoreConfigError> {
        let bad_base = || FirestoreConfigError::BaseUrl(config.base_url.clone());
        let mut documents = Url::parse(config.base_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .ok_or_else(bad_base)?;
        let (project, database) = (config.project_id.trim(), config.database.trim());
        if project.is_empty() || database.is_empty() {
            return Err(FirestoreConfigError::NoProject);
        }
        documents
            .path_segments_mut()
            .map_err(|_| bad_base())?
            .pop_if_empty()
            .extend(["projects", project, "databases", database, "documents"]);
        let policy = |name| Policy {
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            backoff_base: config.backoff_base,
            backoff_cap: config.backoff_cap,
            ..Policy::new(name)
        };
        let firestore = Policy {
            budget: (config.requests_per_sec > 0).then_some(RateBudget {
                burst: config.requests_per_sec,
                per: Duration::from_secs(1),
            }),
            ..policy("firestore")
        };
        let client = |p, describe| {
            Upstream::new(p, describe).map_err(|e| FirestoreConfigError::Client(e.to_string()))
        };
        let token_client = client(policy("firestore-token"), describe_token_error)?;
        Ok(FirestoreHttp {
            documents,
            root: format!("projects/{project}/databases/{database}/documents"),
            upstream: client(firestore, describe_error_body)?,
            tokens: TokenSource::new(&config.auth, token_client, config.renew_before)?,
        })
    }

    /// The full name of the document at `path` (collection, id, …).
    pub(crate) fn name(&self, path: &[&str]) -> String {
        let mut name = self.root.clone();
        for part in path {
            name.push('/');
            name.push_str(part);
        }
        name
    }

    fn url(&self, path: &[&str]) -> Url {
        let mut url = self.documents.clone();
        // `new` refused bases that cannot take path segments, so this always applies.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.extend(path);
        }
        url
    }

    /// `{base}:{method}` (runQuery, commit).
    fn rpc_url(&self, method: &str) -> Url {
        let mut url = self.documents.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop().push(&format!("documents:{method}"));
        }
        url
    }

    /// GET one document; `None` when it does not exist.
    pub(crate) async fn get(
        &self,
        label: &'static str,
        path: &[&str],
    ) -> Result<Option<Document>, UpstreamError> {
        let url = self.url(path);
        let got = self
            .send(Call::read(label), |c| c.get(url.clone()), parse_document)
            .await;
        match got {
            Ok(doc) => Ok(Some(doc)),
            Err(UpstreamError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PATCH the fields named in `mask` (those absent from `fields` are deleted) and return the
    /// whole document as stored. With [`Precondition::Exists`] a missing document is `NotFound`.
    pub(crate) async fn patch(
        &self,
        label: &'static str,
        path: &[&str],
        fields: &Fields,
        mask: &[&str],
        precondition: Option<Precondition>,
    ) -> Result<Document, UpstreamError> {
        let url = self.url(path);
        let mut query: Vec<(&str, &str)> =
            mask.iter().map(|f| ("updateMask.fieldPaths", *f)).collect();
        match precondition {
            Some(Precondition::Missing) => query.push(("currentDocument.exists", "false")),
            Some(Precondition::Exists) => query.push(("currentDocument.exists", "true")),
            None => {}
        }
        let body = json!({ "fields": fields_to_json(fields) });
        // The same fields written twice are the same document: safe to repeat. A repeated
        // create meets its own document; the caller recognises it.
        self.send(
            Call::idempotent_write(label),
            |c| c.patch(url.clone()).query(&query).json(&body),
            parse_document,
        )
        .await
    }

    /// Every document of the collections named `collection_id` (directly under the root, or
    /// anywhere with `all_descendants`), ordered by `order_by` when given.
    pub(crate) async fn run_query(
        &self,
        label: &'static str,
        collection_id: &str,
        all_descendants: bool,
        order_by: Option<&str>,
    ) -> Result<Vec<Document>, UpstreamError> {
        let mut from = json!({"collectionId": collection_id});
        if all_descendants {
            from["allDescendants"] = json!(true);
        }
        let mut query = json!({"from": [from]});
        if let Some(field) = order_by {
            query["orderBy"] = json!([{"field": {"fieldPath": field}, "direction": "ASCENDING"}]);
        }
        let body = json!({"structuredQuery": query});
        let url = self.rpc_url("runQuery");
        // A query only reads: a read call (retried, and an unusable answer retried once).
        self.send(
            Call::read(label),
            |c| c.post(url.clone()).json(&body),
            parse_query,
        )
        .await
    }

    /// One atomic commit of at most 500 writes (U4.4).
    pub(crate) async fn commit(
        &self,
        label: &'static str,
        writes: &[Json],
    ) -> Result<(), UpstreamError> {
        let url = self.rpc_url("commit");
        let body = json!({"writes": writes});
        let attempts = self.upstream.policy().max_attempts.max(1);
        let mut tried = 0;
        loop {
            tried += 1;
            // Our commits are upserts and deletes without preconditions, so a replay writes the
            // same state again.
            let result = self
                .send(
                    Call::idempotent_write(label),
                    |c| c.post(url.clone()).json(&body),
                    |b| parse_json::<Json>(b).map(drop),
                )
                .await;
            match result {
                Err(UpstreamError::Conflict { code }) if code == "ABORTED" && tried < attempts => {
                    // Full jitter, as U0.3 waits before other retries.
                    let policy = self.upstream.policy();
                    let ceiling = policy
                        .backoff_cap
                        .min(policy.backoff_base * 2u32.pow(tried));
                    tokio::time::sleep(ceiling.mul_f64(fastrand::f64())).await;
                }
                other => return other,
            }
        }
    }

    /// Sends with the current token; on a 401 the token is forgotten and the call sent once more
    /// with a new one.
    async fn send<T>(
        &self,
        call: Call,
        build: impl Fn(&Client) -> RequestBuilder,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, UpstreamError> {
        let token = self.tokens.bearer().await?;
        let result = self.send_with(call, &token, &build, &parse).await;
        match result {
            Err(UpstreamError::Unauthorized) if self.tokens.renewable() => {
                tracing::info!(call = call.label, "firestore refused the token; renewing");
                self.tokens.refused(&token).await;
                let token = self.tokens.bearer().await?;
                self.send_with(call, &token, &build, &parse).await
            }
            other => other,
        }
    }

    async fn send_with<T>(
        &self,
        call: Call,
        token: &SecretString,
        build: &impl Fn(&Client) -> RequestBuilder,
        parse: &impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, UpstreamError> {
        self.upstream
            .call(call, |c| build(c).bearer_auth(token.expose_secret()), parse)
            .await
    }
}

fn parse_document(body: &[u8]) -> Result<Document, String> {
    parse_json::<WireDocument>(body)?.into_document()
}

/// A runQuery answer: the documents in order. An item without `document` (the read time of an
/// empty result, or the final `done`) carries none.
fn parse_query(body: &[u8]) -> Result<Vec<Document>, String> {
    parse_json::<Vec<QueryItem>>(body)?
        .into_iter()
        .filter_map(|item| item.document)
        .map(WireDocument::into_document)
        .collect()
}

/// A 2xx body into its wire type. The detail names where it broke, never what it read.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        format!(
            "unexpected JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })
}

/// Google's error body, `{"error": {"code": 409, "message": "…", "status": "ABORTED"}}`, also
/// as the first item of a runQuery array: code = `status`.
pub(crate) fn describe_error_body(body: &[u8]) -> ErrorBody {
    #[derive(Deserialize, Default)]
    struct Inner {
        message: Option<String>,
        status: Option<String>,
    }
    #[derive(Deserialize)]
    struct Outer {
        error: Inner,
    }
    let json: Json = serde_json::from_slice(body).unwrap_or_default();
    let first = match json {
        Json::Array(items) => items.into_iter().next().unwrap_or_default(),
        other => other,
    };
    let inner = serde_json::from_value::<Outer>(first)
        .map(|o| o.error)
        .unwrap_or_default();
    ErrorBody {
        code: inner.status.unwrap_or_default(),
        message: inner.message.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_error_bodies_give_their_status() {
        let b = describe_error_body(
            br#"{"error": {"code": 409, "message": "Too much contention", "status": "ABORTED"}}"#,
        );
        assert_eq!(b.code, "ABORTED");
        assert_eq!(b.message, "Too much contention");
        let b = describe_error_body(br#"[{"error": {"code": 400, "status": "INVALID_ARGUMENT"}}]"#);
        assert_eq!(b.code, "INVALID_ARGUMENT");
        assert_eq!(describe_error_body(b"<html>"), ErrorBody::default());
    }

    #[test]
    fn names_give_ids_and_parents() {
        let doc = Document {
            name: "projects/p/databases/(default)/documents/employees/7/leave_requests/L1".into(),
            fields: Fields::new(),
            update_time: None,
        };
        assert_eq!(doc.id(), "L1");
        assert_eq!(doc.parent_id(), Some("7"));
        let top = Document {
            name: "projects/p/databases/(default)/documents/leave_requests/L1".into(),
            ..doc
        };
        assert_eq!(top.id(), "L1");
        assert_eq!(top.parent_id(), None);
    }
}
