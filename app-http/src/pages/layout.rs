//! The admin page shell (H6.1): one layout with the CSRF meta tag, our own stylesheet and
//! scripts from `/static/` (nothing inline; `csp.rs` sends the S13.2 policy), the session
//! guard and the static error pages (H6.19).

use crate::auth::session::{self, CurrentSession};
use crate::routes::admin_login::html::escape;
use crate::state::AppState;
use poem::http::{StatusCode, header};
use poem::{Request, Response};

const NAV: &str = "<nav class=\"topnav\"><a href=\"/closures/ui\">Closures</a>\
<a href=\"/capacity_overrides/ui\">Capacity overrides</a>\
<a href=\"/availability/earliest\">Earliest availability</a>\
<a href=\"/availability/schedule\">Schedule</a>\
<a href=\"/allocations/history\">Allocation history</a>\
<a href=\"/admin/logout\">Sign out</a></nav>";

/// A full admin page; `body_html` is already escaped, `scripts` are file names under `/static/`.
pub fn admin_page(
    status: StatusCode,
    title: &str,
    session: Option<&CurrentSession>,
    body_html: &str,
    scripts: &[&str],
) -> Response {
    let meta = session
        .map(|s| {
            format!(
                "<meta name=\"csrf-token\" content=\"{}\">",
                escape(&s.csrf_token)
            )
        })
        .unwrap_or_default();
    let nav = if session.is_some() { NAV } else { "" };
    let scripts: String = scripts
        .iter()
        .map(|s| format!("<script src=\"/static/{s}\" defer></script>"))
        .collect();
    let title = escape(title);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{meta}\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Allot</title><link rel=\"stylesheet\" href=\"/static/app.css\">{scripts}</head>\
<body>{nav}<main><h1>{title}</h1>{body_html}</main></body></html>"
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(html)
}

/// H6.19: fixed text only, never anything taken from the request.
pub fn error_page(status: StatusCode) -> Response {
    let (title, text) = match status.as_u16() {
        400 => ("Bad request", "A value in the address is not valid."),
        403 => ("Forbidden", "This account may not open this page."),
        404 => ("Not found", "There is nothing at this address."),
        429 => ("Too many requests", "Wait a moment and try again."),
        503 => (
            "Service unavailable",
            "A dependency is unavailable. Try again shortly.",
        ),
        _ => ("Something went wrong", "The page could not be shown."),
    };
    admin_page(
        status,
        title,
        None,
        &format!("<p>{text}</p><p><a href=\"/closures/ui\">Back to the admin pages</a></p>"),
        &[],
    )
}

/// The error page for a failed JSON-twin call: its status, never its message.
pub fn api_error_page(e: &crate::error::ApiError) -> Response {
    let mut r = error_page(e.status);
    if let Some(v) = e
        .retry_after
        .and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// H0.12.1 for pages: no session → 302 to the login page with `next` = path and query; an
/// employee → the 403 page; a store failure → 503 page.
pub async fn require_admin(state: &AppState, req: &Request) -> Result<CurrentSession, Response> {
    match session::current(state, req).await {
        Ok(Some(s)) if s.is_admin => Ok(s),
        Ok(Some(_)) => Err(error_page(StatusCode::FORBIDDEN)),
        Ok(None) => {
            let here = req
                .uri()
                .path_and_query()
                .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
            Err(Response::builder()
                .status(StatusCode::FOUND)
                .header(
                    header::LOCATION,
                    format!("/admin/login?next={}", url_encode(&here)),
                )
                .header(header::CACHE_CONTROL, "no-store")
                .finish())
        }
        Err(_) => Err(error_page(StatusCode::SERVICE_UNAVAILABLE)),
    }
}

/// Percent-encodes everything but unreserved characters and `/`, for a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A table row of already-escaped cells.
pub fn row(cells: &[String]) -> String {
    let tds: String = cells.iter().map(|c| format!("<td>{c}</td>")).collect();
    format!("<tr>{tds}</tr>")
}

/// A table head from plain labels.
pub fn head(labels: &[&str]) -> String {
    let ths: String = labels
        .iter()
        .map(|l| format!("<th>{}</th>", escape(l)))
        .collect();
    format!("<thead><tr>{ths}</tr></thead>")
}

/// A JSON value as escaped display text (`—` for null).
pub fn text(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => escape(s),
        Some(other) => escape(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_encoded_as_one_query_value() {
        assert_eq!(
            url_encode("/allocations/history?page=2&deal=1"),
            "/allocations/history%3Fpage%3D2%26deal%3D1"
        );
    }

    #[test]
    fn h6_19_error_pages_are_fixed_text() {
        let r = error_page(StatusCode::NOT_FOUND);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}
