//! H6.3 `/closures/ui`: the Today picker, the Add Closure card (live workday count, tag chips
//! before Description) and the closures table with inline edit and delete. The page renders
//! the stored closures; `closures.js` calls the JSON API (H2.5) and shows its field errors.

use super::layout::{admin_page, error_page, head, require_admin};
use crate::routes::admin_login::html::escape;
use crate::routes::closures::{Closure, closure_view};
use crate::state::AppState;
use domain::ports::ClosureStore;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};

/// H6.3: the quick tags offered as chips.
const CHIPS: [&str; 4] = ["public", "office", "christmas", "training"];

#[handler]
pub async fn page(state: Data<&AppState>, req: &Request) -> Response {
    let session = match require_admin(&state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let closures: Vec<Closure> = match state.store.list_closures(None).await {
        Ok(list) => list.iter().map(closure_view).collect(),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE),
    };
    let today = super::firm_today(&state).to_string();
    let body = format!(
        "<div class=\"topbar\"><label>Today <input type=\"date\" id=\"today\" value=\"{today}\"></label></div>\
{}{}",
        add_card(),
        table(&closures, &today)
    );
    admin_page(
        StatusCode::OK,
        "Office closures",
        Some(&session),
        &body,
        &["common.js", "closures.js"],
    )
}

fn field(label: &str, name: &str, input: &str) -> String {
    format!(
        "<div class=\"field\"><label for=\"c-{name}\">{label}</label>{input}\
<span class=\"field-error\" data-field=\"{name}\"></span></div>"
    )
}

fn add_card() -> String {
    let chips: String = CHIPS
        .iter()
        .map(|c| format!("<button type=\"button\" class=\"chip\" data-tag=\"{c}\">{c}</button>"))
        .collect();
    format!(
        "<section class=\"card\" id=\"add-card\"><h2>Add Closure</h2><form id=\"add-closure\" novalidate>{}{}\
<p class=\"workdays\">Workdays: <output id=\"workday-count\">0</output></p>{}\
<div class=\"chips\">{chips}</div>{}<button type=\"submit\">Add closure</button>\
<p class=\"form-status\" id=\"add-status\" role=\"status\"></p></form></section>",
        field(
            "Start date",
            "start_date",
            "<input type=\"date\" id=\"c-start_date\" name=\"start_date\" required>"
        ),
        field(
            "End date",
            "end_date",
            "<input type=\"date\" id=\"c-end_date\" name=\"end_date\">"
        ),
        field(
            "Tags",
            "tags",
            "<input type=\"text\" id=\"c-tags\" name=\"tags\" placeholder=\"comma-separated\">"
        ),
        field(
            "Description",
            "description",
            "<input type=\"text\" id=\"c-description\" name=\"description\" maxlength=\"200\">"
        ),
    )
}

fn table(closures: &[Closure], today: &str) -> String {
    let rows: String = closures
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let badges: String = c
                .tags
                .iter()
                .map(|t| format!("<span class=\"badge\">{}</span>", escape(t)))
                .collect();
            // Dates are YYYY-MM-DD, so text order is date order.
            let past = if c.end_date.as_str() < today { " class=\"past\"" } else { "" };
            format!(
                "<tr{past} data-id=\"{id}\" data-end=\"{end}\" data-tags=\"{tags}\" data-description=\"{desc}\">\
<td>{n}</td><td class=\"desc\"><div class=\"badges\">{badges}</div><span class=\"text\">{desc}</span></td>\
<td>{start}</td><td>{end}</td><td class=\"num\">{w}</td>\
<td class=\"actions\"><button type=\"button\" class=\"edit\">Edit</button> \
<button type=\"button\" class=\"delete\">Delete</button></td></tr>",
                id = escape(&c.id),
                n = i + 1,
                start = escape(&c.start_date),
                end = escape(&c.end_date),
                tags = escape(&c.tags.join(", ")),
                desc = escape(&c.description),
                w = c.workdays,
            )
        })
        .collect();
    let empty = if closures.is_empty() {
        "<p class=\"empty\">No closures yet.</p>"
    } else {
        ""
    };
    format!(
        "<table id=\"closures\">{}<tbody>{rows}</tbody></table>{empty}",
        head(&[
            "#",
            "Description",
            "Start Date",
            "End Date",
            "Workdays",
            "Actions"
        ])
    )
}
