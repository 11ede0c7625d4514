//! Who is calling (http-api.md H0.12): an API key (S10.4), an admin session (S2) with CSRF on
//! writes (S4), or nobody. Routes state what they need; this module answers 401/403 per H0.12.1.

mod apikey;
pub mod bootstrap;
pub mod cookies;
pub mod demo_employees;
pub mod login;
pub mod origin;
pub mod passwords;
pub mod portal_start;
pub mod session;
pub mod throttle;

use crate::error::ApiError;
use crate::state::AppState;
use poem::Request;

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// `SYNC_API_KEYS` entry number `index` (1-based, for logs: `key#2`).
    ApiKey { index: usize },
    /// A signed-in user with role `admin`.
    Admin { user_id: i64 },
}

/// What a route accepts (H1 "Auth" column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// `admin` reads.
    Admin,
    /// `admin` writes: session + CSRF token (H0.12.2).
    AdminWrite,
    /// `admin | apikey` reads.
    AdminOrApiKey,
    /// API key (any method) or an admin session with CSRF (the `/sync/*` routes, H2.3.1).
    ApiKeyOrAdminWrite,
}

/// Resolves the caller for `need`. With a key header present cookies are never read (S4.7).
pub async fn require(state: &AppState, req: &Request, need: Need) -> Result<Caller, ApiError> {
    let key_allowed = matches!(need, Need::AdminOrApiKey | Need::ApiKeyOrAdminWrite);
    if let Some(presented) = apikey::presented(req) {
        if !key_allowed {
            return Err(ApiError::forbidden());
        }
        return apikey::check(state, &presented)
            .map(|index| {
                tracing::info!(key = %format!("key#{index}"), "api key used");
                Caller::ApiKey { index }
            })
            .ok_or_else(|| {
                ApiError::new(
                    poem::http::StatusCode::UNAUTHORIZED,
                    "invalid_api_key",
                    "The API key is not valid.",
                )
            });
    }
    if need == Need::ApiKeyOrAdminWrite
        && state.settings.trust_appengine_cron_header
        && req
            .headers()
            .get("x-appengine-cron")
            .and_then(|v| v.to_str().ok())
            == Some("true")
    {
        return Ok(Caller::ApiKey { index: 0 });
    }
    let write = matches!(need, Need::AdminWrite | Need::ApiKeyOrAdminWrite);
    let Some(session) = session::current(state, req).await? else {
        return Err(ApiError::unauthenticated());
    };
    if !session.is_admin {
        return Err(ApiError::forbidden());
    }
    // A session GET to a route that writes (GET /sync/* from a browser) is refused (H2.3.1).
    let unsafe_method = !matches!(req.method().as_str(), "GET" | "HEAD");
    if write && unsafe_method && !origin::check(&state.settings, req) {
        return Err(login::origin_not_allowed());
    }
    if write && (!unsafe_method || !session::csrf_ok(req, &session)) {
        return Err(csrf_failed());
    }
    Ok(Caller::Admin {
        user_id: session.user_id,
    })
}

/// The portal's `session` scheme (H0.12): a signed-in user of any role. POST, PUT, PATCH and
/// DELETE also need the session's CSRF token (H0.12.2) and an allowed `Origin` (S4.4).
/// Admin-only portal routes check `is_admin` on the result (403 `forbidden`, P10.1).
pub async fn require_session(
    state: &AppState,
    req: &Request,
) -> Result<session::CurrentSession, ApiError> {
    let Some(session) = session::current(state, req).await? else {
        return Err(ApiError::unauthenticated());
    };
    check_session_write(state, req, &session)?;
    Ok(session)
}

/// H0.12.2, S4.4 for a request already tied to `session`: an unsafe method needs an allowed
/// `Origin` and the session's CSRF token.
pub fn check_session_write(
    state: &AppState,
    req: &Request,
    session: &session::CurrentSession,
) -> Result<(), ApiError> {
    if matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS") {
        return Ok(());
    }
    if !origin::check(&state.settings, req) {
        return Err(login::origin_not_allowed());
    }
    if !session::csrf_ok(req, session) {
        return Err(csrf_failed());
    }
    Ok(())
}

fn csrf_failed() -> ApiError {
    ApiError::new(
        poem::http::StatusCode::FORBIDDEN,
        "csrf_failed",
        "The CSRF token is missing or wrong.",
    )
}
