//! Accounts (portal.md P1.1, P1.2, P3; security.md S2, S3): users, sessions, the login
//! throttle and profiles, on both backends.

mod profiles;
mod sessions;
mod throttle;
mod users;

use crate::harness::TestDb;
use chrono::{DateTime, Utc};
use domain::ports::{NewSession, NewUser, Role, UserAccount, UserStore};

pub const T0: &str = "2025-11-20T09:00:00.000Z";

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// An employee called `name`, with `<lowercased name>@example.com`.
pub fn new_user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        email: format!("{}@example.com", name.to_lowercase()),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${name}"),
        role: Role::Employee,
    }
}

pub async fn user(db: &TestDb, name: &str) -> UserAccount {
    db.store.create_user(&new_user(name), at(T0)).await.unwrap()
}

/// A session of `user_id` whose absolute lifetime is the employee's 12 h from `now`.
pub fn new_session(id_hash: &str, user_id: i64, now: DateTime<Utc>) -> NewSession {
    NewSession {
        id_hash: id_hash.into(),
        user_id,
        csrf_token: format!("csrf-{id_hash}"),
        absolute_expires_at: now + chrono::TimeDelta::hours(12),
        ip: Some("203.0.113.7".into()),
        user_agent: None,
    }
}
