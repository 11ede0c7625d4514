//! Deals without a Clarify (upstreams.md U1.9): one search for every adviser, all pages, past the
//! 10,000-result window with `hs_object_id GT <last id>`, partitioned by the deal's adviser email
//! (`ekey`, T9). Agreement dates stay raw (IN4).

use crate::http::HubSpotHttp;
use crate::search::{SearchSpec, filter, filter_has, filter_in, search_all, search_body};
use crate::wire::Record;
use domain::allocation::{RawDeal, RawDealDate, ekey};
use domain::ports::DealsByAdviser;
use serde_json::Value;
use upstream_http::UpstreamError;

/// The properties each deal is read with.
pub(crate) const DEAL_PROPERTIES: [&str; 4] = [
    "advisor_email",
    "agreement_start_date",
    "dealname",
    "hubspot_owner_id",
];

/// The open deals of the pipeline's stages that have neither a booked nor a held Clarify.
pub(crate) async fn deals_without_clarify(
    http: &HubSpotHttp,
    pipeline: &str,
    stages: &[String],
) -> Result<DealsByAdviser, UpstreamError> {
    let body = |resume: Option<&str>, after: Option<&str>| {
        let mut filters = vec![
            filter("pipeline", "EQ", pipeline),
            filter_in("dealstage", stages),
            filter_has("most_recent_clarify_booked_date", "NOT_HAS_PROPERTY"),
            filter_has("most_recent_clarify_call_date", "NOT_HAS_PROPERTY"),
            filter_has("advisor_email", "HAS_PROPERTY"),
        ];
        filters.extend(resume.map(|last| filter("hs_object_id", "GT", last)));
        search_body(filters, &DEAL_PROPERTIES, "hs_object_id", after)
    };
    let resume_from = |r: &Record| Some(r.id.clone());
    let spec = SearchSpec {
        label: "/crm/v3/objects/deals/search",
        path: &["crm", "v3", "objects", "deals", "search"],
        body: &body,
        resume_from: &resume_from,
    };
    let mut by_adviser = DealsByAdviser::new();
    for record in search_all(http, &spec).await? {
        let Some(email) = record
            .text("advisor_email")
            .filter(|e| !e.trim().is_empty())
        else {
            tracing::warn!(
                deal_id = record.id,
                "hubspot deal without an adviser email skipped"
            );
            continue;
        };
        by_adviser.entry(ekey(&email)).or_default().push(RawDeal {
            agreement_start_date: deal_date(record.prop("agreement_start_date")),
            id: Some(record.id),
        });
    }
    Ok(by_adviser)
}

/// An agreement date as sent: text, an integer (epoch ms), or missing when absent or null.
fn deal_date(value: Option<&Value>) -> RawDealDate {
    match value {
        None => RawDealDate::Missing,
        Some(Value::String(s)) => RawDealDate::Text(s.clone()),
        Some(Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| RawDealDate::Text(n.to_string()), RawDealDate::Millis),
        Some(other) => RawDealDate::Text(other.to_string()),
    }
}
