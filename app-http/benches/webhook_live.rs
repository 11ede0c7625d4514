//! Fresh allocations in live mode (security.md S14.7 B3; the acceptance "≤ 15 HubSpot calls per
//! allocation, p50 ≤ 3 s"). A fake HubSpot (the adapter's wiremock fake, U6.2) serves 60
//! advisers, ~2,000 meetings and 150 deals without a Clarify, answers every call after
//! `ALLOT_BENCH_LATENCY_MS` (default 150) and enforces HubSpot's limits (U1.2): CRM search
//! 5 requests/s per account and 190 requests per 10 s, each answered 429 with `Retry-After` when
//! exceeded. The server runs in live mode on 127.0.0.1:0 with a temporary SQLite file and gets
//! `ALLOT_BENCH_SEQUENTIAL` (default 20) distinct signed deals one after another, then
//! `ALLOT_BENCH_CONCURRENT` (default 20) more from `ALLOT_BENCH_CONCURRENCY` (default 4) clients.
//! Prints p50/p99 latency per phase and the HubSpot calls per allocation counted at the fake.
//! Run: `cargo bench -p app-http --bench webhook_live`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may panic on a broken set-up

mod common;
#[allow(dead_code)]
#[path = "../../adapters/hubspot/tests/it/fake.rs"]
mod fake;

use app_http::Settings;
use app_http::state::AppState;
use chrono::{TimeDelta, Utc};
use common::{env_usize, signed_allocate};
use fake::{deal, listing, meeting, search};
use poem::listener::{Acceptor, Listener, TcpListener};
use serde_json::json;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ADVISERS: usize = 60;
const MEETINGS: usize = 2_000;
const SECRET: &str = "bench-webhook-secret";

/// The fake's view of HubSpot's limits and what it was asked.
#[derive(Debug, Default)]
struct Meter {
    /// Accepted calls in the last 10 s (all endpoints) and the last second (searches).
    general: VecDeque<Instant>,
    searches: VecDeque<Instant>,
    /// Every search that arrived in the last second, refused or not, and the most seen at once.
    search_arrivals: VecDeque<Instant>,
    peak_searches_per_sec: usize,
    calls: BTreeMap<&'static str, usize>,
    refused: BTreeMap<&'static str, usize>,
}

impl Meter {
    /// Counts the call; `Some(policy)` when it is over a limit.
    fn admit(&mut self, label: &'static str, is_search: bool) -> Option<&'static str> {
        let now = Instant::now();
        let recent = |q: &mut VecDeque<Instant>, window: Duration| {
            while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
                q.pop_front();
            }
            q.len()
        };
        *self.calls.entry(label).or_default() += 1;
        if is_search {
            self.search_arrivals.push_back(now);
            let seen = recent(&mut self.search_arrivals, Duration::from_secs(1));
            self.peak_searches_per_sec = self.peak_searches_per_sec.max(seen);
        }
        let policy = if recent(&mut self.general, Duration::from_secs(10)) >= 190 {
            Some("TEN_SECONDLY_ROLLING")
        } else if is_search && recent(&mut self.searches, Duration::from_secs(1)) >= 5 {
            Some("SECONDLY")
        } else {
            None
        };
        match policy {
            Some(_) => *self.refused.entry(label).or_default() += 1,
            None => {
                self.general.push_back(now);
                if is_search {
                    self.searches.push_back(now);
                }
            }
        }
        policy
    }

    fn total(&self) -> usize {
        self.calls.values().sum()
    }
}

/// A fake endpoint behind the limits and the latency.
struct Limited<R> {
    label: &'static str,
    is_search: bool,
    latency: Duration,
    meter: Arc<Mutex<Meter>>,
    inner: R,
}

impl<R: Fn(&Request) -> ResponseTemplate + Send + Sync + 'static> Respond for Limited<R> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let over = self.meter.lock().unwrap().admit(self.label, self.is_search);
        let answer = match over {
            Some(policy) => ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"status": "error", "errorType": "RATE_LIMIT",
                    "message": "You have reached your limit.", "policyName": policy})),
            None => (self.inner)(request),
        };
        answer.set_delay(self.latency)
    }
}

