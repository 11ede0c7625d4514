//! The employee portal's repositories (portal.md P1.3–P1.8), one module per port. Every
//! read-modify-write runs in one `Db::write` transaction, so it serialises with its competitors
//! (S11); a unique or foreign-key violation from a lost race is decided again against the
//! winner's committed row (see [`write_settling_races`]).

mod admin;
mod application_rows;
mod applications;
mod connections;
mod jobs;
mod messages;
mod outbox;
mod peers;
mod stats;

use crate::{AnyConnection, Db};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::ports::StoreError;
use std::sync::Arc;

/// JSON TEXT of a list of strings (P0.6).
fn list_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

fn parse_list(what: &str, json: &str) -> Result<Vec<String>, DieselError> {
    serde_json::from_str(json).map_err(|e| crate::time::corrupt(format!("{what}: {e}")))
}

/// A SQL count as the ports report it.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// How a portal write transaction ended when it did not commit.
enum Refusal<E> {
    /// A domain refusal: rolled back, reported as is.
    Domain(E),
    /// A concurrent transaction committed a conflicting row first.
    Raced,
}

/// `Raced` for the constraint violations a concurrent writer can cause; other errors pass.
fn settle<T, E>(result: Result<T, DieselError>) -> Result<Result<T, Refusal<E>>, DieselError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => Ok(Err(Refusal::Raced)),
        Err(e) => Err(e),
    }
}

/// How often a transaction that lost a race is decided again.
const RACE_ATTEMPTS: usize = 3;

/// Runs `f` in a write transaction. PostgreSQL may report a lost race as a unique (or foreign
/// key) violation instead of a serialization failure; the transaction is then rolled back and
/// run again, when it sees the winner's row and decides as the serial order would (e.g.
/// `AlreadyApplied`, a replayed message). SQLite's `BEGIN IMMEDIATE` never races.
async fn write_settling_races<T, E, F>(db: &Db, f: F) -> Result<Result<T, E>, StoreError>
where
    F: Fn(&mut AnyConnection) -> Result<Result<T, Refusal<E>>, DieselError> + Send + Sync + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let f = Arc::new(f);
    for _ in 0..RACE_ATTEMPTS {
        let attempt = Arc::clone(&f);
        match db.write(move |conn| attempt(conn)).await? {
            Ok(value) => return Ok(Ok(value)),
            Err(Refusal::Domain(e)) => return Ok(Err(e)),
            Err(Refusal::Raced) => {}
        }
    }
    Err(StoreError::Unavailable(
        "a write kept losing races to concurrent writers".to_owned(),
    ))
}
