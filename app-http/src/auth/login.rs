//! The one login path (portal.md P3.3, security.md S2.4, S3) shared by the JSON API and the
//! login pages: the `Accounts` use case over the SQL store and the hasher, then a new session.

use super::{cookies, session, throttle};
use crate::error::ApiError;
use crate::state::AppState;
use domain::portal::fields::FieldErrors;
use domain::ports::{NewSession, PasswordHashError, SessionLifetimes, SessionStore, UserAccount};
use domain::usecase::portal::accounts::{Accounts, LoginError, RegisterError};
use poem::Request;
use poem::http::{StatusCode, header};
use sql_store::SqlStore;
use std::time::Duration;

/// The account use cases as the server wires them.
pub fn accounts(state: &AppState) -> Accounts<SqlStore, SqlStore, super::passwords::Hasher> {
    Accounts::new(
        state.store.clone(),
        state.store.clone(),
        state.hasher.clone(),
    )
}

/// The client address the throttles count against (S3.4).
pub fn client_ip(state: &AppState, req: &Request) -> String {
    throttle::client_ip(req, state.settings.trust_proxy_hops)
}

/// P3.3: checks the credentials (throttled, dummy verify for unknown accounts).
pub async fn authenticate(
    state: &AppState,
    req: &Request,
    login: Option<&str>,
    password: Option<&str>,
) -> Result<UserAccount, LoginError> {
    let ip = client_ip(state, req);
    let result = accounts(state)
        .login(login, password, &ip, state.clock.now())
        .await;
    match &result {
        Ok(user) => tracing::info!(user_id = user.id, "login succeeded"),
        Err(LoginError::InvalidCredentials) => tracing::info!("login failed"),
        Err(LoginError::RateLimited { .. }) => tracing::info!("login refused: throttled"),
        Err(_) => {}
    }
    result
}

/// A new session's secrets, for the cookie and the body.
pub struct StartedSession {
    pub token: String,
    pub csrf_token: String,
}

// The secrets never reach a log (S10.6).
impl std::fmt::Debug for StartedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StartedSession { .. }")
    }
}

/// S2.4: a login always creates a new session and deletes the one the request came with.
pub async fn start_session(
    state: &AppState,
    req: &Request,
    user: &UserAccount,
) -> Result<StartedSession, ApiError> {
    if let Some(old) = session::cookie_hash(state, req) {
        state.store.delete_session(&old).await?;
    }
    let (Ok(token), Ok(csrf_token)) = (cookies::random_token(), cookies::random_token()) else {
        return Err(ApiError::internal());
    };
    let now = state.clock.now();
    let user_agent = req
        .header(header::USER_AGENT)
        .map(|ua| ua.chars().take(256).collect::<String>());
    let new = NewSession {
        id_hash: cookies::sha256_hex(&token),
        user_id: user.id,
        csrf_token: csrf_token.clone(),
        absolute_expires_at: now + SessionLifetimes::SPEC.for_role(user.role).absolute,
        ip: Some(client_ip(state, req).chars().take(45).collect()),
        user_agent,
    };
    state
        .store
        .create_session(&new, now)
        .await
        .map_err(|_| ApiError::database_unavailable())?;
    Ok(StartedSession { token, csrf_token })
}

/// 400 `validation_failed` with the P2 field codes.
pub fn field_errors(errors: FieldErrors) -> ApiError {
    ApiError::fields(
        errors
            .into_iter()
            .map(|(field, code)| (field.to_owned(), code.as_str().to_owned())),
    )
}

/// 429 `rate_limited` with `Retry-After` in whole seconds (at least 1).
pub fn rate_limited(retry_after: Duration) -> ApiError {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "Too many attempts; try again later.",
    )
    .retry_after(seconds.max(1))
}

fn hash_error(e: PasswordHashError) -> ApiError {
    match e {
        PasswordHashError::Busy => rate_limited(Duration::from_secs(5)),
        PasswordHashError::Failed => ApiError::internal(),
    }
}

/// H0.11 for a refused login; unknown account and wrong password share one body (P3.3).
pub fn login_error(e: LoginError) -> ApiError {
    match e {
        LoginError::Invalid(fields) => field_errors(fields),
        LoginError::InvalidCredentials => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "The login or the password is wrong.",
        ),
        LoginError::RateLimited { retry_after } => rate_limited(retry_after),
        LoginError::Hash(e) => hash_error(e),
        LoginError::Store(e) => e.into(),
    }
}

/// H0.11 for a refused registration.
pub fn register_error(e: RegisterError) -> ApiError {
    match e {
        RegisterError::Invalid(fields) => field_errors(fields),
        RegisterError::EmailTaken => ApiError::new(
            StatusCode::CONFLICT,
            "email_taken",
            "An account with this email address exists.",
        ),
        RegisterError::UsernameTaken => ApiError::new(
            StatusCode::CONFLICT,
            "username_taken",
            "This username is taken.",
        ),
        RegisterError::RateLimited { retry_after } => rate_limited(retry_after),
        RegisterError::Hash(e) => hash_error(e),
        RegisterError::Store(e) => e.into(),
    }
}

/// S4.4: 403 `origin_not_allowed`.
pub fn origin_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
        "This request did not come from an allowed origin.",
    )
}
