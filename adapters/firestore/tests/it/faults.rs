//! The U0/U4.7 fault matrix on each Firestore operation: get, patch, runQuery, commit.

use crate::fake::{FakeFirestore, ROOT, error};
use crate::support::{at, config, d, store};
use domain::allocation::OfficeClosure;
use domain::ports::{ClosureStore, EmployeeStore, StoreError};
use firestore_store::{FirestoreConfig, FirestoreStore};
use serde_json::json;
use std::time::{Duration, Instant};
use store_suite::employee;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[derive(Clone, Copy, Debug)]
enum Op {
    Get,
    Patch,
    Query,
    Commit,
}

const OPS: [Op; 4] = [Op::Get, Op::Patch, Op::Query, Op::Commit];

impl Op {
    fn route(self) -> (&'static str, String) {
        match self {
            Op::Get => ("GET", format!("{ROOT}/office_closures/c1")),
            Op::Patch => ("PATCH", format!("{ROOT}/office_closures/c1")),
            Op::Query => ("POST", format!("{ROOT}:runQuery")),
            Op::Commit => ("POST", format!("{ROOT}:commit")),
        }
    }

    async fn fake() -> FakeFirestore {
        let fake = FakeFirestore::start().await;
        fake.put(
            "office_closures/c1",
            json!({"start_date": {"stringValue": "2025-12-24"}}),
        );
        fake
    }

    async fn run(self, store: &FirestoreStore) -> Result<(), StoreError> {
        let closure = OfficeClosure {
            start_date: d("2025-12-25"),
            end_date: None,
            description: String::new(),
            tags: vec![],
        };
        let now = at("2025-11-20T00:00:00Z");
        match self {
            Op::Get => store.get_closure("c1").await.map(|c| assert!(c.is_some())),
            Op::Patch => store
                .update_closure("c1", &closure, now)
                .await
                .map(|c| assert!(c.is_some())),
            Op::Query => store.list_closures(None).await.map(drop),
            Op::Commit => store
                .sync_employees(vec![employee("1", "Ann", None, None)], now)
                .await
                .map(drop),
        }
    }

    /// Answers `fault` to the first `times` calls of the route, then lets the fake answer.
    async fn mount(self, fake: &FakeFirestore, fault: ResponseTemplate, times: u64) {
        let (verb, route) = self.route();
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(fault)
            .up_to_n_times(times)
            .with_priority(1)
            .mount(&fake.server)
            .await;
    }

    async fn calls(self, fake: &FakeFirestore) -> usize {
        let (verb, route) = self.route();
        let requests = fake.server.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.method.as_str() == verb && r.url.path() == route)
            .count()
    }
}

