//! Users (portal.md P1.1, P3): unique keys become `EmailTaken` / `UsernameTaken`, password and
//! role changes revoke sessions in the same transaction (security.md S2.4).

use super::{directory, in_locking_transaction, infallible, lock_user};
use crate::SqlStore;
use crate::connection::AnyConnection;
use crate::schema::accounts::{sessions, users};
use crate::time::{corrupt, instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};
use domain::ports::{
    BootstrapOutcome, CreateUserError, LoginKey, NewUser, Role, StoreError, UserAccount,
    UserCounts, UserPage, UserQuery, UserStore, UserSummary,
};
use std::convert::Infallible;

pub(super) type UserRow = (i64, String, String, String, String, String, String);

pub(super) const USER_COLUMNS: (
    users::id,
    users::username,
    users::email,
    users::password_hash,
    users::role,
    users::created_at,
    users::updated_at,
) = (
    users::id,
    users::username,
    users::email,
    users::password_hash,
    users::role,
    users::created_at,
    users::updated_at,
);

pub(super) fn user_from_row(row: UserRow) -> Result<UserAccount, DieselError> {
    let (id, username, email, password_hash, role, created_at, updated_at) = row;
    Ok(UserAccount {
        id,
        username,
        email,
        password_hash,
        role: parse_role(&role)?,
        created_at: parse_instant(&created_at)?,
        updated_at: parse_instant(&updated_at)?,
    })
}

pub(super) fn parse_role(role: &str) -> Result<Role, DieselError> {
    Role::parse(role).ok_or_else(|| corrupt(format!("role {role:?}")))
}

/// Which unique key a violation names: PostgreSQL reports the constraint, SQLite only the
/// message (`UNIQUE constraint failed: users.email`).
fn taken(info: &(dyn DatabaseErrorInformation + Send + Sync)) -> CreateUserError {
    let name = info.constraint_name().unwrap_or_else(|| info.message());
    if name.contains("username_key") {
        CreateUserError::UsernameTaken
    } else {
        CreateUserError::EmailTaken
    }
}

