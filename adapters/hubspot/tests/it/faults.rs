//! The U0 fault matrix on every HubSpot call: users, meetings search, deals search, deal PATCH,
//! and the contact reads (U1.7: one contact, deal associations, batch read).

use crate::support::{config, crm, fault_then_success, requests};
use chrono::Utc;
use domain::ports::{Contacts, Crm, UpstreamError};
use hubspot::{HubSpotConfig, HubSpotCrm};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Copy, Debug)]
enum Op {
    Users,
    Meetings,
    Deals,
    Patch,
    /// U1.7: the contact reads of Box folder naming.
    Contact,
    DealContacts,
    BatchRead,
}

const OPS: [Op; 7] = [
    Op::Users,
    Op::Meetings,
    Op::Deals,
    Op::Patch,
    Op::Contact,
    Op::DealContacts,
    Op::BatchRead,
];

impl Op {
    fn path(self) -> &'static str {
        match self {
            Op::Users => "/crm/v3/objects/users",
            Op::Meetings => "/crm/v3/objects/meetings/search",
            Op::Deals => "/crm/v3/objects/deals/search",
            Op::Patch => "/crm/v3/objects/deals/4242",
            Op::Contact => "/crm/v3/objects/contacts/501",
            Op::DealContacts => "/crm/v4/objects/deals/4242/associations/contacts",
            Op::BatchRead => "/crm/v3/objects/contacts/batch/read",
        }
    }

    fn success(self) -> Value {
        match self {
            Op::Users => json!({"results": [{"id": "1", "properties": {"hs_email": "a@x.com"}}]}),
            Op::Meetings | Op::Deals => json!({"total": 0, "results": []}),
            Op::Patch => json!({"id": "4242", "properties": {"advisor": "1001"}}),
            Op::Contact => json!({"id": "501", "properties": {"firstname": "Ann"}}),
            Op::DealContacts => json!({"results": [{"toObjectId": 501}]}),
            Op::BatchRead => json!({"status": "COMPLETE", "results": [{"id": "501"}]}),
        }
    }

    async fn run(self, crm: &HubSpotCrm) -> Result<(), UpstreamError> {
        match self {
            Op::Users => crm.advisers().await.map(drop),
            Op::Meetings => crm.meetings(&["1001".into()], Utc::now()).await.map(drop),
            Op::Deals => crm.deals_without_clarify().await.map(drop),
            Op::Patch => crm.set_deal_owner("4242", "1001").await,
            Op::Contact => crm.contact("501").await.map(drop),
            Op::DealContacts => crm.deal_contacts("4242").await.map(drop),
            Op::BatchRead => crm.contacts(&["501".into()]).await.map(drop),
        }
    }

    /// Answers `fault` the first `times` calls, then success.
    async fn mount(self, server: &MockServer, fault: ResponseTemplate, times: u64) {
        fault_then_success(server, self.path(), fault, times, self.success()).await;
    }
}

