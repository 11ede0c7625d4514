//! H6.7 `/allocations/history`: the H2.7.1 filters, counters, top lists, the decisions table
//! with a link per row to H6.8, and pagination. Bad filter values → 400 page, never echoed.

use super::layout::{admin_page, api_error_page, head, require_admin, row, text, url_encode};
use super::query::Query;
use crate::routes::admin_login::html::escape;
use crate::routes::allocations::{HistoryParams, history};
use crate::state::AppState;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};
use serde_json::Value;

const FILTERS: [&str; 6] = [
    "outcome",
    "hubspot_write",
    "deal",
    "adviser",
    "days",
    "page_size",
];

#[handler]
pub async fn page(state: Data<&AppState>, req: &Request) -> Response {
    let session = match require_admin(&state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = Query::of(req);
    let own = |k: &str| q.get(k).map(str::to_owned);
    let params = HistoryParams {
        outcome: own("outcome"),
        hubspot_write: own("hubspot_write"),
        deal: own("deal"),
        adviser: own("adviser"),
        days: own("days"),
        page: own("page"),
        page_size: own("page_size"),
    };
    let v = match history(&state, &params).await {
        Ok(v) => v,
        Err(e) => return api_error_page(&e),
    };
    let body = format!(
        "{}{}{}{}",
        filter_form(&q),
        counters(&v),
        table(&v),
        pager(&v, &q)
    );
    admin_page(
        StatusCode::OK,
        "Allocation history",
        Some(&session),
        &body,
        &[],
    )
}

fn select(name: &str, label: &str, options: &[&str], current: Option<&str>) -> String {
    let opts: String = std::iter::once("")
        .chain(options.iter().copied())
        .map(|o| {
            let sel = if Some(o) == current { " selected" } else { "" };
            format!("<option value=\"{o}\"{sel}>{o}</option>")
        })
        .collect();
    format!("<label>{label} <select name=\"{name}\">{opts}</select></label> ")
}

fn filter_form(q: &Query) -> String {
    let value = |k: &str| escape(q.get(k).unwrap_or(""));
    format!(
        "<form method=\"get\" class=\"card filters\" id=\"history-filters\">{}{}\
<label>Deal <input type=\"text\" name=\"deal\" value=\"{}\"></label> \
<label>Adviser <input type=\"text\" name=\"adviser\" value=\"{}\"></label> \
<label>Days <input type=\"number\" min=\"1\" max=\"365\" name=\"days\" value=\"{}\"></label> \
<button type=\"submit\">Filter</button></form>",
        select(
            "outcome",
            "Outcome",
            &["allocated", "no_eligible_adviser", "upstream_unavailable"],
            q.get("outcome")
        ),
        select(
            "hubspot_write",
            "HubSpot write",
            &["pending", "done", "failed", "not_applicable"],
            q.get("hubspot_write")
        ),
        value("deal"),
        value("adviser"),
        value("days"),
    )
}

fn pairs(v: Option<&Value>) -> String {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, n)| format!("<li>{}: {}</li>", escape(k), text(Some(n))))
                .collect()
        })
        .unwrap_or_default()
}

fn top(v: Option<&Value>, key: &str) -> String {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|e| format!("<li>{}: {}</li>", text(e.get(key)), text(e.get("count"))))
                .collect()
        })
        .unwrap_or_default()
}

fn counters(v: &Value) -> String {
    let c = v.get("counts");
    let get = |k: &str| c.and_then(|c| c.get(k));
    format!(
        "<section class=\"counters\"><div><h2>By outcome</h2><ul>{}</ul></div>\
<div><h2>By HubSpot write</h2><ul>{}</ul></div><div><h2>Top advisers</h2><ol>{}</ol></div>\
<div><h2>Top service packages</h2><ol>{}</ol></div></section>",
        pairs(get("by_outcome")),
        pairs(get("by_hubspot_write")),
        top(get("top_advisers"), "email"),
        top(get("top_service_packages"), "service_package"),
    )
}

fn table(v: &Value) -> String {
    let items = v
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let rows: String = items
        .iter()
        .map(|i| {
            let id = i.get("id").and_then(Value::as_str).unwrap_or("");
            let adviser = i.get("adviser").and_then(|a| a.get("email"));
            row(&[
                format!(
                    "<a href=\"/allocations/history/{}\">{}</a>",
                    url_encode(id),
                    text(i.get("decided_at"))
                ),
                text(i.get("deal_id")),
                text(i.get("service_package")),
                text(i.get("household_type")),
                text(i.get("agreement_start_date")),
                text(adviser),
                text(i.get("earliest_open_week")),
                if i.get("fallback") == Some(&Value::Bool(true)) {
                    "yes".into()
                } else {
                    "no".into()
                },
                text(i.get("outcome")),
                text(i.get("hubspot_write")),
                text(i.get("replay_count")),
            ])
        })
        .collect();
    format!(
        "<p>{} decisions.</p><table id=\"history\">{}<tbody>{rows}</tbody></table>",
        text(v.get("total")),
        head(&[
            "Decided at",
            "Deal",
            "Service package",
            "Household",
            "Agreement date",
            "Chosen adviser",
            "Earliest week",
            "Fallback",
            "Outcome",
            "HubSpot write",
            "Replays",
        ])
    )
}

fn pager(v: &Value, q: &Query) -> String {
    let num = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (total, at, size) = (num("total"), num("page").max(1), num("page_size").max(1));
    let pages = total.div_ceil(size).max(1);
    let filters: String = FILTERS
        .iter()
        .filter_map(|k| {
            q.get(k)
                .filter(|v| !v.is_empty())
                .map(|v| format!("&{k}={}", url_encode(v)))
        })
        .collect();
    let link = |p: u64, label: &str| {
        let href = escape(&format!("/allocations/history?page={p}{filters}"));
        format!("<a href=\"{href}\">{label}</a>")
    };
    let prev = if at > 1 {
        link(at - 1, "Previous")
    } else {
        String::new()
    };
    let next = if at < pages {
        link(at + 1, "Next")
    } else {
        String::new()
    };
    format!("<nav class=\"pager\">{prev} Page {at} of {pages} {next}</nav>")
}
