//! Load generator for the webhook replay path (security.md S14.7 B1/B2; issue: "ingest of
//! redelivered webhooks per second"). Starts the demo server on 127.0.0.1:0 with a temporary SQLite
//! file, allocates one deal, then sends `ALLOT_BENCH_REPLAYS` (default 2,000) signed redeliveries
//! from `ALLOT_BENCH_CONCURRENCY` (default 16) clients and prints throughput and latency.
//! Run: `cargo bench -p app-http --bench replay`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may panic on a broken set-up

mod common;

use app_http::Settings;
use app_http::state::AppState;
use common::{env_usize, signed_allocate};
use poem::listener::{Acceptor, Listener, TcpListener};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let total = env_usize("ALLOT_BENCH_REPLAYS", 2_000);
    let concurrency = env_usize("ALLOT_BENCH_CONCURRENCY", 16);
    let dir = tempfile::tempdir().unwrap();
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
    let env: Vec<(String, String)> = vec![
        (
            "DATABASE_URL".into(),
            dir.path().join("bench.db").to_string_lossy().into_owned(),
        ),
        ("PUBLIC_BASE_URL".into(), format!("http://{addr}")),
        ("LOG_LEVEL".into(), "error".into()),
    ];
    let state = AppState::build(Settings::from_sources(None, &env).unwrap())
        .await
        .unwrap();
    let app = app_http::app(state);
    tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });

    let body = include_str!("../../fixtures/demo/webhook-deal.json").to_owned();
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let send = |client: reqwest::Client, body: String, base: String| async move {
        signed_allocate(&client, &base, "allot-demo-secret", body).await
    };
    let first = send(client.clone(), body.clone(), base.clone()).await;
    println!(
        "first delivery (allocation): status {} in {:?}",
        first.0, first.1
    );

    let started = Instant::now();
    let per_worker = total / concurrency;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, body, base) = (client.clone(), body.clone(), base.clone());
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(per_worker);
                for _ in 0..per_worker {
                    out.push(send(client.clone(), body.clone(), base.clone()).await);
                }
                out
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut non_2xx = 0;
    for w in workers {
        for (status, latency) in w.await.unwrap() {
            if !(200..300).contains(&status) {
                non_2xx += 1;
            }
            latencies.push(latency);
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "replays: {} in {:.2?} = {:.0}/s, p50 {:.2?}, p99 {:.2?}, non-2xx {}",
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        non_2xx
    );
}
