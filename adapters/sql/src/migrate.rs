//! Embedded migrations, one folder per backend with the same logical schema (S11.3), applied at
//! start-up (`RUN_MIGRATIONS`) and by `allot migrate`.

use crate::connection::AnyConnection;
use crate::pool::Db;
use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary, fixed key for the advisory lock that serialises concurrent migrators.
const POSTGRES_LOCK_KEY: i64 = 0x616c_6c6f_745f_6d67;

/// Migrations could not be applied.
#[derive(Debug, thiserror::Error)]
#[error("database migration failed: {0}")]
pub struct MigrationError(pub String);

/// Applies every pending migration; returns the versions applied.
pub async fn run(db: &Db) -> Result<Vec<String>, MigrationError> {
    db.run(|conn| Ok(apply(conn)))
        .await
        .map_err(|e| MigrationError(e.to_string()))?
        .map_err(MigrationError)
}

/// Whether every embedded migration has been applied (readiness, S11.3).
pub async fn current(db: &Db) -> Result<bool, MigrationError> {
    db.run(|conn| {
        Ok(match conn {
            AnyConnection::Postgres(pg) => pg.has_pending_migration(POSTGRES),
            AnyConnection::Sqlite(lite) => lite.has_pending_migration(SQLITE),
        }
        .map(|pending| !pending)
        .map_err(|e| e.to_string()))
    })
    .await
    .map_err(|e| MigrationError(e.to_string()))?
    .map_err(MigrationError)
}

fn apply(conn: &mut AnyConnection) -> Result<Vec<String>, String> {
    let versions = |v: Vec<diesel::migration::MigrationVersion<'_>>| {
        v.into_iter().map(|v| v.to_string()).collect::<Vec<_>>()
    };
    match conn {
        AnyConnection::Postgres(pg) => {
            // Several processes may start at once: one migrates, the others wait.
            pg.batch_execute(&format!("SELECT pg_advisory_lock({POSTGRES_LOCK_KEY})"))
                .map_err(|e| e.to_string())?;
            let applied = pg
                .run_pending_migrations(POSTGRES)
                .map(versions)
                .map_err(|e| e.to_string());
            let unlock = pg
                .batch_execute(&format!("SELECT pg_advisory_unlock({POSTGRES_LOCK_KEY})"))
                .map_err(|e| e.to_string());
            let applied = applied?;
            unlock?;
            Ok(applied)
        }
        AnyConnection::Sqlite(lite) => match lite.run_pending_migrations(SQLITE) {
            Ok(applied) => Ok(versions(applied)),
            // Another process may have applied the same migration first: fine if none is left.
            Err(e) => match lite.has_pending_migration(SQLITE) {
                Ok(false) => Ok(Vec::new()),
                _ => Err(e.to_string()),
            },
        },
    }
}
