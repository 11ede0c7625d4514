//! The server in live mode against a wiremock HubSpot (the adapter's own fake, U6.2) for a firm
//! of three advisers: the deal owner write recovers through the outbox (H2.1.5, U1.6.3) and a
//! HubSpot outage is answered 503 so HubSpot retries (H2.1.4, S14.1).

use crate::hubspot_fake::{meeting, mount_listings, mount_searches};
use crate::support::{TestApp, status_json};
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use domain::ports::{Clock, DecisionQuery, DecisionStore, HubspotWriteStatus};
use domain::usecase::webhook::{OutboxPass, run_outbox_pass};
use offline_fakes::ManualClock;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "live-webhook-secret-0123456789";
const DEAL: &str = "8800001";
/// The deal PATCH's answers, in the order the recovery test moves through them.
const FAIL_500: usize = 0;
const RATE_LIMITED: usize = 1;
const SUCCEED: usize = 2;

/// Three advisers taking on Series A clients, their owners and a few meetings around `now`.
async fn tiny_firm(server: &MockServer, now: DateTime<Utc>) {
    let advisers = [("1001", "ann"), ("1002", "bob"), ("1003", "cat")];
    let users = advisers
        .iter()
        .enumerate()
        .map(|(i, (owner, name))| {
            json!({"id": (500 + i).to_string(), "properties": {
                "hs_email": format!("{name}@firm.example"), "hubspot_owner_id": owner,
                "taking_on_clients": "True", "client_types": "Series A; Seed",
                "household_type": "Single;Couple", "pod_type": "Standard Pod",
                "adviser_start_date": "2022-07-01"}})
        })
        .collect();
    let owners = advisers
        .iter()
        .map(|(owner, name)| {
            json!({"id": owner, "firstName": name.to_uppercase(), "lastName": "Adviser",
                   "email": format!("{name}@firm.example"), "userId": 9000, "archived": false})
        })
        .collect();
    let meetings = (0..12u64)
        .map(|i| {
            let start = now + TimeDelta::days(i as i64 - 4);
            let kind = if i % 3 == 0 { "Kick Off" } else { "Clarify" };
            let owner = advisers[i as usize % advisers.len()].0;
            meeting(i + 1, owner, &start.to_rfc3339(), kind)
        })
        .collect();
    mount_listings(server, users, owners).await;
    mount_searches(server, meetings, Vec::new()).await;
}

/// `route` answers 503 (ahead of the firm's mocks, whenever they are mounted).
async fn down(server: &MockServer, verb: &str, route: &str) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"status": "error"})))
        .with_priority(1)
        .mount(server)
        .await;
}

/// A live server whose HubSpot answers 503 on `route`; the firm is mounted when `firm`.
async fn outage(verb: &str, route: &str, firm: bool) -> (MockServer, ManualClock, TestApp) {
    let server = MockServer::start().await;
    down(&server, verb, route).await;
    let clock = ManualClock::at(Utc::now().trunc_subsecs(3));
    if firm {
        tiny_firm(&server, clock.now()).await;
    }
    let app = live_app(&server, &clock).await;
    (server, clock, app)
}

/// No PATCH was sent and no decision chose an adviser.
async fn nothing_allocated(server: &MockServer, app: &TestApp) {
    let sent = server.received_requests().await.unwrap();
    assert!(patches(&sent).is_empty());
    let recorded = decisions(app).await;
    assert!(
        recorded
            .iter()
            .all(|d| d.outcome.as_str() == "upstream_unavailable" && d.chosen.is_none()),
        "{recorded:?}"
    );
}

/// The server in live mode on `clock`, pointed at `server`.
async fn live_app(server: &MockServer, clock: &ManualClock) -> TestApp {
    let base = server.uri();
    TestApp::spawn_full(
        &[
            ("HUBSPOT_TOKEN", "pat-na1-live-test-token"),
            ("HUBSPOT_BASE_URL", base.as_str()),
            ("HUBSPOT_CLIENT_SECRET", SECRET),
        ],
        Some(Arc::new(clock.clone())),
    )
    .await
}

fn deal_body() -> String {
    json!({"object": {"objectType": "DEAL", "objectId": 1},
           "fields": {"service_package": "Series A", "household_type": "Single",
                      "hs_deal_record_id": DEAL}})
    .to_string()
}

/// A delivery signed at the server's "now" (S8.2 checks the window against its clock).
async fn deliver(app: &TestApp, clock: &ManualClock) -> reqwest::Response {
    let ts = clock.now().timestamp_millis();
    app.signed_post("/post/allocate", &deal_body(), SECRET, Some(ts))
        .await
}

