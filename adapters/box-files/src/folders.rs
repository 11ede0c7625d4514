//! Folders (upstreams.md U3.5): path resolution from folder `0` with offset paging and a 1 h
//! cache, and the template copy, which is never replayed blindly.

use crate::error_body::{clean, split_conflict};
use crate::http::{BoxHttp, parse_json};
use domain::ports::{CopyOutcome, Folder, UpstreamError};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use upstream_http::Call;

/// Box's largest page of folder items.
const PAGE_LIMIT: u64 = 1000;
/// More pages than this means the listing does not end (1,000,000 items).
const MAX_PAGES: u64 = 1000;

#[derive(Deserialize)]
struct Items {
    total_count: Option<u64>,
    #[serde(default)]
    entries: Vec<Item>,
    limit: Option<u64>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct CopiedFolder {
    id: String,
    name: String,
}

/// Resolved paths (`"Clients/Active"` → folder), each kept for the TTL.
#[derive(Debug)]
pub(crate) struct PathCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Folder)>>,
}

impl PathCache {
    pub(crate) fn new(ttl: Duration) -> PathCache {
        PathCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, path: &str) -> Option<Folder> {
        let entries = self.entries.lock().ok()?;
        let (at, folder) = entries.get(path)?;
        (at.elapsed() < self.ttl).then(|| folder.clone())
    }

    fn put(&self, path: String, folder: Folder) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(path, (Instant::now(), folder));
        }
    }
}

/// The folder at a `/`-separated path from the root, one segment at a time (U3.5).
pub(crate) async fn resolve_path(
    http: &BoxHttp,
    cache: &PathCache,
    path: &str,
) -> Result<Folder, UpstreamError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut folder = Folder {
        id: "0".to_owned(),
        name: "All Files".to_owned(),
    };
    for depth in 1..=segments.len() {
        let key = segments[..depth].join("/");
        if let Some(cached) = cache.get(&key) {
            folder = cached;
            continue;
        }
        folder = find_child(http, &folder.id, segments[depth - 1])
            .await?
            .ok_or(UpstreamError::NotFound)?;
        cache.put(key, folder.clone());
    }
    Ok(folder)
}

/// The sub-folder of `parent_id` named exactly `name`, reading every page until found.
pub(crate) async fn find_child(
    http: &BoxHttp,
    parent_id: &str,
    name: &str,
) -> Result<Option<Folder>, UpstreamError> {
    let url = http.url(&["folders", parent_id, "items"]);
    let mut offset = 0u64;
    for _ in 0..MAX_PAGES {
        let offset_text = offset.to_string();
        let limit_text = PAGE_LIMIT.to_string();
        let query = [
            ("fields", "id,type,name"),
            ("limit", limit_text.as_str()),
            ("offset", offset_text.as_str()),
        ];
        let page: Items = http.get("/folders/{id}/items", &url, &query).await?;
        if let Some(item) = page
            .entries
            .iter()
            .find(|i| i.kind == "folder" && i.name == name)
        {
            return Ok(Some(Folder {
                id: item.id.clone(),
                name: item.name.clone(),
            }));
        }
        let limit = page.limit.filter(|l| *l > 0).unwrap_or(PAGE_LIMIT);
        // An empty page ends the listing even if `total_count` promised more: Box counts items
        // the caller may not see, and asking again would never end.
        if page.entries.is_empty() || offset + limit >= page.total_count.unwrap_or(0) {
            return Ok(None);
        }
        offset += limit;
    }
    Err(UpstreamError::InvalidResponse {
        detail: "box: folder listing does not end".to_owned(),
    })
}

