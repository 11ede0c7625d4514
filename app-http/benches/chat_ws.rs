//! Chat WebSocket load (security.md S14.7; issue 6): the release server binary runs as a child
//! process on a temporary SQLite file; this process seeds `ALLOT_BENCH_USERS` users (default
//! 1,000, in connected pairs) straight into the same database, opens one socket per user, then
//! sends `ALLOT_BENCH_RATE` messages per second in total (default 50) for `ALLOT_BENCH_SECS`
//! (default 20) from random pair members. It prints the p50/p99/max delivery latency (send →
//! the receiver's `message` frame) and the server's resident memory (`VmRSS` of the child).
//! Run: `cargo bench -p app-http --bench chat_ws`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may panic on a broken set-up

mod common;

use chrono::Utc;
use common::{employee_session, percentile};
use domain::ports::{ConnectionStore, NewUser, Role, UserStore};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sql_store::{DatabaseUrl, SqlStore};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Kills the server when the bench ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn start_server(db: &std::path::Path) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_app-http"))
        .env_clear()
        .env("DATABASE_URL", db.display().to_string())
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("PUBLIC_BASE_URL", &base)
        .env("COOKIE_SECURE", "false")
        .env("LOG_LEVEL", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    let server = Server(child);
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (server, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become healthy");
}

/// Users `u0..u{n}` with a session each (cookie values), `u{2k}` connected with `u{2k+1}`.
async fn seed(store: &SqlStore, n: usize) -> Vec<(i64, String)> {
    let now = Utc::now();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let user = store
            .create_user(
                &NewUser {
                    username: format!("u{i}"),
                    email: format!("u{i}@example.com"),
                    password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$bench".into(),
                    role: Role::Employee,
                },
                now,
            )
            .await
            .unwrap();
        users.push((user.id, employee_session(store, user.id, now).await));
    }
    for pair in users.chunks(2) {
        if let [a, b] = pair {
            store.send_connection_request(a.0, b.0, now).await.unwrap();
            store.send_connection_request(b.0, a.0, now).await.unwrap();
        }
    }
    users
}

type Sent = Arc<Mutex<HashMap<String, Instant>>>;
type Latencies = Arc<Mutex<Vec<Duration>>>;

#[tokio::main]
async fn main() {
    let [n, rate, secs] = [("USERS", 1_000), ("RATE", 50), ("SECS", 20)].map(|(name, default)| {
        let value = std::env::var(format!("ALLOT_BENCH_{name}")).ok();
        value
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(default)
    });
    let (n, rate) = (n & !1, rate.max(1));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chat-bench.db");
    let (server, base) = start_server(&db).await;
    let pid = server.0.id();
    let rss_idle = rss_kib(pid);
    let store = SqlStore::new(&DatabaseUrl::Sqlite(db.clone())).unwrap();
    let started = Instant::now();
    let users = seed(&store, n).await;
    println!("seeded {n} users in {:.1?}", started.elapsed());

    let sent: Sent = Arc::default();
    let latencies: Latencies = Arc::default();
    let mut writers = Vec::with_capacity(n);
    let ws_url = base.replacen("http://", "ws://", 1) + "/api/portal/chat/ws";
    let opened = Instant::now();
    for (user_id, cookie) in &users {
        let mut request = ws_url.as_str().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
        request
            .headers_mut()
            .insert("origin", base.parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let (writer, mut reader) = ws.split();
        let (me, sent, latencies) = (*user_id, sent.clone(), latencies.clone());
        tokio::spawn(async move {
            while let Some(Ok(frame)) = reader.next().await {
                let Message::Text(text) = frame else { continue };
                let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let message = &value["message"];
                if value["type"] != "message" || message["from"] == me {
                    continue;
                }
                let key = message["client_msg_id"].as_str().unwrap_or("");
                if let Some(at) = sent.lock().unwrap().remove(key) {
                    latencies.lock().unwrap().push(at.elapsed());
                }
            }
        });
        writers.push(writer);
    }
    println!("opened {n} sockets in {:.1?}", opened.elapsed());
    let rss_connected = rss_kib(pid);

    let total = rate * secs;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    let load = Instant::now();
    for seq in 0..total {
        tick.tick().await;
        let from = fastrand::usize(..n);
        let to = users[from ^ 1].0;
        let key = format!("b{seq}");
        let frame =
            json!({"type": "send", "to": to, "body": format!("load {seq}"), "client_msg_id": key});
        sent.lock().unwrap().insert(key, Instant::now());
        writers[from]
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }
    let load_time = load.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_loaded = rss_kib(pid);

    let mut got = latencies.lock().unwrap().clone();
    got.sort();
    let lost = sent.lock().unwrap().len();
    println!(
        "chat_ws: {n} sockets ({} pairs), {total} messages in {load_time:.1?} ({:.1}/s)",
        n / 2,
        total as f64 / load_time.as_secs_f64()
    );
    println!(
        "delivery latency: p50 {:.2?}  p99 {:.2?}  max {:.2?}  ({} delivered, {lost} not delivered)",
        percentile(&got, 0.50),
        percentile(&got, 0.99),
        got.last().copied().unwrap_or_default(),
        got.len()
    );
    println!(
        "server RSS: {} MiB idle, {} MiB with {n} sockets, {} MiB after the load",
        rss_idle / 1024,
        rss_connected / 1024,
        rss_loaded / 1024
    );
    drop(server);
}