fn unavailable(result: Result<(), StoreError>) -> String {
    match result {
        Err(StoreError::Unavailable(reason)) => reason,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn u4_7_500_502_503_are_retried_until_success_on_every_operation() {
    for op in OPS {
        for status in [500, 502, 503] {
            let fake = Op::fake().await;
            op.mount(&fake, error(status, "UNAVAILABLE", "try again"), 2)
                .await;
            op.run(&store(&fake)).await.unwrap();
            assert_eq!(op.calls(&fake).await, 3, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn u0_3_a_retryable_status_on_every_attempt_is_unavailable() {
    for op in OPS {
        let fake = Op::fake().await;
        op.mount(&fake, ResponseTemplate::new(503), 3).await;
        let reason = unavailable(op.run(&store(&fake)).await);
        assert!(reason.starts_with("firestore:"), "{reason}");
        assert_eq!(op.calls(&fake).await, 3, "{op:?}");
    }
}

#[tokio::test]
async fn u0_5_a_429_with_retry_after_waits_that_long() {
    let fake = Op::fake().await;
    let fault = error(429, "RESOURCE_EXHAUSTED", "quota").insert_header("Retry-After", "1");
    Op::Query.mount(&fake, fault, 1).await;
    let started = Instant::now();
    Op::Query.run(&store(&fake)).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(waited < Duration::from_millis(1_800), "{waited:?}");
    assert_eq!(Op::Query.calls(&fake).await, 2);
}

#[tokio::test]
async fn u0_5_a_429_without_retry_after_is_retried_with_backoff() {
    for op in OPS {
        let fake = Op::fake().await;
        op.mount(&fake, error(429, "RESOURCE_EXHAUSTED", "quota"), 1)
            .await;
        op.run(&store(&fake)).await.unwrap();
        assert_eq!(op.calls(&fake).await, 2, "{op:?}");
    }
}

#[tokio::test]
async fn u0_5_a_429_on_every_attempt_is_rate_limited() {
    let fake = Op::fake().await;
    Op::Get
        .mount(&fake, error(429, "RESOURCE_EXHAUSTED", "quota"), 3)
        .await;
    let reason = unavailable(Op::Get.run(&store(&fake)).await);
    assert!(reason.contains("rate limit"), "{reason}");
    assert_eq!(Op::Get.calls(&fake).await, 3);
}

#[tokio::test]
async fn u0_2_a_timeout_is_retried_then_unavailable() {
    for op in OPS {
        let fake = Op::fake().await;
        let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
        op.mount(&fake, slow, 3).await;
        let started = Instant::now();
        unavailable(op.run(&store(&fake)).await);
        assert!(
            started.elapsed() < Duration::from_millis(1_900),
            "{op:?}: three 500 ms timeouts"
        );
    }
}

#[tokio::test]
async fn u0_2_one_timeout_then_success() {
    let fake = Op::fake().await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
    Op::Query.mount(&fake, slow, 1).await;
    Op::Query.run(&store(&fake)).await.unwrap();
    assert_eq!(Op::Query.calls(&fake).await, 2);
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fake = Op::fake().await;
    for op in OPS {
        // A fresh client per operation: five failures in a row open the breaker (U0.6).
        let store = FirestoreStore::new(&FirestoreConfig {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            ..config(&fake)
        })
        .unwrap();
        let reason = unavailable(op.run(&store).await);
        assert!(reason.contains("connection"), "{op:?} {reason}");
    }
    // Then the breaker answers at once without calling.
    let store = FirestoreStore::new(&FirestoreConfig {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        ..config(&fake)
    })
    .unwrap();
    for _ in 0..2 {
        let _ = Op::Query.run(&store).await;
    }
    assert!(unavailable(Op::Get.run(&store).await).contains("breaker"));
}

#[tokio::test]
async fn u0_4_malformed_json_is_retried_once_for_reads_and_never_for_writes() {
    for op in OPS {
        let fake = Op::fake().await;
        let broken = ResponseTemplate::new(200).set_body_string("{\"name\": [tru");
        op.mount(&fake, broken, 10).await;
        let reason = unavailable(op.run(&store(&fake)).await);
        assert!(reason.contains("unusable"), "{op:?} {reason}");
        assert!(
            !reason.contains("tru"),
            "the body is never quoted: {reason}"
        );
        let expected = if matches!(op, Op::Get | Op::Query) {
            2
        } else {
            1
        };
        assert_eq!(op.calls(&fake).await, expected, "{op:?}");
    }
}

#[tokio::test]
async fn an_empty_query_result_is_an_empty_list() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    assert!(store.list_closures(None).await.unwrap().is_empty());
    // Firestore may also answer an empty array.
    Op::Query
        .mount(
            &fake,
            ResponseTemplate::new(200).set_body_json(json!([])),
            1,
        )
        .await;
    assert!(store.list_closures(None).await.unwrap().is_empty());
    assert!(store.list_employees().await.unwrap().is_empty());
}

#[tokio::test]
async fn u4_7_a_commit_aborted_by_contention_is_tried_again() {
    let fake = Op::fake().await;
    Op::Commit
        .mount(&fake, error(409, "ABORTED", "Too much contention"), 2)
        .await;
    Op::Commit.run(&store(&fake)).await.unwrap();
    assert_eq!(Op::Commit.calls(&fake).await, 3);
    assert!(fake.doc("employees/1").is_some());
}

#[tokio::test]
async fn other_4xx_are_final() {
    let fake = Op::fake().await;
    Op::Patch
        .mount(&fake, error(400, "INVALID_ARGUMENT", "bad\nfield"), 1)
        .await;
    let reason = unavailable(Op::Patch.run(&store(&fake)).await);
    assert!(reason.contains("INVALID_ARGUMENT"), "{reason}");
    assert_eq!(Op::Patch.calls(&fake).await, 1);
}

#[tokio::test]
async fn u4_4_a_create_retried_after_a_lost_answer_finds_its_own_document() {
    let fake = FakeFirestore::start().await;
    fake.state().late_writes = 1;
    let closure = OfficeClosure {
        start_date: d("2025-12-25"),
        end_date: None,
        description: "Christmas".into(),
        tags: vec![],
    };
    let created = store(&fake)
        .create_closure(&closure, at("2025-11-20T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(fake.paths(), [format!("office_closures/{}", created.id)]);
    let sent: Vec<String> = crate::support::firestore_requests(&fake)
        .await
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    // The first PATCH was applied but answered too late; the retry meets the document
    // (`currentDocument.exists=false` → 409) and a GET recognises it as ours.
    assert_eq!(sent, ["PATCH", "PATCH", "GET"]);
}
