//! The login pages: admin login and logout (http-api.md H2.10) and the portal login
//! (H6.10). Plain HTML forms, not in the OpenAPI document. One implementation for both sites:
//! credentials as portal P3.3 through `auth::login` (throttled per S3), pre-session CSRF per
//! S4.3, the Origin check of S4.4, a new session per login (S2.4), a safe `next` (S7.6).

pub(crate) mod html;

use crate::auth::login::{authenticate, start_session};
use crate::auth::session::{self, CurrentSession};
use crate::auth::{cookies, origin};
use crate::state::AppState;
use domain::ports::{PasswordHashError, Role, SessionStore};
use domain::usecase::portal::accounts::LoginError;
use html::{
    escape, forbidden_origin, message_page, page, query_next, rate_limited, read_form, redirect,
    see_other, unavailable,
};
use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Body, Request, Response, handler};

/// Which login page: they differ in paths, titles, where they go and who may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    Admin,
    Portal,
}

impl Site {
    fn path(self) -> &'static str {
        match self {
            Site::Admin => "/admin/login",
            Site::Portal => "/portal/login",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Site::Admin => "Admin sign-in",
            Site::Portal => "Sign in",
        }
    }

    fn default_next(self) -> &'static str {
        match self {
            Site::Admin => "/closures/ui",
            Site::Portal => "/portal/",
        }
    }

    /// S7.6, the part that differs per site.
    fn allows_next(self, next: &str) -> bool {
        match self {
            Site::Admin => !next.starts_with("/api/"),
            Site::Portal => next.starts_with("/portal/"),
        }
    }

    /// H2.10.2: only admins may use the admin pages; the portal takes every role (P3.1).
    fn admits(self, role: Role) -> bool {
        self == Site::Portal || role == Role::Admin
    }

    fn extra_links(self) -> &'static str {
        match self {
            Site::Admin => "",
            Site::Portal => "<p><a href=\"/portal/register\">Create an account</a></p>",
        }
    }
}

/// S7.6: `/`-relative, not `//` or `/\`, no `\` or control characters, ≤ 512 characters, and
/// the site's own rule; otherwise the site's default.
pub fn safe_next(site: Site, next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.chars().count() <= 512
                && site.allows_next(n) =>
        {
            n.to_owned()
        }
        _ => site.default_next().to_owned(),
    }
}

