//! U5.5, row by row: each upstream answer and the class the port returns for it, on every call.

use crate::support::{OPS, Op, client, error_body, refused_client, requests};
use domain::ports::{EmployerApi, UpstreamError};
use serde_json::json;
use std::time::Duration;
use wiremock::{MockServer, ResponseTemplate};

/// Requests one failing call makes: three attempts for reads (U0.3), one for the POST (U5.4).
fn attempts(op: Op) -> usize {
    if op.retryable() { 3 } else { 1 }
}

fn is_unavailable(err: &UpstreamError) -> bool {
    matches!(err, UpstreamError::Unavailable { .. })
}

#[tokio::test]
async fn row_1_connect_error_is_unavailable() {
    let server = MockServer::start().await;
    let client = refused_client(&server);
    for op in OPS {
        let err = op.run(&client).await.unwrap_err();
        assert!(is_unavailable(&err), "{op:?} {err:?}");
    }
}

#[tokio::test]
async fn row_1_timeout_is_unavailable() {
    for op in OPS {
        let server = MockServer::start().await;
        let hang = op.success().set_delay(Duration::from_secs(2));
        op.mount(&server, hang, 3).await;
        let err = op.run(&client(&server)).await.unwrap_err();
        assert!(is_unavailable(&err), "{op:?} {err:?}");
        assert_eq!(requests(&server).await.len(), attempts(op), "{op:?}");
    }
}

#[tokio::test]
async fn row_1_408_and_5xx_are_unavailable() {
    for op in OPS {
        for status in [408, 500, 502, 503, 504] {
            let server = MockServer::start().await;
            op.mount(&server, error_body(status, "down"), 3).await;
            let err = op.run(&client(&server)).await.unwrap_err();
            assert!(is_unavailable(&err), "{op:?} {status} {err:?}");
            assert_eq!(
                requests(&server).await.len(),
                attempts(op),
                "{op:?} {status}"
            );
        }
    }
}

#[tokio::test]
async fn row_1_an_open_breaker_is_unavailable_without_a_request() {
    let server = MockServer::start().await;
    Op::ListJobs
        .mount(&server, ResponseTemplate::new(503), 100)
        .await;
    let client = client(&server);
    // U0.6: five consecutive retryable failures open the breaker (two calls of three attempts).
    for _ in 0..2 {
        client.list_jobs().await.unwrap_err();
    }
    let sent = requests(&server).await.len();
    for op in OPS {
        let err = op.run(&client).await.unwrap_err();
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
    assert_eq!(requests(&server).await.len(), sent);
}

#[tokio::test]
async fn row_2_429_is_rate_limited() {
    for op in OPS {
        let server = MockServer::start().await;
        op.mount(&server, error_body(429, "slow down"), 3).await;
        let err = op.run(&client(&server)).await.unwrap_err();
        assert!(
            matches!(err, UpstreamError::RateLimited { .. }),
            "{op:?} {err:?}"
        );
        assert_eq!(requests(&server).await.len(), attempts(op), "{op:?}");
    }
}

#[tokio::test]
async fn row_3_401_and_403_are_unauthorized_and_never_retried() {
    for op in OPS {
        for status in [401, 403] {
            let server = MockServer::start().await;
            op.mount(&server, error_body(status, "Invalid API key"), 1)
                .await;
            let err = op.run(&client(&server)).await.unwrap_err();
            assert_eq!(err, UpstreamError::Unauthorized, "{op:?} {status}");
            assert_eq!(requests(&server).await.len(), 1, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn row_4_a_404_on_the_post_is_rejected_with_the_error_text() {
    let server = MockServer::start().await;
    Op::Post
        .mount(&server, error_body(404, "Job not found"), 1)
        .await;
    let err = Op::Post.run(&client(&server)).await.unwrap_err();
    assert_eq!(err, UpstreamError::rejected(404, "", "Job not found"));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn row_4_other_4xx_are_rejected_with_the_error_text_and_never_retried() {
    for op in OPS {
        for status in [400, 404, 409, 410, 422] {
            let server = MockServer::start().await;
            let text = format!("refused with {status}");
            op.mount(&server, error_body(status, &text), 1).await;
            let err = op.run(&client(&server)).await.unwrap_err();
            assert_eq!(err, UpstreamError::rejected(status, "", &text), "{op:?}");
            assert_eq!(requests(&server).await.len(), 1, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn row_4_the_rejected_text_is_short_and_clean_or_empty_without_a_body() {
    let server = MockServer::start().await;
    let long = format!("bad\u{7}\nresume_link {}", "x".repeat(400));
    Op::Post.mount(&server, error_body(400, &long), 1).await;
    let UpstreamError::Rejected {
        status, message, ..
    } = Op::Post.run(&client(&server)).await.unwrap_err()
    else {
        panic!("not rejected");
    };
    assert_eq!(status, 400);
    assert_eq!(message.chars().count(), 200);
    assert!(message.starts_with("badresume_link xx"), "{message}");

    let server = MockServer::start().await;
    Op::Post
        .mount(
            &server,
            ResponseTemplate::new(404).set_body_string("<html>"),
            1,
        )
        .await;
    let err = Op::Post.run(&client(&server)).await.unwrap_err();
    assert_eq!(
        err,
        UpstreamError::rejected(404, "", ""),
        "P7.5 then says HTTP 404"
    );
}

#[tokio::test]
async fn row_5_a_2xx_that_is_not_json_is_an_invalid_response() {
    for op in OPS {
        let server = MockServer::start().await;
        let html = ResponseTemplate::new(200).set_body_string("<html>maintenance</html>");
        op.mount(&server, html, 5).await;
        let err = op.run(&client(&server)).await.unwrap_err();
        assert_eq!(err.code(), "invalid_response", "{op:?} {err:?}");
        // U0.4: an unusable answer is retried once, and only for reads.
        let want = if op.retryable() { 2 } else { 1 };
        assert_eq!(requests(&server).await.len(), want, "{op:?}");
    }
}

#[tokio::test]
async fn row_5_a_jobs_body_that_is_not_an_array_is_an_invalid_response() {
    for listing in [json!({"jobs": []}), json!(null), json!("[]"), json!(12)] {
        let server = MockServer::start().await;
        let answer = ResponseTemplate::new(200).set_body_json(listing.clone());
        Op::ListJobs.mount(&server, answer, 5).await;
        let err = client(&server).list_jobs().await.unwrap_err();
        assert_eq!(err.code(), "invalid_response", "{listing} {err:?}");
    }
}

#[tokio::test]
async fn row_5_a_post_answer_without_success_is_an_invalid_response() {
    for answer in [
        json!({"application_id": 42}),
        json!({"success": false, "error": "odd"}),
        json!({"success": true}),
        json!([]),
    ] {
        let server = MockServer::start().await;
        Op::Post
            .mount(
                &server,
                ResponseTemplate::new(201).set_body_json(answer.clone()),
                5,
            )
            .await;
        let err = Op::Post.run(&client(&server)).await.unwrap_err();
        assert_eq!(err.code(), "invalid_response", "{answer} {err:?}");
        assert_eq!(requests(&server).await.len(), 1, "{answer}");
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = MockServer::start().await;
    let moved = ResponseTemplate::new(302).insert_header("location", "http://example.com/jobs");
    Op::ListJobs.mount(&server, moved, 1).await;
    let err = client(&server).list_jobs().await.unwrap_err();
    assert_eq!(err.code(), "invalid_response", "{err:?}");
    assert_eq!(requests(&server).await.len(), 1);
}
