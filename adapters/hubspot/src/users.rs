//! The user listing (upstreams.md U1.4) and the owners that name the advisers (U1.5).

use crate::http::HubSpotHttp;
use crate::wire::{Owner, Page, Record, full_name};
use domain::allocation::{AdviserProfile, RawFlag, RawMulti};
use serde_json::Value;
use std::collections::HashMap;
use upstream_http::UpstreamError;

/// The user properties the adapter reads (U1.4).
pub(crate) const USER_PROPERTIES: &str = "hs_email,hubspot_owner_id,taking_on_clients,\
client_types,household_type,pod_type,adviser_start_date,hs_given_name,hs_family_name";
/// More pages than this means the listing does not end (U1.4; also for owners).
pub(crate) const MAX_PAGES: usize = 100;

/// A user of the listing: the adviser profile without its owner name, and the user's own name.
pub(crate) struct User {
    pub profile: AdviserProfile,
    pub user_name: Option<String>,
}

/// Every user with an email, all pages, in HubSpot's order.
pub(crate) async fn list_users(http: &HubSpotHttp) -> Result<Vec<User>, UpstreamError> {
    let url = http.url(&["crm", "v3", "objects", "users"]);
    let url = &url;
    let pages = list_pages(MAX_PAGES, "/crm/v3/objects/users", |after| async move {
        let mut query = vec![("limit", "100"), ("properties", USER_PROPERTIES)];
        query.extend(after.as_deref().map(|a| ("after", a)));
        http.get::<Page<Record>>("/crm/v3/objects/users", url, &query)
            .await
    })
    .await?;
    Ok(pages.iter().filter_map(user).collect())
}

/// Owner display names by owner id (first + last name), all pages.
pub(crate) async fn owner_names(
    http: &HubSpotHttp,
) -> Result<HashMap<String, String>, UpstreamError> {
    let url = http.url(&["crm", "v3", "owners"]);
    let url = &url;
    let owners = list_pages(MAX_PAGES, "/crm/v3/owners", |after| async move {
        let mut query = vec![("limit", "100"), ("archived", "false")];
        query.extend(after.as_deref().map(|a| ("after", a)));
        http.get::<Page<Owner>>("/crm/v3/owners", url, &query).await
    })
    .await?;
    Ok(owners
        .into_iter()
        .filter_map(|o| {
            let name = full_name(o.first_name.as_deref(), o.last_name.as_deref())?;
            Some((o.id, name))
        })
        .collect())
}

/// Follows `paging.next.after` until it is absent (C9); more than `max_pages` is `InvalidResponse`.
pub(crate) async fn list_pages<T, F>(
    max_pages: usize,
    label: &str,
    fetch: impl Fn(Option<String>) -> F,
) -> Result<Vec<T>, UpstreamError>
where
    F: Future<Output = Result<Page<T>, UpstreamError>>,
{
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..max_pages {
        let page = fetch(after.take()).await?;
        let next = page.next_after().map(str::to_owned);
        all.extend(page.results);
        match next {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
    Err(UpstreamError::InvalidResponse {
        detail: format!("hubspot {label}: more than {max_pages} pages"),
    })
}

/// A user as an adviser profile; `None` without an email (U1.4). Values stay raw (§3.1).
fn user(record: &Record) -> Option<User> {
    let email = record.text("hs_email").filter(|e| !e.trim().is_empty())?;
    let profile = AdviserProfile {
        email,
        name: None,
        hubspot_owner_id: record.id_text("hubspot_owner_id"),
        taking_on_clients: match record.prop("taking_on_clients") {
            None => RawFlag::Missing,
            Some(Value::Bool(b)) => RawFlag::Bool(*b),
            Some(Value::String(s)) => RawFlag::Text(s.clone()),
            Some(other) => RawFlag::Text(other.to_string()),
        },
        service_packages: multi(record.prop("client_types")),
        household_types: multi(record.prop("household_type")),
        pod_type: record.text("pod_type"),
        start_date: record.text("adviser_start_date"),
    };
    Some(User {
        profile,
        user_name: full_name(
            record.text("hs_given_name").as_deref(),
            record.text("hs_family_name").as_deref(),
        ),
    })
}

/// A multi-value property: text as sent (HubSpot's `;`-separated checkboxes), or a list.
fn multi(value: Option<&Value>) -> RawMulti {
    match value {
        None => RawMulti::Missing,
        Some(Value::String(s)) => RawMulti::Text(s.clone()),
        Some(Value::Array(items)) => RawMulti::List(
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        Some(other) => RawMulti::Text(other.to_string()),
    }
}
