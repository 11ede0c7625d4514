//! Write contention on both backends: W concurrent writers × N read-modify-write transactions
//! (`create_override`, a `BEGIN IMMEDIATE` / SERIALIZABLE write), counting failures and timing.
//!
//! `cargo bench -p sql-store --bench contention` (W = 8, N = 50 by default; set
//! `ALLOT_CONTENTION_WRITERS`, `ALLOT_CONTENTION_TXNS`). PostgreSQL runs when
//! `ALLOT_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`) is reachable.

use chrono::{Duration as Days, NaiveDate, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use domain::allocation::{CapacityOverride, ClientLimit};
use domain::ports::OverrideStore;
use sql_store::{DatabaseUrl, SqlStore};
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run(label: &str, store: SqlStore, writers: usize, txns: usize) {
    if let Err(e) = store.migrate().await {
        eprintln!("{label}: cannot migrate: {e}");
        return;
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(txns);
                let mut failures = 0usize;
                let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
                for t in 0..txns {
                    let value = CapacityOverride {
                        adviser_email: format!("writer{w}@example.com"),
                        effective_date: base + Days::days(t as i64),
                        client_limit_monthly: ClientLimit::new(6)
                            .unwrap_or_else(|_| unreachable!()),
                        pod_type: None,
                        notes: None,
                    };
                    let t0 = Instant::now();
                    if store.create_override(&value, Utc::now()).await.is_err() {
                        failures += 1;
                    }
                    latencies.push(t0.elapsed());
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        if let Ok((l, f)) = task.await {
            latencies.extend(l);
            failures += f;
        }
    }
    let total = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{label}: {writers} writers x {txns} transactions: {} ok, {failures} failed, total {:.0} ms, {:.0} txn/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len() - failures,
        total.as_secs_f64() * 1e3,
        latencies.len() as f64 / total.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies
            .last()
            .copied()
            .unwrap_or(Duration::ZERO)
            .as_secs_f64()
            * 1e3,
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let writers = env_usize("ALLOT_CONTENTION_WRITERS", 8);
    let txns = env_usize("ALLOT_CONTENTION_TXNS", 50);
    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("cannot create a temporary folder");
        return;
    };
    let url = DatabaseUrl::Sqlite(dir.path().join("contention.db"));
    match SqlStore::new(&url) {
        Ok(store) => run("sqlite", store, writers, txns).await,
        Err(e) => eprintln!("sqlite: {e}"),
    }

    let base = std::env::var("ALLOT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("allot_bench_{}", std::process::id());
    let Ok(mut admin) = PgConnection::establish(&base) else {
        eprintln!("postgres: not reachable at {base}; skipped");
        return;
    };
    if admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .is_err()
    {
        eprintln!("postgres: cannot create a schema; skipped");
        return;
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    if let Ok(url) = DatabaseUrl::parse(&format!(
        "{base}{separator}options=-csearch_path%3D{schema}"
    )) && let Ok(store) = SqlStore::new(&url)
    {
        run("postgres", store, writers, txns).await;
    }
    let _ = admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
}