/// Copies `source_id` into `parent_id` as `name` (U3.5). The POST is sent as a `Call::once`, so
/// the policy never replays it; this loop retries it itself and remembers whether an earlier
/// attempt ended ambiguously, so a 409 on the retry can be recognised as our own copy.
pub(crate) async fn copy_folder(
    http: &BoxHttp,
    copy_timeout: Duration,
    source_id: &str,
    parent_id: &str,
    name: &str,
) -> Result<CopyOutcome, UpstreamError> {
    let url = http.url(&["folders", source_id, "copy"]);
    let body = serde_json::json!({"parent": {"id": parent_id}, "name": name});
    let mut ambiguous = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = http
            .send(
                Call::once("/folders/{id}/copy"),
                |c| c.post(url.clone()).json(&body).timeout(copy_timeout),
                parse_json::<CopiedFolder>,
            )
            .await;
        let error = match result {
            Ok(folder) => {
                return Ok(CopyOutcome::Created(Folder {
                    id: folder.id,
                    name: folder.name,
                }));
            }
            Err(UpstreamError::Conflict { code }) => {
                return name_in_use(http, parent_id, name, &code, ambiguous).await;
            }
            Err(error) => error,
        };
        let Some(wait) = retry_wait(http, &error, attempt) else {
            return Err(clean(error));
        };
        ambiguous |= is_ambiguous(&error);
        tracing::warn!(upstream = "box", attempt, ambiguous, error = %error, "box copy retried");
        tokio::time::sleep(wait).await;
    }
}

/// A 409 on the copy: `item_name_in_use` names the conflicting folder (or it is looked up by
/// name when the body does not); any other code is the domain's `Conflict`.
async fn name_in_use(
    http: &BoxHttp,
    parent_id: &str,
    name: &str,
    code: &str,
    after_ambiguous_retry: bool,
) -> Result<CopyOutcome, UpstreamError> {
    let (code, conflict) = split_conflict(code);
    if code != "item_name_in_use" {
        return Err(UpstreamError::Conflict {
            code: code.to_owned(),
        });
    }
    let conflict = match conflict {
        Some(folder) => folder,
        None => find_child(http, parent_id, name).await?.ok_or_else(|| {
            UpstreamError::InvalidResponse {
                detail: "box: item_name_in_use without a conflicting folder".to_owned(),
            }
        })?,
    };
    Ok(CopyOutcome::NameInUse {
        conflict,
        after_ambiguous_retry,
    })
}

/// The wait before another copy attempt, or `None` when the error is final or attempts are used
/// up (U0.3–U0.5).
fn retry_wait(http: &BoxHttp, error: &UpstreamError, attempt: u32) -> Option<Duration> {
    if attempt >= http.max_attempts {
        return None;
    }
    let max_retry_after = http.api.policy().max_retry_after;
    match error {
        UpstreamError::Unavailable {
            breaker_open: false,
            budget_exhausted: false,
            ..
        } => Some(jitter(http.backoff_base, http.backoff_cap, attempt)),
        UpstreamError::RateLimited { retry_after } => match retry_after {
            Some(after) if *after > max_retry_after => None,
            Some(after) => Some(*after + Duration::from_millis(fastrand::u64(0..=250))),
            None => Some(jitter(http.backoff_base, http.backoff_cap, attempt)),
        },
        _ => None,
    }
}

/// U0.3 full jitter before retry `n`: uniform(0, min(cap, base × 2^n)).
fn jitter(base: Duration, cap: Duration, n: u32) -> Duration {
    let ceiling = base.saturating_mul(2u32.saturating_pow(n.min(16))).min(cap);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// Whether Box may have carried out the failed attempt: a timeout or a connection broken after
/// the request was sent, or a gateway error (500, 502, 504, 52x) that may hide a finished copy.
/// A refused connection, a 503, 429 or 408 mean the request was not acted on. `upstream-http`
/// tells these apart only in the reason text (its `transport` and status wording).
pub(crate) fn is_ambiguous(error: &UpstreamError) -> bool {
    let UpstreamError::Unavailable { reason, .. } = error else {
        return false;
    };
    if let Some(status) = reason.split("answered ").nth(1) {
        let code = status.get(..3).unwrap_or_default();
        return matches!(code, "500" | "502" | "504" | "521" | "523" | "524");
    }
    !reason.ends_with("connection failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_failures() {
        let u = UpstreamError::unavailable;
        assert!(is_ambiguous(&u("box: timed out")));
        assert!(is_ambiguous(&u(
            "box: connection broke while reading the answer"
        )));
        assert!(is_ambiguous(&u("box answered 502 Bad Gateway")));
        assert!(!is_ambiguous(&u("box: connection failed")));
        assert!(!is_ambiguous(&u(
            "box answered 503 Service Unavailable (unavailable)"
        )));
        assert!(!is_ambiguous(&UpstreamError::RateLimited {
            retry_after: None
        }));
    }
}
