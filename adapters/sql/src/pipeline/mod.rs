//! The allocation pipeline's repositories (http-api.md H2.1, H2.2, H7.5–H7.7; security.md S9):
//! claims, decisions and their owner write outbox, webhook receipts, Box folders, worker leases.

mod box_folders;
mod claims;
mod decisions;
mod history;
mod leases;
mod outbox;
mod receipts;

use crate::time::corrupt;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Two first claims of one key met: the loser's insert broke the primary key. Only PostgreSQL
/// gets here (SQLite's `BEGIN IMMEDIATE` serialises writers); running again sees the winner.
#[derive(Debug)]
struct Race;

/// How often a claim is run again after a [`Race`]; one more run always sees the winner's row.
const RACE_RETRIES: usize = 3;

/// A unique violation becomes a [`Race`], which rolls the transaction back.
fn race_or<T>(result: Result<T, DieselError>) -> Result<Result<T, Race>, DieselError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(Err(Race)),
        Err(e) => Err(e),
    }
}

/// A stored snake_case name back into its domain enum.
fn parse_name<T>(value: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T, DieselError> {
    parse(value).ok_or_else(|| corrupt(format!("{what} {value:?}")))
}

/// A stored counter (attempts, replays) as the domain's unsigned count.
fn count(value: i32, what: &str) -> Result<u32, DieselError> {
    u32::try_from(value).map_err(|_| corrupt(format!("{what} {value}")))
}

/// A domain count into an INTEGER column (saturating; counts this large do not occur).
fn count_column(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// Loads at most one row of `$query` as `$row`, locking it on PostgreSQL (`FOR UPDATE`, S11.2);
/// on SQLite the write transaction's `BEGIN IMMEDIATE` already excludes other writers.
macro_rules! first_locked {
    ($conn:expr, $query:expr, $row:ty) => {{
        let query = $query;
        match $conn {
            $crate::connection::AnyConnection::Postgres(c) => {
                query.for_update().first::<$row>(c).optional()
            }
            $crate::connection::AnyConnection::Sqlite(c) => query.first::<$row>(c).optional(),
        }
    }};
}
use first_locked;
