//! U3.2, U3.3: the JWT assertion, the token request, the token cache and its renewal.

use crate::support::*;
use box_files::BoxFiles;
use domain::ports::{FolderStore, UpstreamError};
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mounts a folder listing of the root with one folder "Clients" (id 100).
async fn root_listing(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/2.0/folders/0/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 1, "offset": 0, "limit": 1000,
            "entries": [{"type": "folder", "id": "100", "name": "Clients"}]
        })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn u3_3_the_token_request_carries_a_valid_signed_assertion() {
    let server = fake_box().await;
    root_listing(&server).await;
    client(&server).resolve_path("Clients").await.unwrap();

    let tokens = token_requests(&server).await;
    assert_eq!(tokens.len(), 1);
    let request = &tokens[0];
    assert_eq!(
        header_of(request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = form(request);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(
        field("grant_type"),
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(field("client_id"), CLIENT_ID);
    assert_eq!(field("client_secret"), CLIENT_SECRET);
    assert_eq!(form.len(), 4, "{form:?}");

    let (head, claims) = verified_jwt(&field("assertion"));
    assert_eq!(head["alg"], "RS256");
    assert_eq!(head["typ"], "JWT");
    assert_eq!(head["kid"], KEY_ID);
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], ENTERPRISE_ID);
    assert_eq!(claims["box_sub_type"], "enterprise");
    assert_eq!(claims["aud"], "https://api.box.com/oauth2/token");
    let jti = claims["jti"].as_str().unwrap();
    assert!((16..=128).contains(&jti.len()), "{jti}");
    let iat = claims["iat"].as_u64().unwrap();
    let exp = claims["exp"].as_u64().unwrap();
    assert!(exp > iat && exp - iat <= 60, "iat {iat} exp {exp}");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(iat.abs_diff(now) <= 5);

    // The API call carried the token.
    let api = api_requests(&server).await;
    assert_eq!(
        header_of(&api[0], "authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        header_of(&api[0], "as-user"),
        None,
        "no impersonation configured"
    );
}

#[tokio::test]
async fn u3_3_one_token_serves_many_calls_even_concurrent_ones() {
    let server = fake_box().await;
    root_listing(&server).await;
    let config = box_files::BoxConfig {
        path_cache_ttl: Duration::ZERO,
        ..config(&server)
    };
    let files = BoxFiles::new(&config).unwrap();
    let calls = (0..8).map(|_| files.resolve_path("Clients"));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    files.resolve_path("Clients").await.unwrap();
    assert_eq!(
        token_requests(&server).await.len(),
        1,
        "single flight, then cached"
    );
    assert_eq!(api_requests(&server).await.len(), 9);
}

#[tokio::test]
async fn u3_3_an_expiring_token_is_replaced_and_each_assertion_is_new() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": ACCESS_TOKEN, "expires_in": 301, "token_type": "bearer"
        })))
        .mount(&server)
        .await;
    root_listing(&server).await;
    let config = box_files::BoxConfig {
        path_cache_ttl: Duration::ZERO,
        // 301 s minus this margin: the token is reused for 200 ms only.
        token_refresh_margin: Duration::from_millis(300_800),
        ..config(&server)
    };
    let files = BoxFiles::new(&config).unwrap();
    files.resolve_path("Clients").await.unwrap();
    files.resolve_path("Clients").await.unwrap();
    assert_eq!(token_requests(&server).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    files.resolve_path("Clients").await.unwrap();
    let tokens = token_requests(&server).await;
    assert_eq!(
        tokens.len(),
        2,
        "a token within 5 min of expiry is replaced"
    );
    let jtis: HashSet<String> = tokens
        .iter()
        .map(|r| {
            let assertion = form(r)
                .into_iter()
                .find(|(k, _)| k == "assertion")
                .unwrap()
                .1;
            verified_jwt(&assertion).1["jti"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(jtis.len(), 2, "every assertion has its own jti");
}

#[tokio::test]
async fn u3_3_a_401_gets_one_new_token_and_one_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("old-token"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("new-token"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer old-token"))
        .respond_with(box_error(401, "unauthorized"))
        .mount(&server)
        .await;
    root_listing(&server).await;
    let files = client(&server);
    assert_eq!(files.resolve_path("Clients").await.unwrap().id, "100");
    assert_eq!(token_requests(&server).await.len(), 2);
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn u3_3_a_401_after_renewal_is_unauthorized_without_a_loop() {
    let server = fake_box().await;
    Mock::given(method("GET"))
        .respond_with(box_error(401, "unauthorized"))
        .mount(&server)
        .await;
    let err = client(&server).resolve_path("Clients").await.unwrap_err();
    assert_eq!(err, UpstreamError::Unauthorized);
    assert_eq!(token_requests(&server).await.len(), 2);
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn s14_1_token_invalid_grant_is_rejected_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_grant", "error_description": "Please check the 'exp' claim."
        })))
        .mount(&server)
        .await;
    let err = client(&server).resolve_path("Clients").await.unwrap_err();
    let UpstreamError::Rejected { status, code, .. } = err else {
        panic!("{err:?}");
    };
    assert_eq!((status, code.as_str()), (400, "invalid_grant"));
    assert_eq!(
        requests(&server).await.len(),
        1,
        "a final 4xx is not retried"
    );
}

#[tokio::test]
async fn u3_3_token_calls_retry_a_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer(ACCESS_TOKEN))
        .mount(&server)
        .await;
    root_listing(&server).await;
    client(&server).resolve_path("Clients").await.unwrap();
    assert_eq!(token_requests(&server).await.len(), 2);
}