/// Inserts inside a write transaction. The explicit checks give P3.2's order (email first);
/// the unique constraints still decide a race, which maps to the same errors.
fn insert_user(
    conn: &mut AnyConnection,
    user: &NewUser,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Result<UserAccount, CreateUserError>, DieselError> {
    let key = user.username_key();
    let email_taken = users::table
        .filter(users::email.eq(&user.email))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?;
    if email_taken.is_some() {
        return Ok(Err(CreateUserError::EmailTaken));
    }
    let username_taken = users::table
        .filter(users::username_key.eq(&key))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?;
    if username_taken.is_some() {
        return Ok(Err(CreateUserError::UsernameTaken));
    }
    let inserted = diesel::insert_into(users::table)
        .values((
            users::username.eq(&user.username),
            users::username_key.eq(&key),
            users::email.eq(&user.email),
            users::password_hash.eq(&user.password_hash),
            users::role.eq(role.as_str()),
            users::created_at.eq(instant(now)),
            users::updated_at.eq(instant(now)),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => {}
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
            return Ok(Err(taken(info.as_ref())));
        }
        Err(e) => return Err(e),
    }
    // The id is assigned by the database: read the row back by its unique key.
    let row = users::table
        .filter(users::username_key.eq(&key))
        .select(USER_COLUMNS)
        .first::<UserRow>(conn)?;
    Ok(Ok(user_from_row(row)?))
}

fn admin_exists(conn: &mut AnyConnection) -> Result<bool, DieselError> {
    users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .select(users::id)
        .first::<i64>(conn)
        .optional()
        .map(|id| id.is_some())
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserAccount, CreateUserError> {
        let user = user.clone();
        Ok(self
            .db
            .write(move |conn| insert_user(conn, &user, user.role, now))
            .await??)
    }

    async fn get_user(&self, id: i64) -> Result<Option<UserAccount>, StoreError> {
        self.db
            .read(move |conn| {
                users::table
                    .filter(users::id.eq(id))
                    .select(USER_COLUMNS)
                    .first::<UserRow>(conn)
                    .optional()?
                    .map(user_from_row)
                    .transpose()
            })
            .await
    }

    async fn find_user_by_login(
        &self,
        login: &LoginKey,
    ) -> Result<Option<UserAccount>, StoreError> {
        let login = login.clone();
        self.db
            .read(move |conn| {
                let query = users::table.select(USER_COLUMNS).into_boxed();
                let query = match &login {
                    LoginKey::Email(email) => query.filter(users::email.eq(email.clone())),
                    LoginKey::Username(key) => query.filter(users::username_key.eq(key.clone())),
                };
                query
                    .first::<UserRow>(conn)
                    .optional()?
                    .map(user_from_row)
                    .transpose()
            })
            .await
    }

    async fn set_password_hash(
        &self,
        id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let password_hash = password_hash.to_owned();
        // The user's row lock orders this against logins: a session created before the commit
        // is deleted here, none can be created in between.
        let written = self
            .db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    if lock_user(conn, id)?.is_none() {
                        return Ok(Ok::<_, Infallible>(false));
                    }
                    diesel::update(users::table.filter(users::id.eq(id)))
                        .set((
                            users::password_hash.eq(&password_hash),
                            users::updated_at.eq(instant(now)),
                        ))
                        .execute(conn)?;
                    diesel::delete(sessions::table.filter(sessions::user_id.eq(id)))
                        .execute(conn)?;
                    Ok(Ok(true))
                })
            })
            .await?;
        Ok(infallible(written))
    }

    async fn upgrade_password_hash(
        &self,
        id: i64,
        current: &str,
        upgraded: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (current, upgraded) = (current.to_owned(), upgraded.to_owned());
        self.db
            .run(move |conn| {
                diesel::update(
                    users::table
                        .filter(users::id.eq(id))
                        .filter(users::password_hash.eq(&current)),
                )
                .set((
                    users::password_hash.eq(&upgraded),
                    users::updated_at.eq(instant(now)),
                ))
                .execute(conn)
                .map(|n| n > 0)
            })
            .await
    }

    async fn set_role(
        &self,
        id: i64,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Option<Role>, StoreError> {
        // Locked like a password change, for the same reason.
        let previous = self
            .db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    let Some(previous) = lock_user(conn, id)? else {
                        return Ok(Ok(None));
                    };
                    let previous = parse_role(&previous)?;
                    if previous != role {
                        diesel::update(users::table.filter(users::id.eq(id)))
                            .set((
                                users::role.eq(role.as_str()),
                                users::updated_at.eq(instant(now)),
                            ))
                            .execute(conn)?;
                        diesel::delete(sessions::table.filter(sessions::user_id.eq(id)))
                            .execute(conn)?;
                    }
                    Ok(Ok::<_, Infallible>(Some(previous)))
                })
            })
            .await?;
        Ok(infallible(previous))
    }

    async fn count_users_by_role(&self) -> Result<UserCounts, StoreError> {
        self.db.read(directory::count_by_role).await
    }

    async fn list_users(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let query = query.clone();
        self.db
            .read(move |conn| directory::page(conn, &query))
            .await
    }

    async fn user_summaries(&self, ids: &[i64]) -> Result<Vec<UserSummary>, StoreError> {
        let ids = ids.to_vec();
        self.db
            .read(move |conn| directory::summaries(conn, &ids))
            .await
    }

    async fn bootstrap_admin(
        &self,
        admin: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<BootstrapOutcome, CreateUserError> {
        let admin = admin.clone();
        let outcome = self
            .db
            .write(move |conn| {
                if admin_exists(conn)? {
                    return Ok(Ok(BootstrapOutcome::AdminExists));
                }
                Ok(insert_user(conn, &admin, Role::Admin, now)?.map(BootstrapOutcome::Created))
            })
            .await?;
        match outcome {
            // Another process bootstrapping at the same moment won with the same values.
            Err(CreateUserError::EmailTaken | CreateUserError::UsernameTaken)
                if self.db.read(admin_exists).await? =>
            {
                Ok(BootstrapOutcome::AdminExists)
            }
            other => other,
        }
    }
}
