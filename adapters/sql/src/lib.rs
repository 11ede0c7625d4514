//! Allot's SQL storage: one diesel adapter over SQLite (the default: a file, zero set-up) and
//! PostgreSQL (production and multi-instance deployments), chosen by the `DATABASE_URL` scheme.
//! Every repository port of the domain is implemented once, against [`AnyConnection`], and
//! runs on both backends.

mod connection;
mod migrate;
mod notify;
mod pool;
mod schema;
mod time;
mod url;

mod accounts;
mod closures;
mod hr;
mod pipeline;
mod portal;

pub use connection::AnyConnection;
pub use migrate::MigrationError;
pub use notify::listen;
pub use pool::{Db, PoolOptions};
pub use url::{Backend, DatabaseUrl, UrlError};

/// The SQL store: every repository over one pool.
#[derive(Clone, Debug)]
pub struct SqlStore {
    db: Db,
}

impl SqlStore {
    /// A store over `url` with the pool sized for its backend. Opens no connection yet.
    pub fn new(url: &DatabaseUrl) -> Result<SqlStore, domain::ports::StoreError> {
        let db = Db::new(url, PoolOptions::for_backend(url.backend()))?;
        Ok(SqlStore { db })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Applies every pending embedded migration of the backend (S11.3).
    pub async fn migrate(&self) -> Result<Vec<String>, MigrationError> {
        migrate::run(&self.db).await
    }

    /// Whether no embedded migration is pending.
    pub async fn migrations_current(&self) -> Result<bool, MigrationError> {
        migrate::current(&self.db).await
    }

    /// `SELECT 1` on a pooled connection (readiness, warm-up).
    pub async fn ping(&self) -> Result<(), domain::ports::StoreError> {
        use diesel::connection::SimpleConnection;
        self.db
            .run(|conn| match conn {
                AnyConnection::Postgres(pg) => pg.batch_execute("SELECT 1"),
                AnyConnection::Sqlite(lite) => lite.batch_execute("SELECT 1"),
            })
            .await
    }
}
