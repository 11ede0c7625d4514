//! What every story needs: a fake HubSpot, a client pointed at it with fast retries, and the
//! requests the fake received.

use hubspot::{HubSpotConfig, HubSpotCrm};
use std::time::Duration;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const TOKEN: &str = "pat-na1-0000-TEST-TOKEN-s3cr3t";

/// The defaults, pointed at the fake, with retries and waits in milliseconds and the search
/// budget off (paging stories send many searches).
pub fn config(server: &MockServer) -> HubSpotConfig {
    HubSpotConfig {
        base_url: server.uri(),
        request_timeout: Duration::from_millis(500),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        wait_429_without_retry_after: Duration::from_millis(200),
        search_per_sec: 0,
        ..HubSpotConfig::new(TOKEN)
    }
}

pub fn crm(server: &MockServer) -> HubSpotCrm {
    HubSpotCrm::new(&config(server)).unwrap()
}

pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

/// The JSON body of a request.
pub fn body(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// Every request carried the token and asked for JSON (U1.1).
pub fn assert_authorised(requests: &[Request]) {
    for r in requests {
        let auth = r.headers.get("authorization").unwrap().to_str().unwrap();
        assert_eq!(auth, format!("Bearer {TOKEN}"), "{} {}", r.method, r.url);
        let accept = r.headers.get("accept").unwrap().to_str().unwrap();
        assert_eq!(accept, "application/json");
        if !r.body.is_empty() {
            let ct = r.headers.get("content-type").unwrap().to_str().unwrap();
            assert_eq!(ct, "application/json");
        }
    }
}

/// `fault` on the first `times` calls to `at`, then 200 with `success` (the U0 fault matrix).
pub async fn fault_then_success(
    server: &MockServer,
    at: &str,
    fault: ResponseTemplate,
    times: u64,
    success: serde_json::Value,
) {
    Mock::given(path(at))
        .respond_with(fault)
        .up_to_n_times(times)
        .mount(server)
        .await;
    Mock::given(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(success))
        .mount(server)
        .await;
}
