//! H6.5 `/availability/earliest`: the form, and with `compute=1` the table of every listed
//! adviser (sorted by email) and the capacity chart. The numbers are the JSON twin's (H2.8.1).

use super::chart::{self, Bar};
use super::layout::{admin_page, api_error_page, head, require_admin, row, text};
use super::query::{Query, week_label};
use crate::routes::admin_login::html::escape;
use crate::routes::availability::{earliest, parse_date, parse_include_no};
use crate::state::AppState;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};
use serde_json::Value;

#[handler]
pub async fn page(state: Data<&AppState>, req: &Request) -> Response {
    let session = match require_admin(&state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = Query::of(req);
    let include = q.get("include_no");
    let date = q.get("agreement_start_date").filter(|d| !d.is_empty());
    // Invalid values are refused, never rendered back (H2.7.1 spirit, H6.19).
    let (include_no, agreement) = match (parse_include_no(include), parse_date(date)) {
        (Ok(i), Ok(d)) => (i, d),
        (Err(e), _) | (_, Err(e)) => return api_error_page(&e),
    };
    let form = format!(
        "<form method=\"get\" class=\"card\" id=\"earliest-form\"><input type=\"hidden\" name=\"compute\" value=\"1\">\
<label>Agreement start date <input type=\"date\" name=\"agreement_start_date\" value=\"{}\"></label> \
<label><input type=\"checkbox\" name=\"include_no\" value=\"1\"{}> Include advisers not taking on clients</label> \
<button type=\"submit\">Compute</button></form>",
        agreement.map(|d| d.to_string()).unwrap_or_default(),
        if include_no { " checked" } else { "" }
    );
    let results = if q.get("compute") == Some("1") {
        match earliest(&state, include_no, agreement).await {
            Ok(v) => render(&v),
            Err(e) => return api_error_page(&e),
        }
    } else {
        String::new()
    };
    admin_page(
        StatusCode::OK,
        "Earliest availability",
        Some(&session),
        &format!("{form}{results}"),
        &[],
    )
}

fn limit_cell(a: &Value) -> String {
    let limit = text(a.get("client_limit_monthly"));
    let note = match a.get("override_shown") {
        Some(o) if o.get("status").and_then(Value::as_str) == Some("upcoming") => format!(
            " <span class=\"note\">upcoming from {}</span>",
            text(o.get("effective_date"))
        ),
        Some(o) if o.is_object() => " <span class=\"note\">active override</span>".into(),
        _ => String::new(),
    };
    format!("{limit}{note}")
}

fn week_cell(a: &Value) -> String {
    if a.get("excluded_reason").and_then(Value::as_str) == Some("data_unavailable") {
        let detail = a
            .get("excluded_detail")
            .and_then(Value::as_str)
            .unwrap_or("data");
        return format!(
            "<span class=\"error\">data unavailable ({})</span>",
            escape(detail)
        );
    }
    match a.get("earliest_open_week").and_then(Value::as_str) {
        Some(w) => {
            let fallback = if a.get("fallback") == Some(&Value::Bool(true)) {
                " <span class=\"note\">fallback</span>"
            } else {
                ""
            };
            format!("{} ({}){fallback}", escape(&week_label(w)), escape(w))
        }
        None => "—".into(),
    }
}

fn render(v: &Value) -> String {
    let result = v.get("result").cloned().unwrap_or(Value::Null);
    let mut advisers: Vec<Value> = result
        .get("advisers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    advisers.sort_by(|a, b| {
        let e = |x: &Value| {
            x.get("email")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase()
        };
        e(a).cmp(&e(b))
    });
    let current = result
        .get("current_week")
        .and_then(Value::as_str)
        .unwrap_or("");
    let rows: String = advisers
        .iter()
        .map(|a| {
            row(&[
                text(a.get("email")),
                text(a.get("service_packages")),
                text(a.get("pod_type")),
                limit_cell(a),
                week_cell(a),
                text(a.get("taking_on_clients")),
            ])
        })
        .collect();
    let bars: Vec<Bar> = advisers
        .iter()
        .map(|a| Bar {
            label: a
                .get("email")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            weeks: a
                .get("earliest_open_week")
                .and_then(Value::as_str)
                .and_then(|w| super::query::weeks_between(current, w)),
            fallback: a.get("fallback") == Some(&Value::Bool(true)),
        })
        .collect();
    format!(
        "<p>Current week {} ({}); computed at {}.</p><table id=\"earliest\">{}<tbody>{rows}</tbody></table>\
<h2>Capacity chart</h2>{}",
        escape(&week_label(current)),
        escape(current),
        text(v.get("computed_at")),
        head(&[
            "Email",
            "Service Packages",
            "Pod Type",
            "Client Monthly Limit",
            "Earliest Open Week",
            "Taking on clients"
        ]),
        chart::earliest(&bars)
    )
}
