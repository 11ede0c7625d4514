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
    match cookie_hash(state, req) {
        Some(id_hash) => by_hash(state, id_hash).await,
        None => Ok(None),
    }
}

/// As [`current`], for a session already identified (a WebSocket re-checks its own, P9.11).
pub async fn by_hash(
    state: &AppState,
    id_hash: String,
) -> Result<Option<CurrentSession>, ApiError> {
    let Some(found) = state.store.get_session(&id_hash).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let lifetime = SessionLifetimes::SPEC.for_role(found.user.role);
    if found.session.is_expired(lifetime, now) {
        state.store.delete_session(&id_hash).await?;
        return Ok(None);
    }
    // S2.3: the store writes `last_seen_at` at most once a minute; skip the round trip when due
    // to be a no-op.
    if now - found.session.last_seen_at >= domain::ports::SESSION_TOUCH_INTERVAL
        && let Err(e) = state.store.touch_session(&id_hash, now).await
    {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Caller, Need, require};
    use crate::config::Settings;
    use chrono::TimeDelta;
    use domain::ports::{LoginKey, NewSession, NewUser, UserStore};

    async fn state(dir: &tempfile::TempDir) -> AppState {
        let env: Vec<(String, String)> = [
            (
                "DATABASE_URL",
                dir.path().join("s.db").display().to_string(),
            ),
            ("COOKIE_SECURE", "false".into()),
            ("ADMIN_USERNAME", "rootadmin".into()),
            ("ADMIN_PASSWORD", "correct horse battery staple".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        AppState::build(Settings::from_sources(None, &env).unwrap())
            .await
            .unwrap()
    }

    /// Stores a session for `user_id` created `age` ago; returns its cookie token.
    async fn session_for(state: &AppState, user_id: i64, age: TimeDelta) -> String {
        let token = cookies::random_token().unwrap();
        let created = state.clock.now() - age;
        let new = NewSession {
            id_hash: cookies::sha256_hex(&token),
            user_id,
            csrf_token: "the-csrf-token".into(),
            absolute_expires_at: created + TimeDelta::hours(8),
            ip: None,
            user_agent: None,
        };
        state.store.create_session(&new, created).await.unwrap();
        token
    }

    fn request(method: &str, token: &str, csrf: Option<&str>) -> Request {
        let mut b = Request::builder()
            .method(method.parse().unwrap())
            .header("cookie", format!("sid={token}"));
        if let Some(csrf) = csrf {
            b = b.header("x-csrf-token", csrf);
        }
        b.finish()
    }

    async fn admin_id(state: &AppState) -> i64 {
        state
            .store
            .find_user_by_login(&LoginKey::parse("rootadmin"))
            .await
            .unwrap()
            .unwrap()
            .id
    }

    #[tokio::test]
    async fn an_admin_session_passes_require_and_writes_need_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let admin = admin_id(&state).await;
        let token = session_for(&state, admin, TimeDelta::zero()).await;

        let caller = require(&state, &request("GET", &token, None), Need::Admin).await;
        assert_eq!(caller.unwrap(), Caller::Admin { user_id: admin });
        let refused = require(&state, &request("POST", &token, None), Need::AdminWrite)
            .await
            .unwrap_err();
        assert_eq!(refused.code, "csrf_failed");
        let wrong = require(
            &state,
            &request("POST", &token, Some("nope")),
            Need::AdminWrite,
        )
        .await
        .unwrap_err();
        assert_eq!(wrong.code, "csrf_failed");
        let ok = require(
            &state,
            &request("POST", &token, Some("the-csrf-token")),
            Need::AdminWrite,
        )
        .await;
        assert_eq!(ok.unwrap(), Caller::Admin { user_id: admin });
        let anonymous = require(&state, &Request::builder().finish(), Need::Admin)
            .await
            .unwrap_err();
        assert_eq!(anonymous.status, poem::http::StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn employees_are_forbidden_and_expired_sessions_are_deleted_on_sight() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let employee = state
            .store
            .create_user(
                &NewUser {
                    username: "emma".into(),
                    email: "emma@example.com".into(),
                    password_hash: "$argon2id$x".into(),
                    role: Role::Employee,
                },
                state.clock.now(),
            )
            .await
            .unwrap();
        let token = session_for(&state, employee.id, TimeDelta::zero()).await;
        let err = require(&state, &request("GET", &token, None), Need::Admin)
            .await
            .unwrap_err();
        assert_eq!(err.status, poem::http::StatusCode::FORBIDDEN);

        // Admin idle timeout is 15 minutes.
        let admin = admin_id(&state).await;
        let stale = session_for(&state, admin, TimeDelta::minutes(16)).await;
        assert!(
            current(&state, &request("GET", &stale, None))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            state
                .store
                .get_session(&cookies::sha256_hex(&stale))
                .await
                .unwrap()
                .is_none()
        );
    }
}
