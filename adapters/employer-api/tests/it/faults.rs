//! The U0 fault matrix on the Employer API (U5.4): what is retried, how long it waits, and that the
//! POST is never sent twice.

use crate::support::{OPS, Op, client, config, error_body, refused_client, requests};
use domain::ports::{EmployerApi, UpstreamError};
use employer_api::{EmployerApiClient, EmployerApiConfig};
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::{MockServer, ResponseTemplate};

const READS: [Op; 2] = [Op::ListJobs, Op::Find];

#[tokio::test]
async fn u0_4_500_502_503_on_reads_are_retried_until_success() {
    for op in READS {
        for status in [500, 502, 503] {
            let server = MockServer::start().await;
            op.mount(&server, ResponseTemplate::new(status), 2).await;
            op.run(&client(&server)).await.unwrap();
            assert_eq!(requests(&server).await.len(), 3, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn u5_4_the_post_is_never_retried() {
    for status in [500, 502, 503, 429, 408] {
        let server = MockServer::start().await;
        Op::Post.mount(&server, error_body(status, "busy"), 1).await;
        let err = Op::Post.run(&client(&server)).await.unwrap_err();
        assert!(
            matches!(
                err,
                UpstreamError::Unavailable { .. } | UpstreamError::RateLimited { .. }
            ),
            "{status} {err:?}"
        );
        assert_eq!(
            requests(&server).await.len(),
            1,
            "exactly one POST on {status}"
        );
    }
}

#[tokio::test]
async fn u5_4_a_post_that_times_out_is_sent_once() {
    let server = MockServer::start().await;
    let slow = Op::Post.success().set_delay(Duration::from_secs(2));
    Op::Post.mount(&server, slow, 1).await;
    let err = Op::Post.run(&client(&server)).await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn u0_5_a_429_with_retry_after_waits_that_long() {
    let server = MockServer::start().await;
    let fault = error_body(429, "Too many requests").insert_header("Retry-After", "1");
    Op::ListJobs.mount(&server, fault, 1).await;
    let started = Instant::now();
    let jobs = client(&server).list_jobs().await.unwrap();
    let waited = started.elapsed();
    assert_eq!(jobs.len(), 15);
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(waited < Duration::from_millis(1_800), "{waited:?}");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn u0_5_a_429_without_retry_after_backs_off_with_jitter() {
    for op in READS {
        let server = MockServer::start().await;
        op.mount(&server, ResponseTemplate::new(429), 1).await;
        let started = Instant::now();
        op.run(&client(&server)).await.unwrap();
        // The test backoff is capped at 20 ms (4 s in production).
        assert!(started.elapsed() < Duration::from_millis(500), "{op:?}");
        assert_eq!(requests(&server).await.len(), 2, "{op:?}");
    }
}

#[tokio::test]
async fn u0_5_a_retry_after_over_60_s_is_rate_limited_at_once() {
    let server = MockServer::start().await;
    let fault = ResponseTemplate::new(429).insert_header("Retry-After", "3600");
    Op::ListJobs.mount(&server, fault, 1).await;
    let err = client(&server).list_jobs().await.unwrap_err();
    assert_eq!(
        err,
        UpstreamError::RateLimited {
            retry_after: Some(Duration::from_secs(3600))
        }
    );
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn u0_2_one_timeout_then_success() {
    for op in READS {
        let server = MockServer::start().await;
        let slow = op.success().set_delay(Duration::from_secs(2));
        op.mount(&server, slow, 1).await;
        op.run(&client(&server)).await.unwrap();
        assert_eq!(requests(&server).await.len(), 2, "{op:?}");
    }
}

#[tokio::test]
async fn u0_2_the_call_deadline_bounds_retries() {
    let server = MockServer::start().await;
    let hang = Op::ListJobs.success().set_delay(Duration::from_secs(5));
    Op::ListJobs.mount(&server, hang, 10).await;
    let client = EmployerApiClient::new(&EmployerApiConfig {
        call_deadline: Duration::from_millis(700),
        ..config(&server)
    })
    .unwrap();
    let started = Instant::now();
    let err = client.list_jobs().await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1_000),
        "{:?}",
        started.elapsed()
    );
    assert!(requests(&server).await.len() <= 2);
}

#[tokio::test]
async fn connection_refused_is_unavailable_on_every_call() {
    let server = MockServer::start().await;
    let client = refused_client(&server);
    for op in OPS {
        let err = op.run(&client).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{op:?} {err:?}"
        );
    }
}

#[tokio::test]
async fn u0_4_malformed_json_is_retried_once_for_reads_then_read() {
    for op in READS {
        let server = MockServer::start().await;
        let broken = ResponseTemplate::new(200).set_body_string("[{\"id\": 10");
        op.mount(&server, broken, 1).await;
        op.run(&client(&server)).await.unwrap();
        assert_eq!(requests(&server).await.len(), 2, "{op:?}");
    }
}

#[tokio::test]
async fn an_empty_listing_is_an_empty_answer() {
    let server = MockServer::start().await;
    let empty = ResponseTemplate::new(200).set_body_json(json!([]));
    Op::ListJobs.mount(&server, empty.clone(), 1).await;
    Op::Find.mount(&server, empty, 1).await;
    let client = client(&server);
    assert!(client.list_jobs().await.unwrap().is_empty());
    assert!(client.find_applications(1001, 7).await.unwrap().is_empty());
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn u5_4_the_budget_is_10_per_second_after_a_burst_of_20() {
    let server = MockServer::start().await;
    Op::Find.mount(&server, Op::Find.success(), 0).await;
    let client = client(&server);
    let started = Instant::now();
    for _ in 0..20 {
        client.find_applications(1, 1).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the burst is free"
    );
    for _ in 0..5 {
        client.find_applications(1, 1).await.unwrap();
    }
    let waited = started.elapsed();
    // Five more tokens at 100 ms each.
    assert!(waited >= Duration::from_millis(400), "{waited:?}");
    assert!(waited < Duration::from_millis(1_500), "{waited:?}");
}
