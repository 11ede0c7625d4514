//! The session store (security.md S2): server-side sessions keyed by the SHA-256 of the cookie
//! token, their lifetimes per role, rotation and revocation.

use super::users::{Role, UserAccount};
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use std::fmt;
use std::sync::Arc;

/// S2.4: the 21st session of a user deletes the oldest.
pub const MAX_SESSIONS_PER_USER: usize = 20;

/// S2.3: `last_seen_at` is written at most once per this interval per session.
pub const SESSION_TOUCH_INTERVAL: TimeDelta = TimeDelta::seconds(60);

/// How long a session of one role lives (S2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleLifetime {
    /// Measured from `last_seen_at`.
    pub idle: TimeDelta,
    /// Measured from `created_at`.
    pub absolute: TimeDelta,
}

/// The lifetimes of both roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLifetimes {
    pub employee: RoleLifetime,
    pub admin: RoleLifetime,
}

impl SessionLifetimes {
    /// The table of S2.3.
    pub const SPEC: SessionLifetimes = SessionLifetimes {
        employee: RoleLifetime {
            idle: TimeDelta::minutes(30),
            absolute: TimeDelta::hours(12),
        },
        admin: RoleLifetime {
            idle: TimeDelta::minutes(15),
            absolute: TimeDelta::hours(8),
        },
    };

    pub fn for_role(&self, role: Role) -> RoleLifetime {
        match role {
            Role::Employee => self.employee,
            Role::Admin => self.admin,
        }
    }
}

impl Default for SessionLifetimes {
    fn default() -> Self {
        SessionLifetimes::SPEC
    }
}

/// A session to store. The token itself is never stored, only its hash (S2.1).
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Lowercase hex SHA-256 of the cookie token (64 characters).
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    /// `created_at` + the role's absolute lifetime, fixed at creation.
    pub absolute_expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A stored session.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Session {
    /// Live while `now` is before both the idle deadline (`last_seen_at + idle`) and the
    /// absolute one (the stored deadline, and `created_at + absolute` should the configured
    /// lifetime have shrunk since). The store's purge uses the same boundaries.
    pub fn is_expired(&self, lifetime: RoleLifetime, now: DateTime<Utc>) -> bool {
        now >= self.absolute_expires_at
            || now >= self.created_at + lifetime.absolute
            || now >= self.last_seen_at + lifetime.idle
    }
}

// Session ids (even hashed) and CSRF tokens never reach a log (security.md S10.6).
impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("user_id", &self.user_id)
            .field("absolute_expires_at", &self.absolute_expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("absolute_expires_at", &self.absolute_expires_at)
            .finish_non_exhaustive()
    }
}

/// A session with the account it belongs to, read together so the role is current (S7.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionWithUser {
    pub session: Session,
    pub user: UserAccount,
}

/// A session could not be created.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreateSessionError {
    #[error("no such user")]
    UnknownUser,
    /// The id hash is already stored (a 256-bit token collision: never expected).
    #[error("a session with this id exists")]
    DuplicateSession,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Server-side sessions (S2.1).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores the session with `created_at = last_seen_at = now`. In the same transaction the
    /// user's oldest sessions are deleted so that at most [`MAX_SESSIONS_PER_USER`] remain.
    async fn create_session(
        &self,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> Result<Session, CreateSessionError>;

    /// The session and its user, expired or not (the caller decides, then deletes).
    async fn get_session(&self, id_hash: &str) -> Result<Option<SessionWithUser>, StoreError>;

    /// Sets `last_seen_at = now` only if it is at least [`SESSION_TOUCH_INTERVAL`] old;
    /// `true` when written.
    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// `false` when there was no such session (logout is idempotent, P3.4).
    async fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError>;

    /// Deletes every session of the user; returns how many.
    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError>;

    /// Deletes every session expired at `now` under `lifetimes` ([`Session::is_expired`]);
    /// returns how many (the hourly purge, S2.4).
    async fn purge_expired_sessions(
        &self,
        now: DateTime<Utc>,
        lifetimes: &SessionLifetimes,
    ) -> Result<u64, StoreError>;

    async fn count_sessions(&self, user_id: i64) -> Result<u64, StoreError>;
}

#[async_trait]
impl<T: SessionStore + ?Sized> SessionStore for Arc<T> {
    async fn create_session(
        &self,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> Result<Session, CreateSessionError> {
        (**self).create_session(session, now).await
    }
    async fn get_session(&self, id_hash: &str) -> Result<Option<SessionWithUser>, StoreError> {
        (**self).get_session(id_hash).await
    }
    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        (**self).touch_session(id_hash, now).await
    }
    async fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        (**self).delete_session(id_hash).await
    }
    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        (**self).delete_user_sessions(user_id).await
    }
    async fn purge_expired_sessions(
        &self,
        now: DateTime<Utc>,
        lifetimes: &SessionLifetimes,
    ) -> Result<u64, StoreError> {
        (**self).purge_expired_sessions(now, lifetimes).await
    }
    async fn count_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        (**self).count_sessions(user_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn session(created: &str, seen: &str) -> Session {
        let created_at = at(created);
        Session {
            id_hash: "h".into(),
            user_id: 1,
            csrf_token: "t".into(),
            created_at,
            last_seen_at: at(seen),
            absolute_expires_at: created_at + TimeDelta::hours(12),
            ip: None,
            user_agent: None,
        }
    }

    #[test]
    fn idle_and_absolute_expiry_follow_s2_3() {
        let employee = SessionLifetimes::SPEC.for_role(Role::Employee);
        let admin = SessionLifetimes::SPEC.for_role(Role::Admin);
        let s = session("2025-11-20T00:00:00Z", "2025-11-20T01:00:00Z");
        assert!(!s.is_expired(employee, at("2025-11-20T01:29:59Z")));
        assert!(s.is_expired(employee, at("2025-11-20T01:30:01Z")));
        assert!(s.is_expired(admin, at("2025-11-20T01:15:01Z")));
        let busy = session("2025-11-20T00:00:00Z", "2025-11-20T07:59:00Z");
        assert!(!busy.is_expired(admin, at("2025-11-20T07:59:59Z")));
        assert!(
            busy.is_expired(admin, at("2025-11-20T08:00:00Z")),
            "absolute 8 h"
        );
    }

    #[test]
    fn tokens_never_print() {
        let s = session("2025-11-20T00:00:00Z", "2025-11-20T00:00:00Z");
        let printed = format!("{s:?}");
        assert!(!printed.contains("csrf_token") && !printed.contains("id_hash"));
    }
}
