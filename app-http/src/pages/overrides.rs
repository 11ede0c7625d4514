//! H6.4 `/capacity_overrides/ui`: the override form (adviser dropdown of HubSpot users with a
//! non-blank `taking_on_clients`) and the table with each override's state. `overrides.js`
//! sends the form to the JSON API (H2.6).

use super::layout::{admin_page, error_page, head, require_admin, row};
use crate::routes::admin_login::html::escape;
use crate::routes::overrides::{Override, override_view};
use crate::state::AppState;
use domain::allocation::TakingOnClients;
use domain::allocation::week::Week;
use domain::ports::{Crm, OverrideStore};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};

const POD_TYPES: [&str; 4] = ["", "Standard Pod", "Solo Adviser", "Team Pod"];

/// H6.4 state of each override (input sorted by email then date, as the store lists them):
/// `active` = the latest effective week ≤ the current week, `scheduled` = a later week,
/// `superseded` = every older one. Weeks come from the domain's `effective_week` (LM4).
pub fn states(list: &[Override], current_week: &str) -> Vec<&'static str> {
    list.iter()
        .enumerate()
        .map(|(i, o)| {
            if o.effective_week.as_str() > current_week {
                return "scheduled";
            }
            let newer_started = list[i + 1..].iter().any(|later| {
                later.adviser_email == o.adviser_email
                    && later.effective_week.as_str() <= current_week
            });
            if newer_started {
                "superseded"
            } else {
                "active"
            }
        })
        .collect()
}

#[handler]
pub async fn page(state: Data<&AppState>, req: &Request) -> Response {
    let session = match require_admin(&state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let list: Vec<Override> = match state.store.list_overrides(None).await {
        Ok(l) => l.iter().map(override_view).collect(),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE),
    };
    // A failed listing leaves only a free-text field: overrides can still be managed.
    let advisers: Option<Vec<String>> = state.crm.advisers().await.ok().map(|a| {
        a.into_iter()
            .filter(|p| p.taking_on_clients.state() != TakingOnClients::Blank)
            .map(|p| p.email)
            .collect()
    });
    let current = Week::of(super::firm_today(&state)).to_string();
    let body = format!("{}{}", form(advisers.as_deref()), table(&list, &current));
    admin_page(
        StatusCode::OK,
        "Capacity overrides",
        Some(&session),
        &body,
        &["common.js", "overrides.js"],
    )
}

fn form(advisers: Option<&[String]>) -> String {
    let adviser = match advisers {
        Some(list) => {
            let options: String = list
                .iter()
                .map(|e| format!("<option value=\"{0}\">{0}</option>", escape(e)))
                .collect();
            format!(
                "<select id=\"o-adviser_email\" name=\"adviser_email\"><option value=\"\"></option>{options}</select>"
            )
        }
        None => "<input type=\"email\" id=\"o-adviser_email\" name=\"adviser_email\">".into(),
    };
    let pods: String = POD_TYPES
        .iter()
        .map(|p| format!("<option value=\"{p}\">{p}</option>"))
        .collect();
    let fields = [
        ("Adviser", "adviser_email", adviser),
        ("Effective date", "effective_date", "<input type=\"date\" id=\"o-effective_date\" name=\"effective_date\">".into()),
        ("Monthly limit", "client_limit_monthly", "<input type=\"number\" min=\"1\" max=\"100\" id=\"o-client_limit_monthly\" name=\"client_limit_monthly\">".into()),
        ("Pod type", "pod_type", format!("<select id=\"o-pod_type\" name=\"pod_type\">{pods}</select>")),
        ("Notes", "notes", "<input type=\"text\" maxlength=\"500\" id=\"o-notes\" name=\"notes\">".into()),
    ];
    let fields: String = fields
        .iter()
        .map(|(label, name, input)| {
            format!("<div class=\"field\"><label for=\"o-{name}\">{label}</label>{input}<span class=\"field-error\" data-field=\"{name}\"></span></div>")
        })
        .collect();
    format!(
        "<section class=\"card\"><h2>Override</h2><form id=\"override-form\" novalidate>{fields}\
<button type=\"submit\" id=\"override-submit\">Save override</button> \
<button type=\"button\" id=\"override-reset\">New</button>\
<p class=\"form-status\" id=\"override-status\" role=\"status\"></p></form></section>"
    )
}

fn table(list: &[Override], current_week: &str) -> String {
    let rows: String = list
        .iter()
        .zip(states(list, current_week))
        .map(|(o, st)| {
            let tr = row(&[
                escape(&o.adviser_email),
                escape(&o.effective_date),
                escape(&o.effective_week),
                o.client_limit_monthly.to_string(),
                escape(&o.pod_type),
                escape(&o.notes),
                format!("<span class=\"state state-{st}\">{st}</span>"),
                "<button type=\"button\" class=\"edit\">Edit</button> <button type=\"button\" class=\"delete\">Delete</button>".into(),
            ]);
            tr.replacen(
                "<tr>",
                &format!(
                    "<tr data-id=\"{}\" data-email=\"{}\" data-date=\"{}\" data-limit=\"{}\" data-pod=\"{}\" data-notes=\"{}\">",
                    escape(&o.id),
                    escape(&o.adviser_email),
                    escape(&o.effective_date),
                    o.client_limit_monthly,
                    escape(&o.pod_type),
                    escape(&o.notes)
                ),
                1,
            )
        })
        .collect();
    format!(
        "<table id=\"overrides\">{}<tbody>{rows}</tbody></table>",
        head(&[
            "Adviser",
            "Effective date",
            "Effective week",
            "Limit",
            "Pod type",
            "Notes",
            "State",
            "Actions"
        ])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(email: &str, week: &str) -> Override {
        Override {
            id: format!("{email}-{week}"),
            adviser_email: email.into(),
            effective_date: week.into(),
            effective_week: week.into(),
            client_limit_monthly: 3,
            pod_type: String::new(),
            notes: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn h6_4_states_per_adviser() {
        let list = [
            o("a@x.com", "2025-01-06"),
            o("a@x.com", "2025-03-03"),
            o("a@x.com", "2025-06-02"),
            o("b@x.com", "2025-01-06"),
            o("c@x.com", "2025-03-03"),
        ];
        assert_eq!(
            states(&list, "2025-03-03"),
            ["superseded", "active", "scheduled", "active", "active"]
        );
        assert_eq!(states(&list[..1], "2024-12-30"), ["scheduled"]);
    }
}
