//! One behavioural suite, two backends: every test runs on a temporary SQLite file and on a fresh
//! PostgreSQL schema. Without a reachable PostgreSQL the `postgres::` tests print a visible skip
//! notice, unless `CI` is set: then they fail.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use sql_store::{DatabaseUrl, SqlStore};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The PostgreSQL server of the tests; its database must exist (CI: `test`).
pub fn postgres_base_url() -> String {
    std::env::var("ALLOT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A migrated store, removed when dropped.
pub struct TestDb {
    pub store: SqlStore,
    #[allow(dead_code)] // used by the durability tests
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { base_url: String, schema: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { base_url, schema } = &self.cleanup
            && let Ok(mut conn) = PgConnection::establish(base_url)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

impl TestDb {
    #[allow(dead_code)] // used by the durability tests
    /// A second store over the same database, as another process would open it.
    pub fn reopen(&self) -> SqlStore {
        SqlStore::new(&self.url).expect("store")
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = DatabaseUrl::Sqlite(dir.path().join("allot.db"));
    let store = SqlStore::new(&url).expect("store");
    store.migrate().await.expect("migrations");
    TestDb {
        store,
        url,
        cleanup: Cleanup::Sqlite(dir),
    }
}

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

/// A fresh schema per test, so runs and tests never collide. `None` (after a notice) when no
/// server is reachable outside CI.
pub async fn postgres() -> Option<TestDb> {
    let base_url = postgres_base_url();
    let schema = format!(
        "allot_it_{}_{}_{}",
        std::process::id(),
        SCHEMAS.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let created = {
        let (base_url, schema) = (base_url.clone(), schema.clone());
        tokio::task::spawn_blocking(move || {
            let mut conn = PgConnection::establish(&base_url)?;
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        })
        .await
        .expect("join")
    };
    if let Err(e) = created {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but PostgreSQL at {base_url} is unreachable: {e}");
        }
        eprintln!("SKIP postgres test: no PostgreSQL at {base_url} ({e}); set CI=1 to require it");
        return None;
    }
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let url = DatabaseUrl::parse(&format!(
        "{base_url}{separator}options=-csearch_path%3D{schema}"
    ))
    .expect("postgres url");
    let store = SqlStore::new(&url).expect("store");
    store.migrate().await.expect("migrations");
    Some(TestDb {
        store,
        url,
        cleanup: Cleanup::Postgres { base_url, schema },
    })
}

/// Runs each named test (an `async fn(&TestDb)` in the calling module) on both backends, as
/// `sqlite::<name>` and `postgres::<name>`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = $crate::harness::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = $crate::harness::postgres().await else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
}