#[tokio::test]
async fn u0_4_500_502_503_are_retried_until_success_on_every_call() {
    for op in OPS {
        for status in [500, 502, 503] {
            let server = MockServer::start().await;
            op.mount(&server, ResponseTemplate::new(status), 2).await;
            op.run(&crm(&server)).await.unwrap();
            assert_eq!(requests(&server).await.len(), 3, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn u0_3_a_retryable_status_on_every_attempt_is_unavailable() {
    for op in OPS {
        let server = MockServer::start().await;
        op.mount(&server, ResponseTemplate::new(503), 3).await;
        let err = op.run(&crm(&server)).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{op:?} {err:?}"
        );
        assert_eq!(requests(&server).await.len(), 3, "{op:?}");
    }
}

#[tokio::test]
async fn u0_5_a_429_with_retry_after_waits_that_long() {
    let fault = ResponseTemplate::new(429)
        .insert_header("Retry-After", "1")
        .set_body_json(
            json!({"status": "error", "message": "You have reached your secondly limit.",
                              "errorType": "RATE_LIMIT", "policyName": "SECONDLY"}),
        );
    for op in [Op::Meetings, Op::Contact, Op::DealContacts, Op::BatchRead] {
        let server = MockServer::start().await;
        op.mount(&server, fault.clone(), 1).await;
        let started = Instant::now();
        op.run(&crm(&server)).await.unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_secs(1), "{op:?} {waited:?}");
        assert!(waited < Duration::from_millis(1_800), "{op:?} {waited:?}");
        assert_eq!(requests(&server).await.len(), 2, "{op:?}");
    }
}

#[tokio::test]
async fn u0_5_a_429_without_retry_after_waits_the_configured_window() {
    for op in OPS {
        let server = MockServer::start().await;
        op.mount(&server, ResponseTemplate::new(429), 1).await;
        let started = Instant::now();
        op.run(&crm(&server)).await.unwrap();
        let waited = started.elapsed();
        // The test configuration's window is 200 ms (10 s in production).
        assert!(waited >= Duration::from_millis(200), "{op:?} {waited:?}");
        assert!(waited < Duration::from_millis(1_000), "{op:?} {waited:?}");
    }
}

#[tokio::test]
async fn u0_5_a_429_on_every_attempt_is_rate_limited() {
    let server = MockServer::start().await;
    let rolling = ResponseTemplate::new(429).set_body_json(json!({
        "status": "error", "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT", "correlationId": "c-8", "policyName": "TEN_SECONDLY_ROLLING"}));
    Op::Deals.mount(&server, rolling, 3).await;
    let err = Op::Deals.run(&crm(&server)).await.unwrap_err();
    assert_eq!(err, UpstreamError::RateLimited { retry_after: None });
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn u1_3_a_daily_429_holds_every_hubspot_call_until_midnight() {
    let server = MockServer::start().await;
    let daily = ResponseTemplate::new(429).set_body_json(json!({
        "status": "error", "message": "You have reached your daily limit.",
        "errorType": "RATE_LIMIT", "correlationId": "c-9", "policyName": "DAILY"}));
    Op::Deals.mount(&server, daily, 3).await;
    let crm = crm(&server);
    let err = Op::Deals.run(&crm).await.unwrap_err();
    let UpstreamError::RateLimited {
        retry_after: Some(wait),
    } = err
    else {
        panic!("expected RateLimited with a wait, got {err:?}");
    };
    assert!(
        wait <= Duration::from_secs(25 * 3600),
        "until the next midnight: {wait:?}"
    );
    assert_eq!(
        requests(&server).await.len(),
        1,
        "a daily limit is not retried"
    );
    // Searches and other calls share the one HubSpot breaker: nothing goes out any more.
    for op in OPS {
        let err = op.run(&crm).await.unwrap_err();
        assert!(
            matches!(
                err,
                UpstreamError::Unavailable {
                    breaker_open: true,
                    ..
                }
            ),
            "{op:?} {err:?}"
        );
    }
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn u0_2_a_timeout_is_retried_then_unavailable() {
    for op in OPS {
        let server = MockServer::start().await;
        let slow = ResponseTemplate::new(200)
            .set_body_json(op.success())
            .set_delay(Duration::from_secs(2));
        op.mount(&server, slow.clone(), 3).await;
        let started = Instant::now();
        let err = op.run(&crm(&server)).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{op:?} {err:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(1_900),
            "{op:?}: three 500 ms timeouts"
        );
    }
}

#[tokio::test]
async fn u0_2_one_timeout_then_success() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
    Op::Users.mount(&server, slow, 1).await;
    crm(&server).advisers().await.unwrap();
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = MockServer::start().await;
    let crm = HubSpotCrm::new(&HubSpotConfig {
        base_url: format!("http://127.0.0.1:{port}"),
        ..config(&server)
    })
    .unwrap();
    for op in OPS {
        let err = op.run(&crm).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{op:?} {err:?}"
        );
    }
}

#[tokio::test]
async fn u0_4_malformed_json_is_retried_once_for_reads_and_never_for_the_patch() {
    for op in OPS {
        let server = MockServer::start().await;
        Mock::given(path(op.path()))
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"results\": [tru"))
            .mount(&server)
            .await;
        let err = op.run(&crm(&server)).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::InvalidResponse { .. }),
            "{op:?} {err:?}"
        );
        let expected = if matches!(op, Op::Patch) { 1 } else { 2 };
        assert_eq!(requests(&server).await.len(), expected, "{op:?}");
    }
}

#[tokio::test]
async fn a_page_without_results_is_an_invalid_response() {
    for op in [Op::Users, Op::Meetings, Op::Deals] {
        let server = MockServer::start().await;
        Mock::given(path(op.path()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"total": 3, "paging": {}})),
            )
            .mount(&server)
            .await;
        let err = op.run(&crm(&server)).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::InvalidResponse { .. }),
            "{op:?} {err:?}"
        );
    }
}

#[tokio::test]
async fn an_empty_page_is_an_empty_answer() {
    let server = MockServer::start().await;
    for op in [Op::Users, Op::Meetings, Op::Deals] {
        Mock::given(path(op.path()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
            .mount(&server)
            .await;
    }
    let crm = crm(&server);
    assert!(crm.advisers().await.unwrap().is_empty());
    let meetings = crm.meetings(&["1001".into()], Utc::now()).await.unwrap();
    assert_eq!(meetings.len(), 1);
    assert!(meetings["1001"].is_empty());
    assert!(crm.deals_without_clarify().await.unwrap().is_empty());
    assert_eq!(
        requests(&server).await.len(),
        3,
        "no owners call without owner ids"
    );
}

#[tokio::test]
async fn u1_1_a_401_is_unauthorized_and_never_retried() {
    for op in OPS {
        let server = MockServer::start().await;
        let body = json!({"status": "error", "message": "Authentication credentials not found.",
                          "category": "INVALID_AUTHENTICATION", "correlationId": "c-401"});
        op.mount(&server, ResponseTemplate::new(401).set_body_json(body), 1)
            .await;
        let err = op.run(&crm(&server)).await.unwrap_err();
        assert_eq!(err, UpstreamError::Unauthorized, "{op:?}");
        assert_eq!(requests(&server).await.len(), 1, "{op:?}");
    }
}
