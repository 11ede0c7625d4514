//! The U0 policy against a local fake server: the fault matrix of every upstream.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken fake

use std::time::{Duration, Instant};
use upstream_http::{BreakerConfig, Call, ErrorBody, Policy, RateBudget, Upstream, UpstreamError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn describe(body: &[u8]) -> ErrorBody {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    ErrorBody {
        code: v["code"].as_str().unwrap_or_default().to_owned(),
        message: v["message"].as_str().unwrap_or_default().to_owned(),
    }
}

/// Fast backoff so the matrix runs in milliseconds.
fn policy() -> Policy {
    Policy {
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        request_timeout: Duration::from_millis(500),
        ..Policy::new("fake")
    }
}

fn json(body: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

async fn get(
    upstream: &Upstream,
    server: &MockServer,
    call: Call,
) -> Result<serde_json::Value, UpstreamError> {
    let url = format!("{}/thing", server.uri());
    upstream.call(call, |c| c.get(&url), json).await
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn u0_4_retryable_statuses_are_retried_until_success() {
    for status in [500, 502, 503, 504, 408] {
        let server = MockServer::start().await;
        Mock::given(path("/thing"))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(2)
            .mount(&server)
            .await;
        Mock::given(path("/thing"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"ok":true}"#))
            .mount(&server)
            .await;
        let up = Upstream::new(policy(), describe).unwrap();
        let v = get(&up, &server, Call::read("/thing")).await.unwrap();
        assert_eq!(v["ok"], true, "{status}");
        assert_eq!(requests(&server).await, 3, "{status}: 3 attempts");
    }
}

#[tokio::test]
async fn u0_3_at_most_three_attempts_then_unavailable() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let up = Upstream::new(policy(), describe).unwrap();
    let err = get(&up, &server, Call::read("/thing")).await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn writes_that_must_not_repeat_are_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let up = Upstream::new(policy(), describe).unwrap();
    let url = format!("{}/copy", server.uri());
    let err = up
        .call(Call::once("/copy"), |c| c.post(&url), json)
        .await
        .unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn u0_5_429_with_retry_after_waits_that_long() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let up = Upstream::new(policy(), describe).unwrap();
    let started = Instant::now();
    get(&up, &server, Call::read("/thing")).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(waited < Duration::from_millis(1600), "{waited:?}");
}

#[tokio::test]
async fn u0_5_429_with_a_long_retry_after_returns_rate_limited_at_once() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let up = Upstream::new(policy(), describe).unwrap();
    let err = get(&up, &server, Call::read("/thing")).await.unwrap_err();
    assert_eq!(
        err,
        UpstreamError::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn u0_5_429_without_retry_after_uses_the_policy_wait_then_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let up = Upstream::new(
        Policy {
            wait_429_without_header: Some(Duration::from_millis(30)),
            ..policy()
        },
        describe,
    )
    .unwrap();
    let started = Instant::now();
    let err = get(&up, &server, Call::read("/thing")).await.unwrap_err();
    assert_eq!(err, UpstreamError::RateLimited { retry_after: None });
    assert_eq!(requests(&server).await, 3);
    assert!(started.elapsed() >= Duration::from_millis(60));
}

#[tokio::test]
async fn u0_2_timeouts_are_retried_and_the_deadline_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let up = Upstream::new(policy(), describe).unwrap();
    let started = Instant::now();
    let deadline = started + Duration::from_millis(800);
    let err = get(&up, &server, Call::read("/thing").with_deadline(deadline))
        .await
        .unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    // A port that was free a moment ago; nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/thing");
    let up = Upstream::new(policy(), describe).unwrap();
    let err = up
        .call(Call::read("/thing"), |c| c.get(&url), json)
        .await
        .unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
}

#[tokio::test]
async fn u0_4_malformed_json_is_retried_once_for_reads_only() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{not json"))
        .mount(&server)
        .await;
    let up = Upstream::new(policy(), describe).unwrap();
    let err = get(&up, &server, Call::read("/thing")).await.unwrap_err();
    assert!(matches!(err, UpstreamError::InvalidResponse { .. }));
    assert_eq!(requests(&server).await, 2);
    let err = get(&up, &server, Call::idempotent_write("/thing"))
        .await
        .unwrap_err();
    assert!(matches!(err, UpstreamError::InvalidResponse { .. }));
    assert_eq!(requests(&server).await, 3, "not retried for a write");
}

#[tokio::test]
async fn u0_8_final_statuses_map_to_their_classes() {
    let cases: [(u16, &str); 6] = [
        (401, "unauthorized"),
        (403, "unauthorized"),
        (404, "not_found"),
        (409, "conflict"),
        (400, "rejected"),
        (302, "invalid_response"),
    ];
    for (status, code) in cases {
        let server = MockServer::start().await;
        Mock::given(path("/thing"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_string(r#"{"code":"item_name_in_use","message":"bad\u0007 thing"}"#),
            )
            .mount(&server)
            .await;
        let up = Upstream::new(policy(), describe).unwrap();
        let err = get(&up, &server, Call::read("/thing")).await.unwrap_err();
        assert_eq!(err.code(), code, "{status}");
        assert_eq!(requests(&server).await, 1, "{status} is final");
        if status == 409 {
            assert_eq!(
                err,
                UpstreamError::Conflict {
                    code: "item_name_in_use".into()
                }
            );
        }
        if status == 400 {
            assert_eq!(
                err,
                UpstreamError::Rejected {
                    status: 400,
                    code: "item_name_in_use".into(),
                    message: "bad thing".into()
                }
            );
        }
    }
}

#[tokio::test]
async fn u0_6_the_breaker_opens_and_fails_fast() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let up = Upstream::new(
        Policy {
            max_attempts: 1,
            breaker: BreakerConfig {
                consecutive_failures: 3,
                ..BreakerConfig::default()
            },
            ..policy()
        },
        describe,
    )
    .unwrap();
    for _ in 0..3 {
        let _ = get(&up, &server, Call::read("/thing")).await;
    }
    let err = get(&up, &server, Call::read("/thing")).await.unwrap_err();
    assert!(
        matches!(
            err,
            UpstreamError::Unavailable {
                breaker_open: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(requests(&server).await, 3, "the fourth call never left");
}

#[tokio::test]
async fn u0_7_an_empty_budget_before_the_deadline_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let up = Upstream::new(
        Policy {
            budget: Some(RateBudget {
                burst: 1,
                per: Duration::from_secs(10),
            }),
            ..policy()
        },
        describe,
    )
    .unwrap();
    get(&up, &server, Call::read("/thing")).await.unwrap();
    let deadline = Instant::now() + Duration::from_millis(100);
    let err = get(&up, &server, Call::read("/thing").with_deadline(deadline))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            UpstreamError::Unavailable {
                budget_exhausted: true,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn u1_3_an_exhausted_quota_holds_every_call_of_the_upstream() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(ResponseTemplate::new(429).set_body_string(r#"{"code":"DAILY"}"#))
        .mount(&server)
        .await;
    let hold = upstream_http::QuotaHold {
        code: "DAILY",
        until: std::sync::Arc::new(|_| Duration::from_secs(3600)),
    };
    let general = Upstream::new(
        Policy {
            quota_hold: Some(hold),
            ..policy()
        },
        describe,
    )
    .unwrap();
    let search = Upstream::new(policy(), describe)
        .unwrap()
        .sharing_breaker_with(&general);
    let err = get(&general, &server, Call::read("/thing"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        UpstreamError::RateLimited {
            retry_after: Some(Duration::from_secs(3600))
        }
    );
    assert_eq!(requests(&server).await, 1, "not retried");
    for up in [&general, &search] {
        let err = get(up, &server, Call::read("/thing")).await.unwrap_err();
        assert!(
            matches!(
                err,
                UpstreamError::Unavailable {
                    breaker_open: true,
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert_eq!(
        requests(&server).await,
        1,
        "held back until the quota resets"
    );
}