async fn outbox_pass(app: &TestApp) -> OutboxPass {
    let state = &app.state;
    run_outbox_pass(&state.crm, &state.store, &state.clock, &|| 0.0)
        .await
        .unwrap()
}

async fn decisions(app: &TestApp) -> Vec<domain::ports::DecisionSummary> {
    let query = DecisionQuery {
        outcome: None,
        hubspot_write: None,
        deal_id: Some(DEAL.into()),
        adviser: None,
        within: TimeDelta::days(3650),
        page: 1,
        page_size: 200,
    };
    let now = app.state.clock.now();
    app.state
        .store
        .list_decisions(query, now)
        .await
        .unwrap()
        .items
}

fn patches(requests: &[Request]) -> Vec<&Request> {
    requests
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .collect()
}

/// U1.6.3: the deal PATCH answers 500 (to the inline attempt and its retries), then 429 with a
/// `Retry-After` above the client's limit, then 200. The webhook answers 200 `pending`; the
/// outbox waits 1 minute, honours the 120 s `Retry-After`, writes once, and a redelivery
/// replays without writing (S8.5, I1).
#[tokio::test]
async fn u1_6_3_the_owner_write_recovers_through_the_outbox_exactly_once() {
    let server = MockServer::start().await;
    let clock = ManualClock::at(Utc::now().trunc_subsecs(3));
    tiny_firm(&server, clock.now()).await;
    // What the PATCH answers now (the test moves it on), and how often each answer was given.
    let phase = Arc::new(AtomicUsize::new(FAIL_500));
    let answered: Arc<[AtomicUsize; 3]> = Arc::new(Default::default());
    let (now_answering, count) = (phase.clone(), answered.clone());
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/crm/v3/objects/deals/\d+$"))
        .respond_with(move |_: &Request| {
            let phase = now_answering.load(Ordering::SeqCst);
            count[phase].fetch_add(1, Ordering::SeqCst);
            match phase {
                FAIL_500 => ResponseTemplate::new(500).set_body_json(json!({"status": "error"})),
                RATE_LIMITED => ResponseTemplate::new(429)
                    .insert_header("retry-after", "120")
                    .set_body_json(json!({"status": "error", "policyName": "SECONDLY"})),
                _ => ResponseTemplate::new(200).set_body_json(json!({"id": DEAL})),
            }
        })
        .mount(&server)
        .await;
    let given = |phase: usize| answered[phase].load(Ordering::SeqCst);
    let app = live_app(&server, &clock).await;

    let (status, answer) = status_json(deliver(&app, &clock).await).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "allocated");
    assert_eq!(answer["hubspot_write"], "pending");
    assert_eq!(answer["replayed"], false);
    let owner = answer["adviser"]["hubspot_owner_id"].as_str().unwrap();
    // The inline attempt retried within its 3 s (U0.3: at most 3 attempts).
    let inline = given(FAIL_500);
    assert!((1..=3).contains(&inline), "{inline} inline attempts");
    let id = answer["allocation_id"].as_str().unwrap().to_owned();

    // Backoff: nothing is due before the first minute (U1.6.3: 1, 2, 4 … minutes).
    assert_eq!(outbox_pass(&app).await, OutboxPass::default());
    clock.advance(TimeDelta::seconds(59));
    assert_eq!(outbox_pass(&app).await, OutboxPass::default());
    phase.store(RATE_LIMITED, Ordering::SeqCst);
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(outbox_pass(&app).await.rescheduled, 1, "the 429");
    assert_eq!(
        given(RATE_LIMITED),
        1,
        "a Retry-After above 60 s is not waited for"
    );
    let stored = app.state.store.get_decision(&id).await.unwrap().unwrap();
    assert_eq!(stored.hubspot_write.status, HubspotWriteStatus::Pending);
    assert_eq!(stored.hubspot_write.attempts, 2);
    assert_eq!(
        stored.hubspot_write.next_attempt_at,
        Some(clock.now() + TimeDelta::seconds(120)),
        "a RateLimited answer reschedules at its Retry-After"
    );

    clock.advance(TimeDelta::seconds(119));
    assert_eq!(outbox_pass(&app).await, OutboxPass::default());
    phase.store(SUCCEED, Ordering::SeqCst);
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(outbox_pass(&app).await.done, 1);
    assert_eq!(outbox_pass(&app).await, OutboxPass::default());
    let sent = server.received_requests().await.unwrap();
    let sent_patches = patches(&sent);
    assert_eq!(sent_patches.len(), inline + 2);
    assert_eq!(given(SUCCEED), 1, "written exactly once");
    for p in &sent_patches {
        assert_eq!(p.url.path(), format!("/crm/v3/objects/deals/{DEAL}"));
        let body: Value = serde_json::from_slice(&p.body).unwrap();
        assert_eq!(
            body,
            json!({"properties": {"advisor": owner}}),
            "one owner id"
        );
    }
    let stored = app.state.store.get_decision(&id).await.unwrap().unwrap();
    assert_eq!(stored.hubspot_write.status, HubspotWriteStatus::Done);
    assert_eq!(stored.hubspot_write.written_at, Some(clock.now()));

    // A redelivery inside the dedupe window replays the decision and writes nothing.
    let (status, again) = status_json(deliver(&app, &clock).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["allocation_id"], id.as_str());
    assert_eq!(again["hubspot_write"], "done");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(
        patches(&sent).len(),
        inline + 2,
        "no PATCH after the replay"
    );
    let recorded = decisions(&app).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].replay_count, 1);
}

