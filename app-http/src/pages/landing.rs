//! `GET /` (http-api.md H2.11, H6.2): the landing page in the shared layout. Service name,
//! version, the firm-local date and ISO week, and links by role. No configuration values.

use super::layout::admin_page;
use crate::auth::session;
use crate::state::AppState;
use domain::allocation::Week;
use poem::http::StatusCode;
use poem::{Request, Response};

/// Who is looking, as far as the links go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Visitor {
    Anonymous,
    Employee,
    Admin,
}

const ADMIN_LINKS: &[(&str, &str)] = &[
    ("/closures/ui", "Office closures"),
    ("/capacity_overrides/ui", "Capacity overrides"),
    ("/availability/earliest", "Earliest availability"),
    ("/availability/schedule", "Adviser schedule"),
    ("/allocations/history", "Allocation history"),
    ("/docs", "API documentation"),
    ("/portal/", "Employee portal"),
    ("/admin/logout", "Sign out"),
];
const EMPLOYEE_LINKS: &[(&str, &str)] = &[("/portal/", "Employee portal")];
const ANONYMOUS_LINKS: &[(&str, &str)] = &[
    ("/admin/login", "Admin sign-in"),
    ("/portal/login", "Employee portal sign-in"),
];

/// The landing page. A session the store cannot read counts as none: the page is public and
/// must not fail with the database.
pub async fn page(state: &AppState, req: &Request) -> Response {
    let visitor = match session::current(state, req).await {
        Ok(Some(s)) if s.is_admin => Visitor::Admin,
        Ok(Some(_)) => Visitor::Employee,
        Ok(None) | Err(_) => Visitor::Anonymous,
    };
    let today = super::firm_today(state);
    let links: String = match visitor {
        Visitor::Admin => ADMIN_LINKS,
        Visitor::Employee => EMPLOYEE_LINKS,
        Visitor::Anonymous => ANONYMOUS_LINKS,
    }
    .iter()
    .map(|(href, label)| format!("<li><a href=\"{href}\">{label}</a></li>"))
    .collect();
    let body = format!(
        "<p>Allot {version}: adviser allocation and the employee portal.</p>\
<p>Firm date <time datetime=\"{today}\">{today}</time>, week {week}.</p><ul class=\"links\">{links}</ul>",
        version = env!("CARGO_PKG_VERSION"),
        week = Week::of(today).iso_label(),
    );
    admin_page(StatusCode::OK, "Welcome", None, &body, &[])
}
