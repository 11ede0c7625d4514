//! Register and log in (portal.md P3.2, P3.3; security.md S1, S3): the check orders, the
//! uniqueness races, the login normalisation, the throttle and the dummy verify. Sessions and
//! cookies are the caller's (they need randomness and the transport).

use super::limits::REGISTRATIONS_PER_IP;
use crate::portal::fields::{
    FieldErrors, RegistrationInput, RegistrationRules, validate_login, validate_registration,
};
use crate::portal::password::MAX_PASSWORD_CHARS;
use crate::ports::{
    CreateUserError, LoginKey, LoginThrottle, NewUser, PasswordHashError, PasswordHasher, Role,
    StoreError, ThrottleKeys, ThrottlePolicy, ThrottleStatus, UserAccount, UserStore,
};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Why a registration was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("one or more fields are invalid")]
    Invalid(FieldErrors),
    #[error("the email address is taken")]
    EmailTaken,
    #[error("the username is taken")]
    UsernameTaken,
    #[error("too many registrations")]
    RateLimited { retry_after: Duration },
    #[error(transparent)]
    Hash(#[from] PasswordHashError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a login was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// P2.5: a field is missing.
    #[error("one or more fields are invalid")]
    Invalid(FieldErrors),
    /// Unknown account or wrong password: one answer for both (P3.3).
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many failed logins")]
    RateLimited { retry_after: Duration },
    #[error(transparent)]
    Hash(#[from] PasswordHashError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The account use cases over the user store, the throttle and the hasher.
#[derive(Clone, Debug)]
pub struct Accounts<U, T, H> {
    users: U,
    throttle: T,
    hasher: H,
}

impl<U: UserStore, T: LoginThrottle, H: PasswordHasher> Accounts<U, T, H> {
    pub fn new(users: U, throttle: T, hasher: H) -> Self {
        Accounts {
            users,
            throttle,
            hasher,
        }
    }

    /// P3.2: throttle (S3.3) → validation (all fields) → `email_taken` → `username_taken` →
    /// hash → insert, where a lost race on either unique key maps to the same code.
    pub async fn register(
        &self,
        input: &RegistrationInput,
        rules: &RegistrationRules,
        client_ip: &str,
        now: DateTime<Utc>,
    ) -> Result<UserAccount, RegisterError> {
        if let Err(retry_after) = REGISTRATIONS_PER_IP
            .check(&self.throttle, client_ip, now)
            .await?
        {
            return Err(RegisterError::RateLimited { retry_after });
        }
        let valid = validate_registration(input, rules).map_err(RegisterError::Invalid)?;
        let email_key = LoginKey::Email(valid.email.clone());
        if self.users.find_user_by_login(&email_key).await?.is_some() {
            return Err(RegisterError::EmailTaken);
        }
        let name_key = LoginKey::parse(&valid.username);
        if self.users.find_user_by_login(&name_key).await?.is_some() {
            return Err(RegisterError::UsernameTaken);
        }
        let password_hash = self.hasher.hash_password(valid.password).await?;
        let new = NewUser {
            username: valid.username,
            email: valid.email,
            password_hash,
            role: Role::Employee,
        };
        let user = self
            .users
            .create_user(&new, now)
            .await
            .map_err(|e| match e {
                CreateUserError::EmailTaken => RegisterError::EmailTaken,
                CreateUserError::UsernameTaken => RegisterError::UsernameTaken,
                CreateUserError::Store(e) => RegisterError::Store(e),
            })?;
        REGISTRATIONS_PER_IP
            .record(&self.throttle, client_ip, now)
            .await?;
        Ok(user)
    }

    /// P3.3 with S3.2: a locked key refuses without checking the password; an over-long
    /// password fails without hashing (P2.5); an unknown account verifies a dummy hash (S1.6);
    /// failures count against both keys, a success resets the account key; an outdated hash is
    /// upgraded (S1.2, best effort).
    pub async fn login(
        &self,
        login: Option<&str>,
        password: Option<&str>,
        client_ip: &str,
        now: DateTime<Utc>,
    ) -> Result<UserAccount, LoginError> {
        let (login, password) = validate_login(login, password).map_err(LoginError::Invalid)?;
        let key = LoginKey::parse(&login);
        let keys = ThrottleKeys::new(&key, client_ip);
        if let ThrottleStatus::Locked { retry_after } =
            self.throttle.check_login(&keys, now).await?
        {
            return Err(LoginError::RateLimited { retry_after });
        }
        let user = if password.chars().count() > MAX_PASSWORD_CHARS {
            None
        } else {
            let user = self.users.find_user_by_login(&key).await?;
            let hash = user.as_ref().map(|u| u.password_hash.clone());
            let ok = self.hasher.verify_password(hash, password.clone()).await?;
            user.filter(|_| ok)
        };
        let Some(user) = user else {
            self.throttle
                .record_login_failure(&keys, now, &ThrottlePolicy::SPEC)
                .await?;
            return Err(LoginError::InvalidCredentials);
        };
        self.throttle.record_login_success(&keys, now).await?;
        if self.hasher.needs_rehash(&user.password_hash)
            && let Ok(upgraded) = self.hasher.hash_password(password).await
        {
            // Losing this write only delays the upgrade to the next login.
            let _ = self
                .users
                .upgrade_password_hash(user.id, &user.password_hash, &upgraded, now)
                .await;
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests;