/// S14.1: the meetings search answers 503. Every adviser is `data_unavailable`, so the webhook
/// answers 503 `upstream_unavailable` with `Retry-After` (H2.1.4) and nothing is allocated or
/// written; the recorded row is an `upstream_unavailable` decision, which the next delivery takes
/// over (H2.1.3).
#[tokio::test]
async fn s14_1_hubspot_meetings_down_answers_503_with_retry_after_and_allocates_nothing() {
    let (server, clock, app) = outage("POST", "/crm/v3/objects/meetings/search", true).await;

    let response = deliver(&app, &clock).await;
    assert_eq!(response.status(), 503);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    let (_, body) = status_json(response).await;
    assert_eq!(body["error"]["code"], "upstream_unavailable");
    assert_eq!(body["error"]["details"]["upstream"], "hubspot");
    nothing_allocated(&server, &app).await;
    // Adviser data exists (the users listing answered), so the outcome is recorded with its
    // explanation: every adviser `data_unavailable` from `hubspot_meetings` (H3.2).
    let recorded = decisions(&app).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        body["error"]["details"]["allocation_id"],
        recorded[0].id.as_str()
    );
    let stored = app
        .state
        .store
        .get_decision(&recorded[0].id)
        .await
        .unwrap()
        .unwrap();
    let explanation: Value = serde_json::from_str(&stored.explanation).unwrap();
    for adviser in explanation["result"]["advisers"].as_array().unwrap() {
        assert_eq!(adviser["excluded_reason"], "data_unavailable");
        assert_eq!(adviser["excluded_detail"], "hubspot_meetings");
    }
}

/// H2.1.4: the users listing itself fails: 503 and nothing allocated; once HubSpot is back the
/// next delivery takes the claim over and allocates (H2.1.3: re-evaluating is safe).
#[tokio::test]
async fn h2_1_3_after_a_users_outage_the_next_delivery_allocates() {
    let (server, clock, app) = outage("GET", "/crm/v3/objects/users", true).await;

    let response = deliver(&app, &clock).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let (_, body) = status_json(response).await;
    assert_eq!(body["error"]["code"], "upstream_unavailable");
    nothing_allocated(&server, &app).await;

    server.reset().await;
    tiny_firm(&server, clock.now()).await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": DEAL})))
        .expect(1)
        .mount(&server)
        .await;
    clock.advance(TimeDelta::seconds(90));
    let (status, answer) = status_json(deliver(&app, &clock).await).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "allocated");
    assert_eq!(answer["hubspot_write"], "done");
    let allocated: Vec<_> = decisions(&app)
        .await
        .into_iter()
        .filter(|d| d.outcome.as_str() == "allocated")
        .collect();
    assert_eq!(allocated.len(), 1);
}

/// H2.11: `/readyz` shows the HubSpot breaker's real state (U0.6), and an open breaker never
/// makes the server not ready.
#[tokio::test]
async fn h2_11_readyz_reports_the_hubspot_breaker_opened_by_an_outage() {
    let (_server, clock, app) = outage("GET", "/crm/v3/objects/users", false).await;
    let readyz =
        || async { status_json(app.client.get(app.url("/readyz")).send().await.unwrap()).await };
    let (status, ready) = readyz().await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["upstreams"]["hubspot"], "closed");
    assert_eq!(ready["upstreams"]["firestore"], "disabled");

    // Two deliveries: 3 + 3 failed attempts, past the 5 consecutive failures that open it.
    for _ in 0..2 {
        assert_eq!(deliver(&app, &clock).await.status(), 503);
    }
    let (status, ready) = readyz().await;
    assert_eq!(status, 200, "informational only: {ready}");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["upstreams"]["hubspot"], "open");
}
