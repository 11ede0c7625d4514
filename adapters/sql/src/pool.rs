//! The connection pool (deadpool) and the transaction discipline of security.md S11: SQLite
//! writers take the write lock up front (`BEGIN IMMEDIATE`), PostgreSQL read-modify-write runs
//! SERIALIZABLE and is retried on serialization failures.

use crate::connection::{AnyConnection, establish};
use crate::url::{Backend, DatabaseUrl};
use deadpool::Runtime;
use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use deadpool_sync::SyncWrapper;
use diesel::connection::SimpleConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::ports::StoreError;
use std::sync::Arc;
use std::time::Duration;

/// Pool size and waits (S11.1, S11.2).
#[derive(Clone, Copy, Debug)]
pub struct PoolOptions {
    pub max_size: usize,
    /// How long a caller waits for a free connection before `database_unavailable`.
    pub wait: Duration,
}

impl PoolOptions {
    pub fn for_backend(backend: Backend) -> PoolOptions {
        PoolOptions {
            max_size: match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 10,
            },
            wait: Duration::from_secs(5),
        }
    }
}

/// Creates connections for the pool.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl managed::Manager for Manager {
    type Type = SyncWrapper<AnyConnection>;
    type Error = diesel::ConnectionError;

    async fn create(&self) -> Result<Self::Type, Self::Error> {
        let url = self.url.clone();
        SyncWrapper::new(Runtime::Tokio1, move || establish(&url)).await
    }

    async fn recycle(&self, conn: &mut Self::Type, _: &Metrics) -> RecycleResult<Self::Error> {
        if conn.is_mutex_poisoned() {
            return Err(RecycleError::Message(
                "a query panicked on this connection".into(),
            ));
        }
        conn.interact(|c| c.batch_execute("SELECT 1"))
            .await
            .map_err(|e| RecycleError::Message(e.to_string().into()))?
            .map_err(|e| RecycleError::Message(e.to_string().into()))
    }
}

/// The database: a pool of connections to one backend.
#[derive(Clone)]
pub struct Db {
    pool: managed::Pool<Manager>,
    backend: Backend,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// How many times a serialization failure is retried on PostgreSQL (S11.2).
const SERIALIZATION_RETRIES: usize = 3;

impl Db {
    /// A pool over `url`; no connection is opened until one is needed.
    pub fn new(url: &DatabaseUrl, options: PoolOptions) -> Result<Db, StoreError> {
        let pool = managed::Pool::builder(Manager { url: url.clone() })
            .max_size(options.max_size)
            .wait_timeout(Some(options.wait))
            .create_timeout(Some(options.wait))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Unavailable(format!("cannot build the pool: {e}")))?;
        Ok(Db {
            pool,
            backend: url.backend(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` on a pooled connection, off the async runtime, without a transaction.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, DieselError> + Send + 'static,
        T: Send + 'static,
    {
        self.attempt(f).await.map_err(Failure::into_store_error)
    }

    async fn attempt<T, F>(&self, f: F) -> Result<T, Failure>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, DieselError> + Send + 'static,
        T: Send + 'static,
    {
        let conn = self
            .pool
            .get()
            .await
            .map_err(|e| Failure::Unavailable(format!("no database connection: {e}")))?;
        conn.interact(f)
            .await
            .map_err(|e| Failure::Unavailable(format!("database task failed: {e}")))?
            .map_err(Failure::from)
    }

    /// Runs `f` in a read-only transaction (`BEGIN DEFERRED` on SQLite, READ COMMITTED on
    /// PostgreSQL), so it sees one consistent snapshot.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, DieselError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| in_transaction(conn, "BEGIN", f)).await
    }

    /// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite; SERIALIZABLE on PostgreSQL,
    /// retried up to three times on a serialization failure, so `f` may run more than once.
    /// `f` returns `Ok` to commit; any error rolls back.
    pub async fn write<T, E, F>(&self, f: F) -> Result<Result<T, E>, StoreError>
    where
        F: Fn(&mut AnyConnection) -> Result<Result<T, E>, DieselError> + Send + Sync + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let f = Arc::new(f);
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN ISOLATION LEVEL SERIALIZABLE",
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let f = Arc::clone(&f);
            let result = self
                .attempt(move |conn| refusable_transaction(conn, begin, |c| f(c)))
                .await;
            match result {
                Err(Failure::Serialization(_)) if attempt <= SERIALIZATION_RETRIES => {
                    tokio::time::sleep(retry_pause(attempt)).await;
                }
                other => return other.map_err(Failure::into_store_error),
            }
        }
    }
}

/// [`in_transaction`] for a closure that may refuse: `Ok(Err(refusal))` rolls back like an error
/// and is returned as it is.
pub(crate) fn refusable_transaction<T, E, F>(
    conn: &mut AnyConnection,
    begin: &str,
    f: F,
) -> Result<Result<T, E>, DieselError>
where
    F: FnOnce(&mut AnyConnection) -> Result<Result<T, E>, DieselError>,
{
    let mut refusal = None;
    let committed = in_transaction(conn, begin, |c| match f(c)? {
        Ok(value) => Ok(value),
        Err(e) => {
            refusal = Some(e);
            Err(DieselError::RollbackTransaction)
        }
    });
    match (committed, refusal) {
        (_, Some(e)) => Ok(Err(e)),
        (Ok(value), None) => Ok(Ok(value)),
        (Err(e), None) => Err(e),
    }
}

/// `BEGIN …`, `f`, then `COMMIT` or `ROLLBACK`. Transactions are opened with plain SQL because
/// the statement differs per backend; nothing inside `f` opens another one.
fn in_transaction<T, F>(conn: &mut AnyConnection, begin: &str, f: F) -> Result<T, DieselError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, DieselError>,
{
    conn.batch_execute(begin)?;
    match f(conn) {
        Ok(value) => match conn.batch_execute("COMMIT") {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = conn.batch_execute("ROLLBACK");
                Err(e)
            }
        },
        Err(e) => {
            // The connection must not go back to the pool inside a transaction.
            conn.batch_execute("ROLLBACK")?;
            Err(e)
        }
    }
}

/// 10–50 ms between serialization retries (S11.2), spread by attempt and process so that
/// competing transactions do not retry in lockstep.
fn retry_pause(attempt: usize) -> Duration {
    let spread = (u64::from(std::process::id()) ^ (attempt as u64).wrapping_mul(0x9e37)) % 41;
    Duration::from_millis(10 + spread)
}

/// Why a database call failed, before it becomes a domain [`StoreError`].
#[derive(Debug)]
enum Failure {
    /// PostgreSQL could not serialize the transaction (40001) or broke a deadlock (40P01):
    /// running it again is the remedy.
    Serialization(String),
    Unavailable(String),
}

impl From<DieselError> for Failure {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Failure::Serialization(e.to_string())
            }
            DieselError::DatabaseError(_, info) if info.message().contains("deadlock detected") => {
                Failure::Serialization(e.to_string())
            }
            _ => Failure::Unavailable(e.to_string()),
        }
    }
}

impl Failure {
    fn into_store_error(self) -> StoreError {
        match self {
            Failure::Serialization(reason) | Failure::Unavailable(reason) => {
                StoreError::Unavailable(reason)
            }
        }
    }
}
