//! H6.6 `/availability/schedule`: one adviser's weekly table (read-only) with the earliest open
//! week highlighted, Full weeks shaded, and the capacity chart. Numbers from H2.8.2.

use super::chart::{self, Column};
use super::layout::{admin_page, api_error_page, head, require_admin, text};
use super::query::{Query, week_label};
use crate::routes::admin_login::html::escape;
use crate::routes::availability::{parse_date, schedule};
use crate::state::AppState;
use domain::allocation::TakingOnClients;
use domain::ports::Crm;
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
    let date = q.get("agreement_start_date").filter(|d| !d.is_empty());
    let agreement = match parse_date(date) {
        Ok(d) => d,
        Err(e) => return api_error_page(&e),
    };
    let email = q.get("email").map(str::trim).filter(|e| !e.is_empty());
    let advisers: Vec<String> = match state.crm.advisers().await {
        Ok(list) => list
            .into_iter()
            .filter(|p| p.taking_on_clients.state() != TakingOnClients::Blank)
            .map(|p| p.email)
            .collect(),
        Err(_) => Vec::new(),
    };
    let options: String = advisers
        .iter()
        .map(|a| {
            let selected = if Some(a.as_str()) == email {
                " selected"
            } else {
                ""
            };
            format!("<option value=\"{0}\"{selected}>{0}</option>", escape(a))
        })
        .collect();
    let form = format!(
        "<form method=\"get\" class=\"card\" id=\"schedule-form\"><input type=\"hidden\" name=\"compute\" value=\"1\">\
<label>Adviser <select name=\"email\">{options}</select></label> \
<label>Agreement start date <input type=\"date\" name=\"agreement_start_date\" value=\"{}\"></label> \
<button type=\"submit\">Compute</button></form>",
        agreement.map(|d| d.to_string()).unwrap_or_default()
    );
    let results = match (email, q.get("compute")) {
        (Some(email), Some("1")) => match schedule(&state, email, agreement).await {
            Ok(v) => render(&v),
            Err(e) => return api_error_page(&e),
        },
        _ => String::new(),
    };
    admin_page(
        StatusCode::OK,
        "Adviser schedule",
        Some(&session),
        &format!("{form}{results}"),
        &[],
    )
}

fn render(v: &Value) -> String {
    let adviser = v.get("adviser").cloned().unwrap_or(Value::Null);
    let earliest = adviser.get("earliest_open_week").and_then(Value::as_str);
    let weeks: Vec<Value> = adviser
        .get("weeks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let num = |w: &Value, k: &str| w.get(k).and_then(Value::as_i64).unwrap_or(0);
    let mut rows = String::new();
    let mut columns = Vec::with_capacity(weeks.len());
    for w in &weeks {
        let monday = w.get("week").and_then(Value::as_str).unwrap_or("");
        let full = w.get("ooo").and_then(Value::as_str) == Some("Full");
        let is_earliest = Some(monday) == earliest;
        let class = match (is_earliest, full) {
            (true, _) => " class=\"earliest\"",
            (false, true) => " class=\"full\"",
            _ => "",
        };
        let cells: String = [
            escape(&week_label(monday)),
            escape(monday),
            text(w.get("clarify")),
            text(w.get("kickoff")),
            text(w.get("ooo")),
            text(w.get("deals_no_clarify")),
            text(w.get("target")),
            text(w.get("actual")),
            text(w.get("difference")),
        ]
        .iter()
        .map(|c| format!("<td>{c}</td>"))
        .collect();
        rows.push_str(&format!("<tr{class}>{cells}</tr>"));
        columns.push(Column {
            target: num(w, "target"),
            actual: num(w, "actual"),
            full,
            earliest: is_earliest,
        });
    }
    let status = match adviser.get("excluded_reason").and_then(Value::as_str) {
        Some(reason) => format!("<p class=\"error\">Not eligible: {}</p>", escape(reason)),
        None => format!(
            "<p>Earliest open week: {}</p>",
            earliest.map_or_else(
                || "—".to_owned(),
                |w| format!("{} ({})", escape(&week_label(w)), escape(w))
            )
        ),
    };
    format!(
        "<h2>{} ({})</h2>{status}<table id=\"schedule\">{}<tbody>{rows}</tbody></table><h2>Capacity chart</h2>{}",
        text(adviser.get("name")),
        text(adviser.get("email")),
        head(&[
            "Week label",
            "Monday Date",
            "Clarify Count",
            "Kick Off Count",
            "OOO",
            "Deal No Clarify",
            "Target",
            "Actual",
            "Difference"
        ]),
        chart::schedule(&columns)
    )
}