/// Mounts the firm: users, owners, meetings from last week on, deals, and the owner PATCH.
async fn fake_hubspot(meter: &Arc<Mutex<Meter>>, latency: Duration) -> MockServer {
    let server = MockServer::start().await;
    let owner = |i: usize| (2001 + i).to_string();
    let email = |i: usize| format!("adviser{i}@firm.example");
    let users = (0..ADVISERS)
        .map(|i| {
            json!({"id": (500 + i).to_string(), "properties": {
                "hs_email": email(i), "hubspot_owner_id": owner(i), "taking_on_clients": "True",
                "client_types": "Series A; Seed", "household_type": "Single;Couple",
                "pod_type": if i % 5 == 0 { "Solo Adviser" } else { "Standard Pod" },
                "adviser_start_date": "2022-07-01"}})
        })
        .collect();
    let owners = (0..ADVISERS)
        .map(|i| {
            json!({"id": owner(i), "firstName": "Adviser", "lastName": i.to_string(),
                   "email": email(i), "userId": 9000 + i, "archived": false})
        })
        .collect();
    // ~2,000 meetings from six days ago over the next ten weeks.
    let first = Utc::now() - TimeDelta::days(6);
    let meetings = (0..MEETINGS)
        .map(|i| {
            let kind = if i % 3 == 0 { "Kick Off" } else { "Clarify" };
            let start = first + TimeDelta::minutes(i as i64 * 50);
            meeting(
                i as u64 + 1,
                &owner(i % ADVISERS),
                &start.to_rfc3339(),
                kind,
            )
        })
        .collect();
    let deals = (0..150u64)
        .map(|i| deal(i + 1, &email(i as usize % ADVISERS), json!("2025-03-26")))
        .collect();
    let limited = |label, is_search, inner| Limited {
        label,
        is_search,
        latency,
        meter: meter.clone(),
        inner,
    };
    type Inner = Box<dyn Fn(&Request) -> ResponseTemplate + Send + Sync>;
    let routes: [(&str, &str, &'static str, Inner); 4] = [
        (
            "GET",
            "/crm/v3/objects/users",
            "users",
            Box::new(listing(users)),
        ),
        ("GET", "/crm/v3/owners", "owners", Box::new(listing(owners))),
        (
            "POST",
            "/crm/v3/objects/meetings/search",
            "meetings_search",
            Box::new(search(meetings)),
        ),
        (
            "POST",
            "/crm/v3/objects/deals/search",
            "deals_search",
            Box::new(search(deals)),
        ),
    ];
    for (verb, route, label, inner) in routes {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(limited(label, verb == "POST", inner))
            .mount(&server)
            .await;
    }
    let patch: Inner =
        Box::new(|_| ResponseTemplate::new(200).set_body_json(json!({"properties": {}})));
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/crm/v3/objects/deals/\d+$"))
        .respond_with(limited("deal_patch", false, patch))
        .mount(&server)
        .await;
    server
}

/// The server in live mode against the fake, on a bound socket.
async fn live_server(hubspot: &MockServer, dir: &std::path::Path) -> String {
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
    let base = format!("http://{addr}");
    let env: Vec<(String, String)> = [
        ("DATABASE_URL", dir.join("bench.db").display().to_string()),
        ("PUBLIC_BASE_URL", base.clone()),
        ("HUBSPOT_TOKEN", "pat-na1-bench-token".into()),
        ("HUBSPOT_BASE_URL", hubspot.uri()),
        ("HUBSPOT_CLIENT_SECRET", SECRET.into()),
        ("LOG_LEVEL", "error".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let state = AppState::build(Settings::from_sources(None, &env).unwrap())
        .await
        .unwrap();
    let app = app_http::app(state);
    tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });
    base
}

/// One signed delivery of a new deal: its status and latency.
async fn allocate(client: &reqwest::Client, base: &str, deal_id: u64) -> (u16, Duration) {
    let body = json!({"object": {"objectType": "DEAL", "objectId": deal_id},
        "fields": {"service_package": "Series A", "household_type": "Single",
                   "hs_deal_record_id": deal_id.to_string()}})
    .to_string();
    signed_allocate(client, base, SECRET, body).await
}

/// Latency percentiles, statuses and calls per allocation of one phase.
fn report(phase: &str, mut results: Vec<(u16, Duration)>, calls: usize, elapsed: Duration) {
    results.sort_by_key(|r| r.1);
    let pct = |p: f64| results[((results.len() as f64 * p) as usize).min(results.len() - 1)].1;
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for (status, _) in &results {
        *statuses.entry(*status).or_default() += 1;
    }
    println!(
        "{phase}: {} allocations in {elapsed:.2?}; p50 {:.2?}, p99 {:.2?}, max {:.2?}; \
         statuses {statuses:?}; HubSpot calls {calls} = {:.1} per allocation",
        results.len(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
        calls as f64 / results.len() as f64,
    );
}

#[tokio::main]
async fn main() {
    let latency = Duration::from_millis(env_usize("ALLOT_BENCH_LATENCY_MS", 150) as u64);
    let sequential = env_usize("ALLOT_BENCH_SEQUENTIAL", 20).max(1);
    let concurrent = env_usize("ALLOT_BENCH_CONCURRENT", 20);
    let concurrency = env_usize("ALLOT_BENCH_CONCURRENCY", 4).max(1);
    let meter = Arc::new(Mutex::new(Meter::default()));
    let hubspot = fake_hubspot(&meter, latency).await;
    let dir = tempfile::tempdir().unwrap();
    let base = live_server(&hubspot, dir.path()).await;
    let client = reqwest::Client::new();
    let calls = || meter.lock().unwrap().total();

    let mut next_deal = 7_000_000u64;
    let started = Instant::now();
    let mut results = Vec::with_capacity(sequential);
    for i in 0..sequential {
        next_deal += 1;
        results.push(allocate(&client, &base, next_deal).await);
        if i == 0 {
            println!(
                "first allocation (cold caches): status {} in {:.2?}, {} HubSpot calls",
                results[0].0,
                results[0].1,
                calls()
            );
        }
    }
    report("sequential", results, calls(), started.elapsed());

    if concurrent > 0 {
        let before = calls();
        let started = Instant::now();
        let deals: Vec<u64> = (1..=concurrent as u64).map(|i| next_deal + i).collect();
        let workers: Vec<_> = deals
            .chunks(concurrent.div_ceil(concurrency))
            .map(|chunk| {
                let (client, base, chunk) = (client.clone(), base.clone(), chunk.to_vec());
                tokio::spawn(async move {
                    let mut out = Vec::with_capacity(chunk.len());
                    for deal_id in chunk {
                        out.push(allocate(&client, &base, deal_id).await);
                    }
                    out
                })
            })
            .collect();
        let mut results = Vec::with_capacity(concurrent);
        for w in workers {
            results.extend(w.await.unwrap());
        }
        report(
            &format!("concurrent ({concurrency} clients)"),
            results,
            calls() - before,
            started.elapsed(),
        );
    }
    let meter = meter.lock().unwrap();
    println!(
        "calls by endpoint {:?}; refused with 429 by the fake's limits {:?}; \
         peak searches arriving within one second: {}",
        meter.calls, meter.refused, meter.peak_searches_per_sec
    );
}
