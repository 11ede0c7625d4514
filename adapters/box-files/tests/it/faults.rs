//! The fault matrix (U0.3–U0.5, U3.7, security.md S14.1) on a read (folder listing) and on the
//! copy: 429 with and without `Retry-After`, 5xx, timeouts, refused connections, bad JSON.

use crate::support::*;
use box_files::{BoxConfig, BoxFiles};
use domain::ports::{CopyOutcome, FolderStore, UpstreamError};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LISTING: &str = "/2.0/folders/0/items";

fn listing() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "total_count": 1, "offset": 0, "limit": 1000,
        "entries": [{"type": "folder", "id": "100", "name": "Clients"}]
    }))
}

/// A fake whose listing answers `fault` `times` times, then succeeds.
async fn flaky(fault: ResponseTemplate, times: u64) -> MockServer {
    let server = fake_box().await;
    Mock::given(method("GET"))
        .and(path(LISTING))
        .respond_with(fault)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LISTING))
        .respond_with(listing())
        .mount(&server)
        .await;
    server
}

async fn resolve(server: &MockServer) -> Result<String, UpstreamError> {
    client(server).resolve_path("Clients").await.map(|f| f.id)
}

async fn attempts(server: &MockServer) -> usize {
    api_requests(server).await.len()
}

#[tokio::test]
async fn u3_7_a_429_waits_its_retry_after_seconds() {
    let server = flaky(
        box_error(429, "rate_limit_exceeded").insert_header("retry-after", "1"),
        1,
    )
    .await;
    let started = Instant::now();
    assert_eq!(resolve(&server).await.unwrap(), "100");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(attempts(&server).await, 2);
}

#[tokio::test]
async fn u0_5_a_429_without_retry_after_backs_off_then_gives_up_rate_limited() {
    let server = flaky(box_error(429, "rate_limit_exceeded"), 1).await;
    assert_eq!(resolve(&server).await.unwrap(), "100");
    assert_eq!(attempts(&server).await, 2);

    let server = flaky(box_error(429, "rate_limit_exceeded"), 10).await;
    let err = resolve(&server).await.unwrap_err();
    assert!(matches!(err, UpstreamError::RateLimited { .. }), "{err:?}");
    assert_eq!(attempts(&server).await, 3);
}

#[tokio::test]
async fn u0_5_a_retry_after_over_a_minute_is_returned_at_once() {
    let server = flaky(
        box_error(429, "rate_limit_exceeded").insert_header("retry-after", "120"),
        10,
    )
    .await;
    let err = resolve(&server).await.unwrap_err();
    assert_eq!(
        err,
        UpstreamError::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn u0_4_server_errors_are_retried_up_to_three_attempts() {
    for status in [500, 502, 503] {
        let server = flaky(box_error(status, "unavailable"), 2).await;
        assert_eq!(resolve(&server).await.unwrap(), "100", "{status}");
        assert_eq!(attempts(&server).await, 3, "{status}");

        let server = flaky(box_error(status, "unavailable"), 3).await;
        let err = resolve(&server).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{status}: {err:?}"
        );
        assert_eq!(attempts(&server).await, 3, "{status}");
    }
}

#[tokio::test]
async fn u0_2_a_hanging_box_times_out_as_unavailable() {
    let server = flaky(listing().set_delay(Duration::from_secs(2)), 10).await;
    let started = Instant::now();
    let err = resolve(&server).await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert_eq!(attempts(&server).await, 3);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn u0_4_a_refused_connection_is_unavailable() {
    let server = fake_box().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/2.0", closed.local_addr().unwrap());
    drop(closed);
    let files = BoxFiles::new(&BoxConfig {
        api_base_url: dead,
        ..config(&server)
    })
    .unwrap();
    let err = files.resolve_path("Clients").await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    let err = files.copy_folder("300", "200", "A").await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
}

#[tokio::test]
async fn u0_4_malformed_json_is_invalid_and_a_read_is_retried_once() {
    let server = flaky(
        ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
        10,
    )
    .await;
    let err = resolve(&server).await.unwrap_err();
    assert!(
        matches!(err, UpstreamError::InvalidResponse { .. }),
        "{err:?}"
    );
    assert_eq!(attempts(&server).await, 2);

    let server = flaky(
        ResponseTemplate::new(200).set_body_string("{\"entries\": 5}"),
        1,
    )
    .await;
    assert_eq!(
        resolve(&server).await.unwrap(),
        "100",
        "the one retry succeeds"
    );
}

#[tokio::test]
async fn u3_7_a_copy_waits_retry_after_then_succeeds() {
    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path("/2.0/folders/300/copy"))
        .respond_with(box_error(429, "rate_limit_exceeded").insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2.0/folders/300/copy"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "type": "folder", "id": "91", "name": "A", "parent": {"id": "200"}
        })))
        .mount(&server)
        .await;
    let started = Instant::now();
    let outcome = client(&server)
        .copy_folder("300", "200", "A")
        .await
        .unwrap();
    assert!(matches!(outcome, CopyOutcome::Created(_)));
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(attempts(&server).await, 2);
}
