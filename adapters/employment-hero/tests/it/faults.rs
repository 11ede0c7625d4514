//! The U0 fault matrix on the EH API pages (U2.8: all GETs retryable), and S14.1's "any page
//! 500 ×3 or Retry-After: 3600 → the sync fails".

use crate::fake::{FakeEh, Route};
use crate::support::{client, client_with, config, connected, no_progress};
use domain::ports::{HrDirectory, HrError, UpstreamError};
use std::time::{Duration, Instant};
use wiremock::ResponseTemplate;

/// Employees with page 2 of 3 failing on calls `from..=to` of the route.
async fn page_two_fails(fault: ResponseTemplate, times: u32) -> (FakeEh, Result<usize, HrError>) {
    let fake = FakeEh::start().await;
    fake.set_employees(250);
    fake.fault(Route::Employees, 2, 1 + times, fault);
    let (eh, _) = client(&fake);
    let result = eh.employees(&no_progress()).await.map(|l| l.items.len());
    (fake, result)
}

#[tokio::test]
async fn u0_4_500_502_503_are_retried_until_success() {
    for status in [500, 502, 503] {
        let (fake, result) = page_two_fails(ResponseTemplate::new(status), 2).await;
        assert_eq!(result.unwrap(), 250, "{status}");
        assert_eq!(
            fake.calls(Route::Employees),
            5,
            "{status}: 1 + 3 attempts + 1"
        );
    }
}

#[tokio::test]
async fn s14_1_a_page_failing_three_times_fails_the_listing() {
    let (fake, result) = page_two_fails(ResponseTemplate::new(500), 3).await;
    assert!(
        matches!(
            result,
            Err(HrError::Upstream(UpstreamError::Unavailable { .. }))
        ),
        "{result:?}"
    );
    assert_eq!(fake.calls(Route::Employees), 4, "page 3 never asked");
}

#[tokio::test]
async fn u0_5_a_429_with_retry_after_waits_that_long() {
    let started = Instant::now();
    let fault = ResponseTemplate::new(429).insert_header("Retry-After", "1");
    let (fake, result) = page_two_fails(fault, 1).await;
    assert_eq!(result.unwrap(), 250);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(fake.calls(Route::Employees), 4);
}

#[tokio::test]
async fn u0_5_a_429_without_retry_after_backs_off_and_retries() {
    let (fake, result) = page_two_fails(ResponseTemplate::new(429), 1).await;
    assert_eq!(result.unwrap(), 250);
    assert_eq!(fake.calls(Route::Employees), 4);
}

#[tokio::test]
async fn s14_1_retry_after_3600_fails_at_once_as_rate_limited() {
    let fault = ResponseTemplate::new(429).insert_header("Retry-After", "3600");
    let (fake, result) = page_two_fails(fault, 3).await;
    let Err(HrError::Upstream(UpstreamError::RateLimited { retry_after })) = result else {
        panic!("{result:?}");
    };
    assert_eq!(retry_after, Some(Duration::from_secs(3600)));
    assert_eq!(fake.calls(Route::Employees), 2);
}

#[tokio::test]
async fn u0_2_a_timeout_is_retried_then_unavailable() {
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
    let started = Instant::now();
    let (fake, result) = page_two_fails(slow, 3).await;
    assert!(matches!(
        result,
        Err(HrError::Upstream(UpstreamError::Unavailable { .. }))
    ));
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "three 500 ms timeouts"
    );
    assert_eq!(fake.calls(Route::Employees), 4);
}

#[tokio::test]
async fn u0_4_malformed_json_is_retried_once_then_invalid() {
    let html = ResponseTemplate::new(200).set_body_string("<html>maintenance</html>");
    let (fake, result) = page_two_fails(html, 5).await;
    assert!(matches!(
        result,
        Err(HrError::Upstream(UpstreamError::InvalidResponse { .. }))
    ));
    assert_eq!(fake.calls(Route::Employees), 3);
    // A JSON page without `items` is schema-violating too.
    let (_, result) = page_two_fails(
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": {"total_pages": 3}})),
        5,
    )
    .await;
    assert!(matches!(
        result,
        Err(HrError::Upstream(UpstreamError::InvalidResponse { .. }))
    ));
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    let fake = FakeEh::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (store, _, _) = connected(&fake, 900);
    let config = employment_hero::EhConfig {
        api_base_url: format!("http://127.0.0.1:{port}"),
        ..config(&fake)
    };
    let eh = client_with(&fake, config, store);
    let err = eh.employees(&no_progress()).await.unwrap_err();
    assert!(
        matches!(err, HrError::Upstream(UpstreamError::Unavailable { .. })),
        "{err:?}"
    );
    assert_eq!(err.code(), "upstream_unavailable");
}

#[tokio::test]
async fn u0_8_a_404_or_403_is_final() {
    let (fake, result) = page_two_fails(ResponseTemplate::new(404), 1).await;
    assert_eq!(
        result.unwrap_err(),
        HrError::Upstream(UpstreamError::NotFound)
    );
    assert_eq!(fake.calls(Route::Employees), 2);
}
