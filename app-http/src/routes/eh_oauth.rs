//! The Employment Hero connection (http-api.md H2.9, upstreams.md U2.2, U2.3): an admin starts
//! at `/auth/start`, which stores a single-use state bound to the session (only hashes and the
//! encrypted verifier are kept, H7.9) and redirects to EH; EH sends the browser back to
//! `/auth/callback`, which uses the state once, exchanges the code and stores the tokens
//! encrypted (S10.5). Pages, not in the OpenAPI document.

use crate::auth::cookies::sha256_hex;
use crate::auth::session::{self, CurrentSession};
use crate::pages::layout::admin_page;
use crate::routes::admin_login::html::{escape, message_page, page, unavailable};
use crate::state::AppState;
use chrono::TimeDelta;
use domain::ports::{HrError, OAuthState, OAuthStateStore};
use poem::http::{StatusCode, header};
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

/// H7.9: a state is good for 10 minutes.
const STATE_LIFETIME: TimeDelta = TimeDelta::minutes(10);

/// H2.9.3: no session → the login page, back to `path` afterwards; an employee → 403 page.
async fn admin(state: &AppState, req: &Request, path: &str) -> Result<CurrentSession, Response> {
    match session::current(state, req).await {
        Ok(Some(s)) if s.is_admin => Ok(s),
        Ok(Some(_)) => Err(message_page(
            StatusCode::FORBIDDEN,
            "Not an administrator",
            "This account cannot connect Employment Hero.",
            "/admin/login",
        )),
        Ok(None) => Err(Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, format!("/admin/login?next={path}"))
            .header(header::CACHE_CONTROL, "no-store")
            .finish()),
        Err(_) => Err(unavailable("/admin/login")),
    }
}

fn not_configured() -> Response {
    message_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Employment Hero is not configured",
        "Set EH_CLIENT_ID, EH_CLIENT_SECRET, REDIRECT_URI and DATA_ENCRYPTION_KEY, then try again.",
        "/admin/login",
    )
}

/// A 400/502 page naming what went wrong by its code.
fn failed(status: StatusCode, code: &str, message: &str) -> Response {
    page(
        status,
        "Employment Hero was not connected",
        &format!(
            "<p>{}</p><p><code>{}</code></p><p><a href=\"/auth/start\">Start again</a></p>",
            escape(message),
            escape(code)
        ),
        None,
    )
}

/// H2.9.1 `GET /auth/start`.
#[handler]
pub async fn start(state: Data<&AppState>, req: &Request) -> Response {
    let session = match admin(&state, req, "/auth/start").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(connection) = &state.hr.connection else {
        return not_configured();
    };
    let begun = match connection.begin_authorization() {
        Ok(b) => b,
        Err(HrError::NotConfigured(setting)) => {
            tracing::warn!(%setting, "Employment Hero connect refused: not configured");
            return not_configured();
        }
        Err(e) => {
            tracing::error!(error = %e, "Employment Hero connect could not start");
            return unavailable("/admin/login");
        }
    };
    let now = state.clock.now();
    let row = OAuthState {
        state_hash: sha256_hex(&begun.state),
        session_id_hash: session.id_hash.clone(),
        code_verifier_enc: begun.code_verifier_enc,
        created_at: now,
        expires_at: now + STATE_LIFETIME,
    };
    if let Err(e) = state.store.insert_oauth_state(row).await {
        tracing::error!(error = %e, "oauth state not stored");
        return unavailable("/admin/login");
    }
    tracing::info!(user_id = session.user_id, "Employment Hero connect started");
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, begun.authorize_url)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// H2.9.2 `GET /auth/callback`: the checks in the order of the spec.
#[handler]
pub async fn callback(
    state: Data<&AppState>,
    req: &Request,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let session = match admin(&state, req, "/auth/callback").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(connection) = &state.hr.connection else {
        return not_configured();
    };
    let given = query.state.as_deref().filter(|s| !s.is_empty());
    let taken = match given {
        Some(s) => {
            let taken = state
                .store
                .take_oauth_state(&sha256_hex(s), &session.id_hash, state.clock.now())
                .await;
            match taken {
                Ok(row) => row,
                Err(_) => return unavailable("/admin/login"),
            }
        }
        None => None,
    };
    let Some(row) = taken else {
        return failed(
            StatusCode::BAD_REQUEST,
            "state_mismatch",
            "This sign-in link is unknown, expired, already used or from another session.",
        );
    };
    if query.error.is_some() {
        return failed(
            StatusCode::BAD_REQUEST,
            "authorization_denied",
            "Employment Hero did not grant access.",
        );
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        return failed(
            StatusCode::BAD_REQUEST,
            "missing_code",
            "Employment Hero sent no authorisation code.",
        );
    };
    match connection
        .complete_authorization(code, &row.code_verifier_enc)
        .await
    {
        Ok(org) => {
            tracing::info!(user_id = session.user_id, organisation = %org.id, "Employment Hero connected");
            let name = org.name.unwrap_or(org.id);
            // The buttons POST /sync/* with the session's CSRF token (connected.js, H2.3).
            admin_page(
                StatusCode::OK,
                "Employment Hero connected",
                Some(&session),
                &format!(
                    "<p>Connected to <strong>{}</strong>.</p><p>Run the syncs now: \
<button type=\"button\" data-sync=\"/sync/employees\">Sync employees</button> \
<button type=\"button\" data-sync=\"/sync/leave_requests\">Sync leave requests</button></p>\
<p id=\"sync-status\" role=\"status\"></p>",
                    escape(&name)
                ),
                &["common.js", "connected.js"],
            )
        }
        Err(HrError::NotConfigured(_)) => not_configured(),
        Err(HrError::Store(_)) => unavailable("/admin/login"),
        Err(e) => {
            tracing::warn!(error = %e, "Employment Hero token exchange failed");
            failed(
                StatusCode::BAD_GATEWAY,
                "token_exchange_failed",
                "Employment Hero did not accept the authorisation.",
            )
        }
    }
}
