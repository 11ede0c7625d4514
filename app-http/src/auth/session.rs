//! Session cookies (security.md S2) and the CSRF synchronizer token (S4.1).

use super::cookies;
use crate::error::ApiError;
use crate::state::AppState;
use domain::ports::{Role, SessionLifetimes, SessionStore};
use poem::Request;

/// The session of a request.
#[derive(Clone)]
pub struct CurrentSession {
    pub user_id: i64,
    pub is_admin: bool,
    pub csrf_token: String,
    /// The stored id (hex SHA-256 of the cookie token), for logout.
    pub id_hash: String,
    pub username: String,
}

// The CSRF token and the session id never reach a log (S10.6).
impl std::fmt::Debug for CurrentSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentSession")
            .field("user_id", &self.user_id)
            .field("is_admin", &self.is_admin)
            .finish_non_exhaustive()
    }
}

/// The hash of the session token the request's cookie carries, if any.
pub fn cookie_hash(state: &AppState, req: &Request) -> Option<String> {
    cookies::read(req, cookies::session_name(state.settings.cookie_secure))
        .map(|token| cookies::sha256_hex(&token))
}

/// The valid session the request's cookie names, if any. An expired session is deleted on
/// sight (S2.3); a live one has `last_seen_at` refreshed at most once per 60 s. The role is the
/// stored one (S7.4). A store failure fails closed (503).
pub async fn current(state: &AppState, req: &Request) -> Result<Option<CurrentSession>, ApiError> {
    let Some(id_hash) = cookie_hash(state, req) else {
        return Ok(None);
    };
    let Some(found) = state.store.get_session(&id_hash).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let lifetime = SessionLifetimes::SPEC.for_role(found.user.role);
    if found.session.is_expired(lifetime, now) {
        state.store.delete_session(&id_hash).await?;
        return Ok(None);
    }
    if let Err(e) = state.store.touch_session(&id_hash, now).await {
        tracing::warn!(error = %e, "session touch failed");
    }
    Ok(Some(CurrentSession {
        user_id: found.user.id,
        is_admin: found.user.role == Role::Admin,
        csrf_token: found.session.csrf_token,
        id_hash,
        username: found.user.username,
    }))
}

/// Whether the request carries the session's CSRF token in `X-CSRF-Token` (constant time).
pub fn csrf_ok(req: &Request, session: &CurrentSession) -> bool {
    req.headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| cookies::tokens_equal(given.trim(), &session.csrf_token))
}