fn login_form(
    site: Site,
    status: StatusCode,
    form_token: &str,
    next: &str,
    error: Option<&str>,
) -> Response {
    let error = error
        .map(|e| format!("<p role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "{error}<form method=\"post\" action=\"{}\">\
<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\
<input type=\"hidden\" name=\"next\" value=\"{}\">\
<p><label for=\"login\">Username or email</label> <input id=\"login\" name=\"login\" autocomplete=\"username\" required></p>\
<p><label for=\"password\">Password</label> <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
<p><button type=\"submit\">Sign in</button></p></form>{}",
        site.path(),
        escape(form_token),
        escape(next),
        site.extra_links()
    );
    page(status, site.title(), &body, None)
}

/// Sets a fresh pre-session CSRF cookie and renders the form with its HMAC (S4.3).
fn fresh_login_form(
    state: &AppState,
    site: Site,
    status: StatusCode,
    next: &str,
    error: Option<&str>,
) -> Response {
    let Ok(cookie_value) = cookies::random_token() else {
        return unavailable(site.path());
    };
    let token = cookies::form_token(&state.session_secret, &cookie_value);
    let mut response = login_form(site, status, &token, next, error);
    if let Ok(v) = header::HeaderValue::from_str(&cookies::csrf_cookie(
        &cookie_value,
        state.settings.cookie_secure,
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

fn not_admin() -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        "Not an administrator",
        "This account cannot use the admin pages.",
        Site::Admin.path(),
    )
}

/// H2.10.1 / H6.10 `GET <login>?next=`: a signed-in user the site admits goes on.
async fn show_login(state: &AppState, req: &Request, site: Site) -> Response {
    let next = safe_next(site, query_next(req).as_deref());
    match session::current(state, req).await {
        Ok(Some(s)) if s.is_admin || site == Site::Portal => return see_other(&next),
        Ok(_) => {}
        Err(_) => return unavailable(site.path()),
    }
    fresh_login_form(state, site, StatusCode::OK, &next, None)
}

/// H2.10.2 / H6.10 `POST <login>`.
async fn submit_login(state: &AppState, req: &Request, body: Body, site: Site) -> Response {
    let back = site.path();
    if !origin::check(&state.settings, req) {
        return forbidden_origin(back);
    }
    let form = match read_form(req, body, back).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let csrf_cookie = cookies::read(req, cookies::csrf_name(state.settings.cookie_secure));
    if !cookies::presession_ok(
        &state.session_secret,
        csrf_cookie.as_deref(),
        form.get("csrf_token"),
    ) {
        return message_page(
            StatusCode::FORBIDDEN,
            "Form expired",
            "The sign-in form has expired. Reload the page and try again.",
            back,
        );
    }
    let next = safe_next(site, form.get("next"));
    let retry = |status, message| fresh_login_form(state, site, status, &next, Some(message));
    let user = match authenticate(state, req, form.get("login"), form.get("password")).await {
        Ok(user) => user,
        Err(LoginError::Invalid(_)) => {
            return retry(
                StatusCode::BAD_REQUEST,
                "Enter your username or email and your password.",
            );
        }
        Err(LoginError::InvalidCredentials) => {
            return retry(
                StatusCode::UNAUTHORIZED,
                "The username, email or password is wrong.",
            );
        }
        Err(LoginError::RateLimited { retry_after }) => {
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            return rate_limited(seconds, back);
        }
        Err(LoginError::Hash(PasswordHashError::Busy)) => return rate_limited(5, back),
        Err(_) => return unavailable(back),
    };
    if !site.admits(user.role) {
        tracing::info!(user_id = user.id, "admin login refused: not an admin");
        return not_admin();
    }
    let Ok(started) = start_session(state, req, &user).await else {
        return unavailable(back);
    };
    redirect(&next)
        .header(
            header::SET_COOKIE,
            cookies::session_cookie(&started.token, state.settings.cookie_secure),
        )
        .finish()
}

/// H2.10.1 `GET /admin/login?next=`.
#[handler]
pub async fn login_page(state: Data<&AppState>, req: &Request) -> Response {
    show_login(&state, req, Site::Admin).await
}

/// H2.10.2 `POST /admin/login`.
#[handler]
pub async fn login_submit(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    submit_login(&state, req, body, Site::Admin).await
}

/// H6.10 `GET /portal/login?next=`.
#[handler]
pub async fn portal_login_page(state: Data<&AppState>, req: &Request) -> Response {
    show_login(&state, req, Site::Portal).await
}

/// H6.10 `POST /portal/login`.
#[handler]
pub async fn portal_login_submit(state: Data<&AppState>, req: &Request, body: Body) -> Response {
    submit_login(&state, req, body, Site::Portal).await
}

/// The admin session of a logout request, or the page to answer instead.
async fn admin_session(state: &AppState, req: &Request) -> Result<CurrentSession, Response> {
    match session::current(state, req).await {
        Ok(Some(s)) if s.is_admin => Ok(s),
        Ok(Some(_)) => Err(not_admin()),
        Ok(None) => Err(see_other("/admin/login")),
        Err(_) => Err(unavailable(Site::Admin.path())),
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
    let back = Site::Admin.path();
    if !origin::check(&state.settings, req) {
        return forbidden_origin(back);
    }
    let session = match admin_session(state, req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let field_ok = session::csrf_ok(req, &session)
        || match read_form(req, body, back).await {
            Ok(form) => form
                .get("csrf_token")
                .is_some_and(|t| cookies::tokens_equal(t, &session.csrf_token)),
            Err(r) => return r,
        };
    if !field_ok {
        return message_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "The CSRF token is missing or wrong.",
            back,
        );
    }
    if state.store.delete_session(&session.id_hash).await.is_err() {
        return unavailable(back);
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
        assert_eq!(
            safe_next(Site::Admin, Some("/closures/ui?x=1")),
            "/closures/ui?x=1"
        );
        for bad in [
            "//evil.example",
            "/\\evil",
            "https://evil",
            "/api/x",
            "/a\nb",
            "x",
        ] {
            assert_eq!(safe_next(Site::Admin, Some(bad)), "/closures/ui", "{bad:?}");
        }
        assert_eq!(safe_next(Site::Admin, None), "/closures/ui");
    }

    #[test]
    fn portal_next_stays_under_portal_s7_6() {
        assert_eq!(
            safe_next(Site::Portal, Some("/portal/jobs?x=1")),
            "/portal/jobs?x=1"
        );
        for bad in [
            "https://evil.example/",
            "/closures/ui",
            "//evil",
            "/portal\\x",
        ] {
            assert_eq!(safe_next(Site::Portal, Some(bad)), "/portal/", "{bad:?}");
        }
    }
}
