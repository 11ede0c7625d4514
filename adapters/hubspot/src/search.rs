//! CRM search paging (upstreams.md U1.8, U1.9): follow `paging.next.after` until it is absent, and
//! get past HubSpot's 10,000-result window by starting a new query from the last result
//! (a `GTE` on the sort value for meetings, a `GT` on the id for deals), dropping results already
//! seen. A continuation that reaches the window again without one unseen result can never end:
//! `InvalidResponse`.

use crate::http::HubSpotHttp;
use crate::wire::{Page, Record};
use serde_json::Value;
use std::collections::HashSet;
use upstream_http::UpstreamError;

/// Results per search page (the maximum, U1.2).
pub(crate) const PAGE_LIMIT: usize = 200;
/// The most results one search query pages through (U1.2).
pub(crate) const SEARCH_WINDOW: usize = 10_000;
/// Guards against paging that does not end: pages of one query, and queries of one search.
const MAX_PAGES_PER_QUERY: usize = 2 * SEARCH_WINDOW / PAGE_LIMIT;
const MAX_QUERIES: usize = 100;

/// One kind of search: where it goes, and how its queries are written and continued.
pub(crate) struct SearchSpec<'a> {
    /// The path template, for logs.
    pub label: &'static str,
    /// The search endpoint's path segments.
    pub path: &'a [&'a str],
    /// The body of one page: `resume` is `None` on the first query, then the continuation value;
    /// `after` is `None` on the first page of each query.
    pub body: &'a (dyn Fn(Option<&str>, Option<&str>) -> Value + Sync),
    /// The continuation value a result gives, if it can give one (the sort key).
    pub resume_from: &'a (dyn Fn(&Record) -> Option<String> + Sync),
}

/// Every result of the search, in the order HubSpot sorted them, each id once.
pub(crate) async fn search_all(
    http: &HubSpotHttp,
    spec: &SearchSpec<'_>,
) -> Result<Vec<Record>, UpstreamError> {
    let url = http.url(spec.path);
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut resume: Option<String> = None;
    for _query in 0..MAX_QUERIES {
        let mut after: Option<String> = None;
        let mut received = 0usize;
        let mut unseen = false;
        let mut last_resume: Option<String> = None;
        let mut next_query = None;
        for _page in 0..MAX_PAGES_PER_QUERY {
            let body = (spec.body)(resume.as_deref(), after.as_deref());
            let page: Page<Record> = http.search(spec.label, &url, &body).await?;
            received += page.results.len();
            let next = page.next_after().map(str::to_owned);
            for record in page.results {
                if let Some(value) = (spec.resume_from)(&record) {
                    last_resume = Some(value);
                }
                if seen.insert(record.id.clone()) {
                    unseen = true;
                    found.push(record);
                }
            }
            let Some(next) = next else {
                return Ok(found);
            };
            // HubSpot's cursor is the offset of the next page; count when it is not a number.
            let offset = next.parse::<usize>().unwrap_or(received);
            if offset >= SEARCH_WINDOW {
                if resume.is_some() && !unseen {
                    return Err(invalid(
                        spec.label,
                        "more than 10,000 results share one continuation point",
                    ));
                }
                next_query = Some(last_resume.take().ok_or_else(|| {
                    invalid(spec.label, "no result to continue past 10,000 from")
                })?);
                break;
            }
            after = Some(next);
        }
        match next_query {
            Some(value) => resume = Some(value),
            None => return Err(invalid(spec.label, "paging does not terminate")),
        }
    }
    Err(invalid(spec.label, "paging does not terminate"))
}

fn invalid(label: &str, detail: &str) -> UpstreamError {
    UpstreamError::InvalidResponse {
        detail: format!("hubspot {label}: {detail}"),
    }
}

/// A search filter with one value.
pub(crate) fn filter(property: &str, operator: &str, value: &str) -> Value {
    serde_json::json!({"propertyName": property, "operator": operator, "value": value})
}

/// A search filter with a list of values (`IN`).
pub(crate) fn filter_in(property: &str, values: &[String]) -> Value {
    serde_json::json!({"propertyName": property, "operator": "IN", "values": values})
}

/// A search filter without a value (`HAS_PROPERTY`, `NOT_HAS_PROPERTY`).
pub(crate) fn filter_has(property: &str, operator: &str) -> Value {
    serde_json::json!({"propertyName": property, "operator": operator})
}

/// The whole search body: one filter group, the properties, one ascending sort, 200 per page,
/// and `after` only after the first page.
pub(crate) fn search_body(
    filters: Vec<Value>,
    properties: &[&str],
    sort_by: &str,
    after: Option<&str>,
) -> Value {
    let mut body = serde_json::json!({
        "filterGroups": [{"filters": filters}],
        "properties": properties,
        "sorts": [{"propertyName": sort_by, "direction": "ASCENDING"}],
        "limit": PAGE_LIMIT,
    });
    if let (Some(after), Some(map)) = (after, body.as_object_mut()) {
        map.insert("after".to_owned(), Value::String(after.to_owned()));
    }
    body
}
