//! Admin login and logout pages (http-api.md H2.10): plain HTML forms, not in the OpenAPI
//! document. Credentials as portal P3.3, throttled per S3, pre-session CSRF per S4.3, the
//! Origin check of S4.4, a new session per login (S2.4).

use crate::auth::session::{self, CurrentSession};
use crate::auth::{cookies, origin, passwords::HashError, throttle};
use crate::state::AppState;
use domain::ports::{
    LoginKey, LoginThrottle, NewSession, Role, SessionLifetimes, SessionStore, ThrottleKeys,
    ThrottlePolicy, ThrottleStatus, UserStore,
};
use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Body, Request, Response, handler};

/// Form bodies are capped at 16 KiB.
const FORM_CAP: usize = 16 * 1024;
/// Where a login goes without a usable `next`.
const DEFAULT_NEXT: &str = "/closures/ui";
/// P2.5: longer passwords fail without hashing.
const MAX_PASSWORD_CHARS: usize = 128;

// ---------------------------------------------------------------------------------------------
// Pages

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn page(
    status: StatusCode,
    title: &str,
    body_html: &str,
    csrf_meta: Option<&str>,
) -> Response {
    let meta = csrf_meta
        .map(|t| format!("<meta name=\"csrf-token\" content=\"{}\">", escape(t)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{meta}<title>{} · Allot</title></head><body><main><h1>{}</h1>{body_html}</main></body></html>",
        escape(title),
        escape(title)
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(html)
}

pub(crate) fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        title,
        &format!(
            "<p>{}</p><p><a href=\"/admin/login\">Back to sign-in</a></p>",
            escape(message)
        ),
        None,
    )
}

fn login_form(status: StatusCode, form_token: &str, next: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|e| format!("<p role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "{error}<form method=\"post\" action=\"/admin/login\">\
<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\
<input type=\"hidden\" name=\"next\" value=\"{}\">\
<p><label for=\"login\">Username or email</label> <input id=\"login\" name=\"login\" autocomplete=\"username\" required></p>\
<p><label for=\"password\">Password</label> <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
<p><button type=\"submit\">Sign in</button></p></form>",
        escape(form_token),
        escape(next)
    );
    page(status, "Admin sign-in", &body, None)
}

fn redirect(to: &str) -> poem::ResponseBuilder {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .header(header::CACHE_CONTROL, "no-store")
}

fn see_other(to: &str) -> Response {
    redirect(to).finish()
}

pub(crate) fn unavailable() -> Response {
    message_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
        "The service cannot reach its database. Try again shortly.",
    )
}

fn forbidden_origin() -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This request did not come from an allowed origin.",
    )
}

fn rate_limited(retry_after: u64) -> Response {
    let mut r = message_page(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts",
        "Too many sign-in attempts. Wait a while and try again.",
    );
    if let Ok(v) = header::HeaderValue::from_str(&retry_after.max(1).to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

// ---------------------------------------------------------------------------------------------
// Input

/// S7.6 on the admin login: `/`-relative, not `//` or `/\`, no `\` or control characters,
/// ≤ 512 characters, not under `/api/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.chars().count() <= 512
                && !n.starts_with("/api/") =>
        {
            n.to_owned()
        }
        _ => DEFAULT_NEXT.to_owned(),
    }
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value)?;
                let lo = bytes.get(i + 2).copied().and_then(hex_value)?;
                out.push(hi * 16 + lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// An `application/x-www-form-urlencoded` body; `None` when malformed.
pub fn parse_form(body: &str) -> Option<Vec<(String, String)>> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn read_form(req: &Request, body: Body) -> Result<Form, Response> {
    let is_form = req
        .header(header::CONTENT_TYPE)
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(message_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported form",
            "Send the form as application/x-www-form-urlencoded.",
        ));
    }
    let bytes = match body.into_bytes_limit(FORM_CAP).await {
        Ok(b) => b,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            return Err(message_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Form too large",
                "The form is larger than 16 KiB.",
            ));
        }
        Err(_) => return Err(bad_form()),
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(parse_form)
        .map(Form)
        .ok_or_else(bad_form)
}

fn bad_form() -> Response {
    message_page(
        StatusCode::BAD_REQUEST,
        "Bad request",
        "The form could not be read.",
    )
}

