//! The user store (portal.md P1.1, P3): accounts, roles, the first-admin bootstrap (P3.5) and
//! the listings of the directory (P8.11) and the admin summary (P10.3).

use super::profiles::Photo;
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::Arc;

/// P3.1: the two roles of the one account system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Employee,
    Admin,
}

impl Role {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::Admin => "admin",
        }
    }

    /// `None` for anything but the exact stored spellings.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "employee" => Some(Role::Employee),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The case-insensitive uniqueness key of a username (P1.1): ASCII-lowercased.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}

/// A login as P3.3 normalises it: with an `@` an email (trimmed, lowercased), otherwise a
/// username key (trimmed, ASCII-lowercased). Also names the account throttle key (S3.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LoginKey {
    Email(String),
    Username(String),
}

impl LoginKey {
    pub fn parse(login: &str) -> LoginKey {
        let login = login.trim();
        if login.contains('@') {
            LoginKey::Email(login.to_lowercase())
        } else {
            LoginKey::Username(username_key(login))
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            LoginKey::Email(s) | LoginKey::Username(s) => s,
        }
    }
}

/// A user to create. Fields are already validated and normalised by the domain (P2.1–P2.3);
/// the store derives `username_key` itself so uniqueness cannot be bypassed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    /// Trimmed and lowercased (P2.2).
    pub email: String,
    /// The Argon2id PHC string (security.md S1.1).
    pub password_hash: String,
    pub role: Role,
}

impl NewUser {
    pub fn username_key(&self) -> String {
        username_key(&self.username)
    }
}

/// A stored account.
#[derive(Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// The password hash never reaches a log (security.md S10.6).
impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password_hash", &"<redacted>")
            .field("role", &self.role)
            .finish()
    }
}

impl fmt::Debug for UserAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserAccount")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password_hash", &"<redacted>")
            .field("role", &self.role)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// Creating a user would repeat a unique key (P3.2: 409 `email_taken` / `username_taken`).
/// When both are taken the email wins, as in P3.2's check order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreateUserError {
    #[error("the email address is taken")]
    EmailTaken,
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the first-admin bootstrap (P3.5) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootstrapOutcome {
    Created(UserAccount),
    /// An admin exists; nothing was written (the password is never overwritten).
    AdminExists,
}

/// Users by role (P10.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserCounts {
    pub employees: u64,
    pub admins: u64,
}

/// A user as other users see them (`UserRef`, H4): no email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub headline: Option<String>,
    pub photo: Option<Photo>,
}

/// A page of the directory (P8.11).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// Case-folded substring of the username; `None` lists everyone.
    pub search: Option<String>,
    /// The caller, who is not listed.
    pub exclude: Option<i64>,
    pub limit: u32,
    pub offset: u64,
}

/// Users sorted by case-folded username then id, and how many match in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserPage {
    pub total: u64,
    pub users: Vec<UserSummary>,
}

/// The accounts (P1.1). Password hashing is not the store's job: it keeps PHC strings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts the user. A taken email or username key (also when lost to a concurrent
    /// registration) is a [`CreateUserError`], never a store failure.
    async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserAccount, CreateUserError>;

    async fn get_user(&self, id: i64) -> Result<Option<UserAccount>, StoreError>;

    /// The account a normalised login names (P3.3).
    async fn find_user_by_login(&self, login: &LoginKey)
    -> Result<Option<UserAccount>, StoreError>;

    /// A password change (CLI, P3.6): stores the hash and deletes every session of the user
    /// (S2.4) in one transaction. `false` when there is no such user.
    async fn set_password_hash(
        &self,
        id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A rehash after login (S1.2): replaces the hash only if it is still `current`, so a
    /// concurrent password change is never overwritten. Sessions are kept. `false` when nothing
    /// was written.
    async fn upgrade_password_hash(
        &self,
        id: i64,
        current: &str,
        upgraded: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Sets the role and, when it changed, deletes every session of the user (S2.4), in one
    /// transaction. Returns the previous role, `None` when there is no such user.
    async fn set_role(
        &self,
        id: i64,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Option<Role>, StoreError>;

    async fn count_users_by_role(&self) -> Result<UserCounts, StoreError>;

    /// The directory (P8.11), with each user's headline and photo.
    async fn list_users(&self, query: &UserQuery) -> Result<UserPage, StoreError>;

    /// The summaries of the given users that exist, sorted by id.
    async fn user_summaries(&self, ids: &[i64]) -> Result<Vec<UserSummary>, StoreError>;

    /// P3.5: creates `admin` with role `admin` unless an admin exists. Idempotent and safe when
    /// several processes start at once: exactly one admin is created.
    async fn bootstrap_admin(
        &self,
        admin: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<BootstrapOutcome, CreateUserError>;
}

#[async_trait]
impl<T: UserStore + ?Sized> UserStore for Arc<T> {
    async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserAccount, CreateUserError> {
        (**self).create_user(user, now).await
    }
    async fn get_user(&self, id: i64) -> Result<Option<UserAccount>, StoreError> {
        (**self).get_user(id).await
    }
    async fn find_user_by_login(
        &self,
        login: &LoginKey,
    ) -> Result<Option<UserAccount>, StoreError> {
        (**self).find_user_by_login(login).await
    }
    async fn set_password_hash(
        &self,
        id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        (**self).set_password_hash(id, password_hash, now).await
    }
    async fn upgrade_password_hash(
        &self,
        id: i64,
        current: &str,
        upgraded: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        (**self)
            .upgrade_password_hash(id, current, upgraded, now)
            .await
    }
    async fn set_role(
        &self,
        id: i64,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Option<Role>, StoreError> {
        (**self).set_role(id, role, now).await
    }
    async fn count_users_by_role(&self) -> Result<UserCounts, StoreError> {
        (**self).count_users_by_role().await
    }
    async fn list_users(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        (**self).list_users(query).await
    }
    async fn user_summaries(&self, ids: &[i64]) -> Result<Vec<UserSummary>, StoreError> {
        (**self).user_summaries(ids).await
    }
    async fn bootstrap_admin(
        &self,
        admin: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<BootstrapOutcome, CreateUserError> {
        (**self).bootstrap_admin(admin, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_normalise_as_p3_3_says() {
        assert_eq!(
            LoginKey::parse("  Alex@Example.COM "),
            LoginKey::Email("alex@example.com".into())
        );
        assert_eq!(
            LoginKey::parse(" Alex.Smith "),
            LoginKey::Username("alex.smith".into())
        );
        assert_eq!(
            LoginKey::parse("ÄLex").as_str(),
            "Älex",
            "ASCII-only lowercase"
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Employee, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn hashes_never_print() {
        let user = NewUser {
            username: "alex".into(),
            email: "alex@example.com".into(),
            password_hash: "$argon2id$secret".into(),
            role: Role::Employee,
        };
        assert!(!format!("{user:?}").contains("secret"));
    }
}
