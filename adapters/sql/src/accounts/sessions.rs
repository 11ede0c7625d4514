//! Sessions (security.md S2): the per-user cap, touch throttling and the expiry purge.

use super::users::{USER_COLUMNS, UserRow, user_from_row};
use super::{in_locking_transaction, lock_user};
use crate::SqlStore;
use crate::schema::accounts::{sessions, users};
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::ports::{
    CreateSessionError, MAX_SESSIONS_PER_USER, NewSession, Role, RoleLifetime,
    SESSION_TOUCH_INTERVAL, Session, SessionLifetimes, SessionStore, SessionWithUser, StoreError,
};

type SessionRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const SESSION_COLUMNS: (
    sessions::id_hash,
    sessions::user_id,
    sessions::csrf_token,
    sessions::created_at,
    sessions::last_seen_at,
    sessions::absolute_expires_at,
    sessions::ip,
    sessions::user_agent,
) = (
    sessions::id_hash,
    sessions::user_id,
    sessions::csrf_token,
    sessions::created_at,
    sessions::last_seen_at,
    sessions::absolute_expires_at,
    sessions::ip,
    sessions::user_agent,
);

fn session_from_row(row: SessionRow) -> Result<Session, DieselError> {
    let (id_hash, user_id, csrf_token, created, seen, expires, ip, user_agent) = row;
    Ok(Session {
        id_hash,
        user_id,
        csrf_token,
        created_at: parse_instant(&created)?,
        last_seen_at: parse_instant(&seen)?,
        absolute_expires_at: parse_instant(&expires)?,
        ip,
        user_agent,
    })
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(
        &self,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> Result<Session, CreateSessionError> {
        let stored = Session {
            id_hash: session.id_hash.clone(),
            user_id: session.user_id,
            csrf_token: session.csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            absolute_expires_at: session.absolute_expires_at,
            ip: session.ip.clone(),
            user_agent: session.user_agent.clone(),
        };
        let row = stored.clone();
        // Logins of one user queue on the user's row, so the cap holds however many race and
        // a concurrent password or role change (which takes the same lock) revokes this
        // session too if it commits first.
        self.db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    if lock_user(conn, row.user_id)?.is_none() {
                        return Ok(Err(CreateSessionError::UnknownUser));
                    }
                    // Oldest first: those beyond the cap (counting the new one) go (S2.4).
                    let existing = sessions::table
                        .filter(sessions::user_id.eq(row.user_id))
                        .order((sessions::created_at, sessions::id_hash))
                        .select(sessions::id_hash)
                        .load::<String>(conn)?;
                    let excess = (existing.len() + 1).saturating_sub(MAX_SESSIONS_PER_USER);
                    if excess > 0 {
                        diesel::delete(
                            sessions::table.filter(sessions::id_hash.eq_any(&existing[..excess])),
                        )
                        .execute(conn)?;
                    }
                    let inserted = diesel::insert_into(sessions::table)
                        .values((
                            sessions::id_hash.eq(&row.id_hash),
                            sessions::user_id.eq(row.user_id),
                            sessions::csrf_token.eq(&row.csrf_token),
                            sessions::created_at.eq(instant(row.created_at)),
                            sessions::last_seen_at.eq(instant(row.last_seen_at)),
                            sessions::absolute_expires_at.eq(instant(row.absolute_expires_at)),
                            sessions::ip.eq(&row.ip),
                            sessions::user_agent.eq(&row.user_agent),
                        ))
                        .execute(conn);
                    match inserted {
                        Ok(_) => Ok(Ok(())),
                        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                            Ok(Err(CreateSessionError::DuplicateSession))
                        }
                        Err(e) => Err(e),
                    }
                })
            })
            .await??;
        Ok(stored)
    }

    async fn get_session(&self, id_hash: &str) -> Result<Option<SessionWithUser>, StoreError> {
        let id_hash = id_hash.to_owned();
        self.db
            .read(move |conn| {
                let Some((session, user)) = sessions::table
                    .inner_join(users::table)
                    .filter(sessions::id_hash.eq(&id_hash))
                    .select((SESSION_COLUMNS, USER_COLUMNS))
                    .first::<(SessionRow, UserRow)>(conn)
                    .optional()?
                else {
                    return Ok(None);
                };
                Ok(Some(SessionWithUser {
                    session: session_from_row(session)?,
                    user: user_from_row(user)?,
                }))
            })
            .await
    }

    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let id_hash = id_hash.to_owned();
        // One conditional UPDATE: concurrent requests write at most once per interval.
        self.db
            .run(move |conn| {
                diesel::update(
                    sessions::table
                        .filter(sessions::id_hash.eq(&id_hash))
                        .filter(sessions::last_seen_at.le(instant(now - SESSION_TOUCH_INTERVAL))),
                )
                .set(sessions::last_seen_at.eq(instant(now)))
                .execute(conn)
                .map(|n| n > 0)
            })
            .await
    }

    async fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let id_hash = id_hash.to_owned();
        self.db
            .run(move |conn| {
                diesel::delete(sessions::table.filter(sessions::id_hash.eq(&id_hash)))
                    .execute(conn)
                    .map(|n| n > 0)
            })
            .await
    }

    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        self.db
            .run(move |conn| {
                diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id)))
                    .execute(conn)
                    .map(count)
            })
            .await
    }

    async fn purge_expired_sessions(
        &self,
        now: DateTime<Utc>,
        lifetimes: &SessionLifetimes,
    ) -> Result<u64, StoreError> {
        let lifetimes = *lifetimes;
        self.db
            .run(move |conn| {
                let mut purged = diesel::delete(
                    sessions::table.filter(sessions::absolute_expires_at.le(instant(now))),
                )
                .execute(conn)?;
                // Instants are fixed-width text, so `<=` on text is `<=` on time; the bounds
                // are those of `Session::is_expired`.
                for role in [Role::Employee, Role::Admin] {
                    let RoleLifetime { idle, absolute } = lifetimes.for_role(role);
                    let of_role = users::table
                        .filter(users::role.eq(role.as_str()))
                        .select(users::id);
                    purged += diesel::delete(
                        sessions::table
                            .filter(sessions::user_id.eq_any(of_role))
                            .filter(
                                sessions::last_seen_at
                                    .le(instant(now - idle))
                                    .or(sessions::created_at.le(instant(now - absolute))),
                            ),
                    )
                    .execute(conn)?;
                }
                Ok(count(purged))
            })
            .await
    }

    async fn count_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        self.db
            .read(move |conn| {
                sessions::table
                    .filter(sessions::user_id.eq(user_id))
                    .select(count_star())
                    .first::<i64>(conn)
                    .map(|n| u64::try_from(n).unwrap_or_default())
            })
            .await
    }
}
