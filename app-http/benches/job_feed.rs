//! Load generator for the portal job feed (security.md S14.7): a server on 127.0.0.1:0 with a
//! temporary SQLite file and 500 jobs in a fresh cache, one employee with a complete profile, and
//! `ALLOT_BENCH_CONCURRENCY` (default 32) clients sending `ALLOT_BENCH_REQUESTS` (default 2,000)
//! `GET /api/portal/jobs?limit=50` in total. Prints throughput and latency. No upstream is called
//! (the cache is fresh). Run: `cargo bench -p app-http --bench job_feed`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may panic on a broken set-up

mod common;

use app_http::Settings;
use app_http::state::AppState;
use chrono::{TimeDelta, Utc};
use common::{employee_session, env_usize};
use domain::ports::{
    JobStore, JobSyncBatch, NewUser, ProfileFields, ProfileStore, Role, SyncedJob, UserStore,
};
use poem::listener::{Acceptor, Listener, TcpListener};
use std::time::{Duration, Instant};

const ROLES: [(&str, &[&str], &[&str]); 4] = [
    (
        "Chef",
        &["Cooking", "Food Safety", "Inventory Management"],
        &["Food Handler Certification"],
    ),
    (
        "Cashier",
        &["Customer Service", "Cash Handling", "Food Safety"],
        &["Food Handler Certification"],
    ),
    (
        "Driver",
        &["Driving", "Customer Service", "Food Safety"],
        &["Driver's License"],
    ),
    (
        "Inspector",
        &["Gas leak tests", "City code adherence"],
        &["CGLI Inspector"],
    ),
];

/// 500 jobs over the last 20 days, four requirement sets.
fn jobs() -> JobSyncBatch {
    let now = Utc::now();
    let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let jobs: Vec<SyncedJob> = (0..500)
        .map(|i| {
            let (role, skills, certs) = ROLES[i % ROLES.len()];
            SyncedJob {
                external_id: (10_000 + i).to_string(),
                title: format!("{role} #{i}"),
                role: role.into(),
                company: format!("Company {}", i % 37),
                location: ["Sydney NSW", "Perth WA", "Hobart TAS"][i % 3].into(),
                description: "A job used by the feed benchmark.".into(),
                required_skills: strings(skills),
                required_certifications: strings(certs),
                posted_at: Some(now - TimeDelta::minutes(i as i64 * 57)),
            }
        })
        .collect();
    JobSyncBatch {
        listed_external_ids: jobs.iter().map(|j| j.external_id.clone()).collect(),
        fetched_count: jobs.len() as u32,
        jobs,
    }
}

/// An employee with a complete profile and a session; the cookie header.
async fn signed_in(state: &AppState) -> String {
    let now = Utc::now();
    let user = state
        .store
        .create_user(
            &NewUser {
                username: "bench".into(),
                email: "bench@example.com".into(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                    .into(),
                role: Role::Employee,
            },
            now,
        )
        .await
        .unwrap();
    let fields = ProfileFields {
        skills: vec!["Food Safety".into(), "cooking".into()],
        certifications: vec!["Food Handler Certification".into()],
        resume_link: Some("https://example.com/cv.pdf".into()),
        experience: Some("5y".into()),
        ..ProfileFields::default()
    };
    state
        .store
        .save_profile(user.id, &fields, now)
        .await
        .unwrap();
    employee_session(&state.store, user.id, now).await
}

#[tokio::main]
async fn main() {
    let total = env_usize("ALLOT_BENCH_REQUESTS", 2_000);
    let concurrency = env_usize("ALLOT_BENCH_CONCURRENCY", 32);
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
        ("COOKIE_SECURE".into(), "false".into()),
        ("LOG_LEVEL".into(), "error".into()),
    ];
    let state = AppState::build(Settings::from_sources(None, &env).unwrap())
        .await
        .unwrap();
    let now = Utc::now();
    state.store.apply_job_sync(jobs(), now, now).await.unwrap();
    let cookie = signed_in(&state).await;
    let app = app_http::app(state);
    tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });

    let url = format!("http://{addr}/api/portal/jobs?limit=50");
    let client = reqwest::Client::new();
    let get = |client: reqwest::Client, url: String, cookie: String| async move {
        let started = Instant::now();
        let r = client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let _ = r.bytes().await.unwrap();
        (status, started.elapsed())
    };
    let (status, first) = get(client.clone(), url.clone(), cookie.clone()).await;
    assert_eq!(status, 200, "the feed answers");
    println!("first request: {first:?}");

    let per_worker = total / concurrency;
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, cookie) = (client.clone(), url.clone(), cookie.clone());
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(per_worker);
                for _ in 0..per_worker {
                    out.push(get(client.clone(), url.clone(), cookie.clone()).await);
                }
                out
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(total);
    let mut errors = 0usize;
    for worker in workers {
        for (status, latency) in worker.await.unwrap() {
            errors += usize::from(status != 200);
            latencies.push(latency);
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "GET /api/portal/jobs?limit=50 (500 jobs cached): {} requests, {concurrency} clients, {errors} errors",
        latencies.len()
    );
    println!(
        "{:.0} req/s; p50 {:?}; p99 {:?}; max {:?}",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies[latencies.len() - 1]
    );
}
