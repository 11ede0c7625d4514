//! One connection type over both backends, set up as security.md S11 requires.

use crate::url::DatabaseUrl;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

/// A connection to either backend. Queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

// SQLite: `busy_timeout` first, so that switching to WAL waits for other connections instead
// of failing; FULL sync so an acknowledged write survives power loss (S11.1).
const SQLITE_SETUP: &str = "PRAGMA busy_timeout = 5000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;";

// PostgreSQL: bounded waits, so a stuck lock becomes an error instead of a hung request (S11.2).
const POSTGRES_SETUP: &str = "SET statement_timeout = '5s';
SET lock_timeout = '2s';
SET idle_in_transaction_session_timeout = '10s';";

impl std::fmt::Debug for AnyConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AnyConnection::Postgres(_) => "AnyConnection::Postgres",
            AnyConnection::Sqlite(_) => "AnyConnection::Sqlite",
        })
    }
}

/// Opens a connection to exactly the backend the URL names (never falling back to the other).
pub fn establish(url: &DatabaseUrl) -> Result<AnyConnection, ConnectionError> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    ConnectionError::BadConnection(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let path = path.to_str().ok_or_else(|| {
                ConnectionError::InvalidConnectionUrl("the SQLite path is not UTF-8".into())
            })?;
            let mut conn = SqliteConnection::establish(path)?;
            conn.batch_execute(SQLITE_SETUP)
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(AnyConnection::Sqlite(conn))
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url)?;
            conn.batch_execute(POSTGRES_SETUP)
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(AnyConnection::Postgres(conn))
        }
    }
}