fn query_next(req: &Request) -> Option<String> {
    req.uri()
        .query()
        .and_then(parse_form)
        .and_then(|q| q.into_iter().find(|(k, _)| k == "next").map(|(_, v)| v))
}

// ---------------------------------------------------------------------------------------------
// Handlers

/// Sets a fresh `__Host-csrf` cookie and renders the form with its HMAC (S4.3).
fn fresh_login_form(
    state: &AppState,
    status: StatusCode,
    next: &str,
    error: Option<&str>,
) -> Response {
    let Ok(cookie_value) = cookies::random_token() else {
        return unavailable();
    };
    let token = cookies::form_token(&state.session_secret, &cookie_value);
    let mut response = login_form(status, &token, next, error);
    if let Ok(v) = header::HeaderValue::from_str(&cookies::csrf_cookie(
        &cookie_value,
        state.settings.cookie_secure,
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// H2.10.1 `GET /admin/login?next=`.
#[handler]
pub async fn login_page(state: Data<&AppState>, req: &Request) -> Response {
    let next = safe_next(query_next(req).as_deref());
    match session::current(&state, req).await {
        Ok(Some(s)) if s.is_admin => return see_other(&next),
        Ok(_) => {}
        Err(_) => return unavailable(),
    }
    fresh_login_form(&state, StatusCode::OK, &next, None)
}

/// H2.10.2 `POST /admin/login`.
#[handler]
pub async fn login_submit(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let state: &AppState = &state;
    if !origin::check(&state.settings, req) {
        return forbidden_origin();
    }
    let form = match read_form(req, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let secure = state.settings.cookie_secure;
    let csrf_cookie = cookies::read(req, cookies::csrf_name(secure));
    if !cookies::presession_ok(
        &state.session_secret,
        csrf_cookie.as_deref(),
        form.get("csrf_token"),
    ) {
        return message_page(
            StatusCode::FORBIDDEN,
            "Form expired",
            "The sign-in form has expired. Reload the page and try again.",
        );
    }
    let next = safe_next(form.get("next"));
    let login = form.get("login").unwrap_or("").trim().to_owned();
    let password = form.get("password").unwrap_or("").to_owned();
    if login.is_empty() || password.is_empty() {
        return fresh_login_form(
            state,
            StatusCode::BAD_REQUEST,
            &next,
            Some("Enter your username or email and your password."),
        );
    }

    let login_key = LoginKey::parse(&login);
    let keys = ThrottleKeys::new(
        &login_key,
        &throttle::client_ip(req, state.settings.trust_proxy_hops),
    );
    let now = state.clock.now();
    match state.store.check_login(&keys, now).await {
        Ok(ThrottleStatus::Locked { retry_after }) => {
            return rate_limited(retry_after.as_secs_f64().ceil() as u64);
        }
        Ok(ThrottleStatus::Allowed) => {}
        Err(_) => return unavailable(),
    }

    let user = if password.chars().count() > MAX_PASSWORD_CHARS {
        None
    } else {
        let user = match state.store.find_user_by_login(&login_key).await {
            Ok(u) => u,
            Err(_) => return unavailable(),
        };
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        match state.hasher.verify(hash, password.clone()).await {
            Ok(true) => user,
            Ok(false) => None,
            Err(HashError::Busy) => return rate_limited(5),
            Err(HashError::Failed) => return unavailable(),
        }
    };

    let Some(user) = user else {
        if state
            .store
            .record_login_failure(&keys, now, &ThrottlePolicy::SPEC)
            .await
            .is_err()
        {
            return unavailable();
        }
        tracing::info!("admin login failed");
        return fresh_login_form(
            state,
            StatusCode::UNAUTHORIZED,
            &next,
            Some("The username, email or password is wrong."),
        );
    };
    if state.store.record_login_success(&keys, now).await.is_err() {
        return unavailable();
    }
    if crate::auth::passwords::needs_rehash(&user.password_hash)
        && let Ok(upgraded) = state.hasher.hash(password).await
        && let Err(e) = state
            .store
            .upgrade_password_hash(user.id, &user.password_hash, &upgraded, now)
            .await
    {
        tracing::warn!(error = %e, "password rehash not stored");
    }
    if user.role != Role::Admin {
        tracing::info!(user_id = user.id, "admin login refused: not an admin");
        return message_page(
            StatusCode::FORBIDDEN,
            "Not an administrator",
            "This account cannot use the admin pages.",
        );
    }

    // S2.4: a login always starts a new session and ends the one it came with.
    if let Some(old) = session::cookie_hash(state, req)
        && state.store.delete_session(&old).await.is_err()
    {
        return unavailable();
    }
    let (Ok(token), Ok(csrf_token)) = (cookies::random_token(), cookies::random_token()) else {
        return unavailable();
    };
    let lifetime = SessionLifetimes::SPEC.for_role(user.role);
    let user_agent = req
        .header(header::USER_AGENT)
        .map(|ua| ua.chars().take(256).collect::<String>());
    let new = NewSession {
        id_hash: cookies::sha256_hex(&token),
        user_id: user.id,
        csrf_token,
        absolute_expires_at: now + lifetime.absolute,
        ip: Some(keys.ip.trim_start_matches("ip:").chars().take(45).collect()),
        user_agent,
    };
    if state.store.create_session(&new, now).await.is_err() {
        return unavailable();
    }
    tracing::info!(user_id = user.id, "admin signed in");
    redirect(&next)
        .header(header::SET_COOKIE, cookies::session_cookie(&token, secure))
        .finish()
}

/// The admin session of a logout request, or the page to answer instead.
async fn admin_session(state: &AppState, req: &Request) -> Result<CurrentSession, Response> {
    match session::current(state, req).await {
        Ok(Some(s)) if s.is_admin => Ok(s),
        Ok(Some(_)) => Err(message_page(
            StatusCode::FORBIDDEN,
            "Not an administrator",
            "This account cannot use the admin pages.",
        )),
        Ok(None) => Err(see_other("/admin/login")),
        Err(_) => Err(unavailable()),
    }
}

/// H2.10.3 `GET /admin/logout`: a confirmation form; GET never signs out.
#[handler]
pub async fn logout_page(state: Data<&AppState>, req: &Request) -> Response {
    let session = match admin_session(&state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let body = format!(
        "<p>Signed in as {}.</p><form method=\"post\" action=\"/admin/logout\">\
<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\
<p><button type=\"submit\">Sign out</button></p></form>",
        escape(&session.username),
        escape(&session.csrf_token)
    );
    page(StatusCode::OK, "Sign out", &body, Some(&session.csrf_token))
}

/// H2.10.4 `POST /admin/logout` (form field `csrf_token` or header `X-CSRF-Token`).
#[handler]
pub async fn logout_submit(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    let state: &AppState = &state;
    if !origin::check(&state.settings, req) {
        return forbidden_origin();
    }
    let session = match admin_session(state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let header_ok = session::csrf_ok(req, &session);
    let field_ok = if header_ok {
        true
    } else {
        match read_form(req, body).await {
            Ok(form) => form
                .get("csrf_token")
                .is_some_and(|t| cookies::tokens_equal(t, &session.csrf_token)),
            Err(r) => return r,
        }
    };
    if !field_ok {
        return message_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "The CSRF token is missing or wrong.",
        );
    }
    if state.store.delete_session(&session.id_hash).await.is_err() {
        return unavailable();
    }
    tracing::info!(user_id = session.user_id, "admin signed out");
    redirect("/admin/login")
        .header(
            header::SET_COOKIE,
            cookies::expired_session_cookie(state.settings.cookie_secure),
        )
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_follows_s7_6() {
        assert_eq!(safe_next(Some("/closures/ui?x=1")), "/closures/ui?x=1");
        for bad in [
            "//evil.example",
            "/\\evil",
            "https://evil",
            "/api/x",
            "/a\nb",
            "x",
        ] {
            assert_eq!(safe_next(Some(bad)), DEFAULT_NEXT, "{bad:?}");
        }
        assert_eq!(safe_next(None), DEFAULT_NEXT);
    }

    #[test]
    fn forms_decode() {
        assert_eq!(
            parse_form("login=a%40b.c&password=x+y%21&next=").unwrap(),
            vec![
                ("login".into(), "a@b.c".into()),
                ("password".into(), "x y!".into()),
                ("next".into(), String::new())
            ]
        );
        assert_eq!(parse_form("a=%zz"), None);
    }

    #[test]
    fn pages_escape() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
