//! Portal accounts over JSON (http-api.md H4.1; portal.md P3.2–P3.4): register, login, logout
//! and `me`. Register and login take no CSRF token (there is no session yet) but refuse a
//! foreign `Origin` (S4.4).

use crate::auth::login::{
    self, accounts, authenticate, client_ip, login_error, register_error, start_session,
};
use crate::auth::{self as auth_mod, cookies, origin, session};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::portal::fields::RegistrationInput;
use domain::ports::{SessionStore, UserAccount, UserStore};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

#[derive(Debug)]
pub struct PortalAuthApi;

/// `Me` (H4): the signed-in user.
#[derive(Debug, Clone, Object)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub email: String,
    /// `employee` or `admin`.
    pub role: String,
    pub created_at: String,
}

impl From<&UserAccount> for Me {
    fn from(u: &UserAccount) -> Me {
        Me {
            id: u.id,
            username: u.username.clone(),
            email: u.email.clone(),
            role: u.role.as_str().to_owned(),
            created_at: instant(u.created_at),
        }
    }
}

/// `{"user": Me, "csrf_token"}`: the token to send as `X-CSRF-Token` on writes (S4.2).
#[derive(Debug, Object)]
pub struct AuthSession {
    pub user: Me,
    pub csrf_token: String,
}

/// Register (P2.1–P2.4). Every field is checked and reported together.
#[derive(Debug, Default, Object, Deserialize)]
pub struct RegisterRequest {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub confirm_password: Option<String>,
}

/// Login (P2.5): `login` is a username or an email (P3.3).
#[derive(Debug, Default, Object, Deserialize)]
pub struct LoginRequest {
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, ApiResponse)]
pub enum Registered {
    /// Created and signed in.
    #[oai(status = 201)]
    Created(Json<AuthSession>, #[oai(header = "Set-Cookie")] String),
}

#[derive(Debug, ApiResponse)]
pub enum LoggedIn {
    /// Signed in with a new session.
    #[oai(status = 200)]
    Ok(Json<AuthSession>, #[oai(header = "Set-Cookie")] String),
}

#[derive(Debug, ApiResponse)]
pub enum LoggedOut {
    /// Signed out (also without a session).
    #[oai(status = 204)]
    NoContent(#[oai(header = "Set-Cookie")] String),
}

fn check_origin(state: &AppState, req: &Request) -> ApiResult<()> {
    if origin::check(&state.settings, req) {
        Ok(())
    } else {
        Err(login::origin_not_allowed())
    }
}

async fn signed_in(
    state: &AppState,
    req: &Request,
    user: &UserAccount,
) -> ApiResult<(AuthSession, String)> {
    let started = start_session(state, req, user).await?;
    let cookie = cookies::session_cookie(&started.token, state.settings.cookie_secure);
    Ok((
        AuthSession {
            user: Me::from(user),
            csrf_token: started.csrf_token,
        },
        cookie,
    ))
}

#[OpenApi]
impl PortalAuthApi {
    /// Create an employee account and sign in (P3.2).
    #[oai(
        path = "/api/portal/auth/register",
        method = "post",
        tag = "ApiTags::PortalAccounts"
    )]
    async fn register(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<RegisterRequest>,
    ) -> ApiResult<Registered> {
        check_origin(&state, request)?;
        if !state.settings.portal_registration_open {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "registration_closed",
                "Registration is closed.",
            ));
        }
        let b = body.0;
        let input = RegistrationInput {
            username: b.username,
            email: b.email,
            password: b.password,
            confirm_password: b.confirm_password,
        };
        let user = accounts(&state)
            .register(
                &input,
                &state.registration,
                &client_ip(&state, request),
                state.clock.now(),
            )
            .await
            .map_err(register_error)?;
        tracing::info!(user_id = user.id, "account registered");
        let (session, cookie) = signed_in(&state, request, &user).await?;
        Ok(Registered::Created(Json(session), cookie))
    }

    /// Sign in with a username or an email (P3.3); rotates the session (S2.4).
    #[oai(
        path = "/api/portal/auth/login",
        method = "post",
        tag = "ApiTags::PortalAccounts"
    )]
    async fn login(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<LoginRequest>,
    ) -> ApiResult<LoggedIn> {
        check_origin(&state, request)?;
        let user = authenticate(
            &state,
            request,
            body.0.login.as_deref(),
            body.0.password.as_deref(),
        )
        .await
        .map_err(login_error)?;
        let (session, cookie) = signed_in(&state, request, &user).await?;
        Ok(LoggedIn::Ok(Json(session), cookie))
    }

    /// Sign out (P3.4): idempotent; with a session the CSRF token is required.
    #[oai(
        path = "/api/portal/auth/logout",
        method = "post",
        tag = "ApiTags::PortalAccounts"
    )]
    async fn logout(&self, state: Data<&AppState>, request: &Request) -> ApiResult<LoggedOut> {
        if let Some(current) = session::current(&state, request).await? {
            auth_mod::check_session_write(&state, request, &current)?;
            state.store.delete_session(&current.id_hash).await?;
            tracing::info!(user_id = current.user_id, "signed out");
        }
        Ok(LoggedOut::NoContent(cookies::expired_session_cookie(
            state.settings.cookie_secure,
        )))
    }

    /// The signed-in user and the session's CSRF token (S4.2).
    #[oai(
        path = "/api/portal/auth/me",
        method = "get",
        tag = "ApiTags::PortalAccounts"
    )]
    async fn me(&self, state: Data<&AppState>, request: &Request) -> ApiResult<Json<AuthSession>> {
        let current = auth_mod::require_session(&state, request).await?;
        let Some(user) = state.store.get_user(current.user_id).await? else {
            return Err(ApiError::unauthenticated());
        };
        Ok(Json(AuthSession {
            user: Me::from(&user),
            csrf_token: current.csrf_token,
        }))
    }
}
