//! The first-admin bootstrap (portal.md P3.5) from `ADMIN_USERNAME` / `ADMIN_PASSWORD`.

use super::passwords;
use crate::config::{ConfigError, Settings};
use crate::state::StartError;
use chrono::{DateTime, Utc};
use domain::portal::fields::{EmailDomains, email_violation, username_violation};
use domain::portal::password::{PasswordBlocklist, password_violation};
use domain::ports::{BootstrapOutcome, CreateUserError, NewUser, Role, UserStore};
use secrecy::ExposeSecret;

/// Creates the first admin unless an admin exists (the password is never overwritten). Invalid
/// values stop start-up with the rule broken, never the value.
pub async fn bootstrap_admin(
    store: &impl UserStore,
    settings: &Settings,
    blocklist: &PasswordBlocklist,
    now: DateTime<Utc>,
) -> Result<(), StartError> {
    let (Some(username), Some(password)) = (&settings.admin_username, &settings.admin_password)
    else {
        // Only a warning: without bootstrap settings an unreachable database must not stop
        // start-up (/readyz reports it).
        if let Ok(counts) = store.count_users_by_role().await
            && counts.admins == 0
        {
            tracing::warn!(
                "no admin account and ADMIN_USERNAME/ADMIN_PASSWORD unset: admin functions are unusable"
            );
        }
        return Ok(());
    };
    let counts = store
        .count_users_by_role()
        .await
        .map_err(|e| StartError::Database(e.to_string()))?;
    if counts.admins > 0 {
        return Ok(());
    }
    let username = username.trim().to_owned();
    let invalid = |what: &str, code: &str| {
        StartError::Config(ConfigError::Invalid(format!(
            "{what} breaks the account rules: {code}"
        )))
    };
    if let Some(code) = username_violation(&username) {
        return Err(invalid("ADMIN_USERNAME", code.as_str()));
    }
    let email = match &settings.admin_email {
        Some(email) => email.trim().to_lowercase(),
        None => format!("{}@admin.invalid", username.to_lowercase()),
    };
    if let Some(code) = email_violation(&email, &EmailDomains::default()) {
        return Err(invalid("ADMIN_EMAIL", code.as_str()));
    }
    let password = password.expose_secret().to_owned();
    let password_code = if password.is_empty() {
        Some(domain::portal::fields::FieldCode::Required)
    } else {
        password_violation(&password, &username, &email, blocklist)
    };
    if let Some(code) = password_code {
        return Err(invalid("ADMIN_PASSWORD", code.as_str()));
    }
    let password_hash = tokio::task::spawn_blocking(move || passwords::hash_blocking(&password))
        .await
        .map_err(|e| StartError::Database(format!("password hashing failed: {e}")))?
        .map_err(|e| StartError::Database(e.to_string()))?;
    let admin = NewUser {
        username,
        email,
        password_hash,
        role: Role::Admin,
    };
    match store.bootstrap_admin(&admin, now).await {
        Ok(BootstrapOutcome::Created(user)) => {
            tracing::info!(user_id = user.id, username = %user.username, "first admin created");
            Ok(())
        }
        Ok(BootstrapOutcome::AdminExists) => Ok(()),
        Err(CreateUserError::Store(e)) => Err(StartError::Database(e.to_string())),
        Err(e) => Err(StartError::Config(ConfigError::Invalid(format!(
            "ADMIN_USERNAME: the first admin cannot be created: {e}"
        )))),
    }
}

/// `SESSION_SECRET`, or 32 random bytes in development (pre-session forms then do not survive a
/// restart, which only costs a reload).
pub fn session_secret(settings: &Settings) -> Result<Vec<u8>, StartError> {
    if let Some(secret) = &settings.session_secret {
        return Ok(secret.expose_secret().as_bytes().to_vec());
    }
    if settings.is_production() {
        return Err(ConfigError::Invalid("SESSION_SECRET is required in production".into()).into());
    }
    let mut bytes = vec![0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StartError::Config(ConfigError::Invalid(format!("no randomness: {e}"))))?;
    Ok(bytes)
}
