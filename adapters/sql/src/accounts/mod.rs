//! Accounts (portal.md P1.1, P1.2; security.md S2, S3): users, sessions, the login throttle and
//! profiles, one module per port.

mod directory;
mod profiles;
mod sessions;
mod throttle;
mod users;

use crate::connection::AnyConnection;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

/// JSON TEXT of a list of strings (portal.md P0.6).
fn list_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

fn parse_list(what: &str, json: &str) -> Result<Vec<String>, DieselError> {
    serde_json::from_str(json).map_err(|e| crate::time::corrupt(format!("{what}: {e}")))
}

/// The value of a transaction that has no domain refusal.
fn infallible<T>(result: Result<T, std::convert::Infallible>) -> T {
    let Ok(value) = result;
    value
}

/// A write transaction for hot rows, S11.2's alternative to SERIALIZABLE: `BEGIN IMMEDIATE` on
/// SQLite (the database write lock); READ COMMITTED on PostgreSQL, where the caller locks the
/// row it serialises on (`FOR NO KEY UPDATE`) and every later statement sees what the previous
/// lock holder committed. Many attempts on one row then queue instead of failing to serialize
/// and running out of retries. `Ok(Err(_))` (a domain refusal) rolls back like an error.
fn in_locking_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<Result<T, E>, DieselError>,
) -> Result<Result<T, E>, DieselError> {
    let begin = match conn {
        AnyConnection::Postgres(_) => "BEGIN ISOLATION LEVEL READ COMMITTED",
        AnyConnection::Sqlite(_) => "BEGIN IMMEDIATE",
    };
    crate::pool::refusable_transaction(conn, begin, f)
}

/// Locks the user's row until the end of an [`in_locking_transaction`] and returns its role
/// text; `None` when there is no such user. `NO KEY` so that inserts referencing the user
/// (applications, messages) are not held up.
fn lock_user(conn: &mut AnyConnection, id: i64) -> Result<Option<String>, DieselError> {
    use crate::schema::accounts::users::dsl::{id as user_id, role, users};
    let query = users.filter(user_id.eq(id)).select(role);
    match conn {
        AnyConnection::Postgres(c) => query.for_no_key_update().first::<String>(c).optional(),
        AnyConnection::Sqlite(c) => query.first::<String>(c).optional(),
    }
}
