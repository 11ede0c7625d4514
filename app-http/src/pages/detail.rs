//! H6.8 `/allocations/history/{id}`: the whole `AllocationDecision` (H3.1) of one decision:
//! input, config, reference weeks, selection, one collapsible section per adviser (limits,
//! overrides, week table, walk trace), warnings, the HubSpot write and the replays.

use super::layout::{admin_page, api_error_page, error_page, head, require_admin, row, text};
use crate::routes::admin_login::html::escape;
use crate::routes::allocations::decision;
use crate::routes::closures::check_id;
use crate::state::AppState;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use serde_json::Value;

#[handler]
pub async fn page(state: Data<&AppState>, req: &Request, Path(id): Path<String>) -> Response {
    let session = match require_admin(&state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if check_id(&id).is_err() {
        return error_page(StatusCode::NOT_FOUND);
    }
    let v = match decision(&state, &id).await {
        Ok(v) => v,
        Err(e) => return api_error_page(&e),
    };
    let result = v.get("result").cloned().unwrap_or(Value::Null);
    let body = format!(
        "<p><a href=\"/allocations/history\">Back to the history</a></p>\
<h2>Decision</h2>{}<h2>Input</h2>{}<h2>Config</h2>{}<h2>Reference weeks</h2>{}\
<h2>Selection</h2>{}<h2>Advisers</h2>{}<h2>HubSpot write</h2>{}<h2>Replays</h2>{}",
        dl(
            &v,
            &[
                "id",
                "source",
                "decided_at",
                "deal_id",
                "outcome",
                "replay_count"
            ]
        ),
        dl_all(v.get("input")),
        dl_all(result.get("config")),
        dl(&result, &["today", "current_week", "earliest_allowed_week"]),
        selection(result.get("selection"), result.get("error")),
        advisers(result.get("advisers")),
        dl_all(v.get("hubspot_write")),
        replays(v.get("replays")),
    );
    admin_page(
        StatusCode::OK,
        "Allocation decision",
        Some(&session),
        &body,
        &[],
    )
}

fn dl(v: &Value, keys: &[&str]) -> String {
    let items: String = keys
        .iter()
        .map(|k| format!("<dt>{k}</dt><dd>{}</dd>", text(v.get(*k))))
        .collect();
    format!("<dl>{items}</dl>")
}

/// Every key of an object, in its order.
fn dl_all(v: Option<&Value>) -> String {
    match v.and_then(Value::as_object) {
        Some(m) => {
            let items: String = m
                .iter()
                .map(|(k, x)| format!("<dt>{}</dt><dd>{}</dd>", escape(k), text(Some(x))))
                .collect();
            format!("<dl>{items}</dl>")
        }
        None => "<p>—</p>".into(),
    }
}

/// A table of objects with the given columns.
fn grid(items: Option<&Value>, columns: &[&str]) -> String {
    let rows: String = items
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|i| row(&columns.iter().map(|c| text(i.get(*c))).collect::<Vec<_>>()))
                .collect()
        })
        .unwrap_or_default();
    if rows.is_empty() {
        return "<p>None.</p>".into();
    }
    format!("<table>{}<tbody>{rows}</tbody></table>", head(columns))
}

fn selection(sel: Option<&Value>, error: Option<&Value>) -> String {
    let Some(s) = sel.filter(|s| s.is_object()) else {
        return format!(
            "<p>No selection. Error: {}</p>",
            text(error.and_then(|e| e.get("code")))
        );
    };
    format!(
        "{}<h3>Ratios</h3>{}<h3>Hash keys</h3>{}",
        dl(
            s,
            &[
                "chosen_email",
                "chosen_hubspot_owner_id",
                "earliest_week",
                "tied",
                "decided_by",
                "fallback"
            ]
        ),
        grid(s.get("ratios"), &["email", "clar", "targ", "ratio"]),
        grid(s.get("hash_keys"), &["email", "key"]),
    )
}

fn advisers(list: Option<&Value>) -> String {
    let Some(list) = list.and_then(Value::as_array) else {
        return "<p>No adviser data (the HubSpot users listing failed).</p>".into();
    };
    list.iter().map(adviser).collect()
}

fn adviser(a: &Value) -> String {
    let status = match a.get("excluded_reason").and_then(Value::as_str) {
        Some(r) => format!("excluded: {}", escape(r)),
        None => "eligible".into(),
    };
    let warnings: String = a
        .get("warnings")
        .and_then(Value::as_array)
        .map(|w| {
            w.iter()
                .map(|x| format!("<li>{}</li>", text(Some(x))))
                .collect()
        })
        .unwrap_or_default();
    let walk = a.get("walk").filter(|w| w.is_object());
    format!(
        "<details class=\"adviser\"><summary>{} — {status}</summary>{}<h4>Inputs</h4>{}<h4>Overrides</h4>{}\
<h4>Warnings</h4><ul>{warnings}</ul><h4>Weeks</h4>{}<h4>Walk</h4>{}{}</details>",
        text(a.get("email")),
        dl(
            a,
            &[
                "name",
                "hubspot_owner_id",
                "excluded_detail",
                "client_limit_monthly",
                "client_limit_source",
                "availability_start_week",
                "earliest_open_week",
                "fallback"
            ]
        ),
        dl_all(a.get("inputs")),
        grid(
            a.get("overrides"),
            &["effective_date", "effective_week", "client_limit_monthly"]
        ),
        grid(
            a.get("weeks"),
            &[
                "label",
                "week",
                "clarify",
                "kickoff",
                "ooo",
                "ooo_days",
                "deals_no_clarify",
                "target",
                "actual",
                "difference"
            ]
        ),
        walk.map_or_else(String::new, |w| dl(
            w,
            &["start_week", "r0", "f", "ended_by", "k"]
        )),
        grid(
            walk.and_then(|w| w.get("steps")),
            &[
                "week", "full", "new", "p", "n", "cap", "assigned", "final", "r", "clar", "targ",
                "accepted"
            ]
        ),
    )
}

fn replays(v: Option<&Value>) -> String {
    grid(v, &["received_at", "body_sha256", "body_differs"])
}
