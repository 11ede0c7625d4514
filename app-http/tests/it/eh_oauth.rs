//! The Employment Hero connection (H2.9, U2.2, U2.3) against a wiremock token endpoint and API:
//! the redirect with PKCE S256 and a single-use state bound to the admin's session, the code
//! exchange, the encrypted tokens, and the 400/502 pages.

use crate::portal_client::PortalUser;
use crate::support::TestApp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ports::EhCredentialStore;
use offline_fakes::ManualClock;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// 32 zero bytes, base64.
const KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const ACCESS: &str = "eh-access-token-plain";

pub(crate) async fn eh() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/organisations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "items": [{"id": "org-1", "name": "Acme <Advice>"}],
            "page_index": 1, "item_per_page": 20, "total_items": 1, "total_pages": 1}})))
        .mount(&server)
        .await;
    server
}

pub(crate) async fn token_answers(server: &MockServer, status: u16) {
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(status).set_body_json(json!({
            "access_token": ACCESS, "refresh_token": "eh-refresh-token-plain",
            "token_type": "bearer", "expires_in": 900})))
        .mount(server)
        .await;
}

pub(crate) async fn spawn(server: &MockServer, clock: Option<ManualClock>) -> TestApp {
    let (base, token_url) = (server.uri(), format!("{}/oauth2/token", server.uri()));
    let env = [
        ("EH_CLIENT_ID", "client-1"),
        ("EH_CLIENT_SECRET", "secret-1"),
        ("REDIRECT_URI", "https://alloc.example.com/auth/callback"),
        ("DATA_ENCRYPTION_KEY", KEY),
        (
            "EH_AUTHORIZE_URL",
            "https://eh.example.com/oauth2/authorize",
        ),
        ("EH_TOKEN_URL", token_url.as_str()),
        ("EH_API_BASE_URL", base.as_str()),
    ];
    TestApp::spawn_full(&env, clock.map(|c| Arc::new(c) as _)).await
}

/// `/auth/start` as `admin`: the authorise URL's query.
pub(crate) async fn start(app: &TestApp, admin: &PortalUser) -> HashMap<String, String> {
    let r = app.get_as(admin, "/auth/start").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("https://eh.example.com/oauth2/authorize?"),
        "{location}"
    );
    reqwest::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) async fn callback(app: &TestApp, user: &PortalUser, query: &str) -> (u16, String) {
    let r = app
        .get_as(user, &format!("/auth/callback?{query}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn u2_2_start_redirects_with_pkce_s256_and_a_fresh_state() {
    let server = eh().await;
    let app = spawn(&server, None).await;
    let admin = app.portal_admin("root").await;
    let q = start(&app, &admin).await;
    assert_eq!(q["client_id"], "client-1");
    assert_eq!(q["redirect_uri"], "https://alloc.example.com/auth/callback");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["state"].len(), 43);
    assert_eq!(q["code_challenge"].len(), 43);
    assert!(!q.contains_key("scope"));
    assert_ne!(
        start(&app, &admin).await["state"],
        q["state"],
        "a fresh state each time"
    );
}

#[tokio::test]
async fn h2_9_2_the_callback_exchanges_the_code_with_the_verifier_and_stores_encrypted_tokens() {
    let server = eh().await;
    token_answers(&server, 200).await;
    let app = spawn(&server, None).await;
    let admin = app.portal_admin("root").await;
    let q = start(&app, &admin).await;
    let (status, page) = callback(&app, &admin, &format!("code=abc&state={}", q["state"])).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Employment Hero connected"));
    assert!(
        page.contains("Acme &lt;Advice&gt;"),
        "the organisation, escaped"
    );

    let sent = server.received_requests().await.unwrap();
    let exchange = sent
        .iter()
        .find(|r| r.url.path() == "/oauth2/token")
        .unwrap();
    let form: HashMap<String, String> = reqwest::Url::parse(&format!(
        "http://x/?{}",
        String::from_utf8_lossy(&exchange.body)
    ))
    .unwrap()
    .query_pairs()
    .map(|(k, v)| (k.into_owned(), v.into_owned()))
    .collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "abc");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form["code_verifier"].as_bytes()));
    assert_eq!(challenge, q["code_challenge"], "S256 of the verifier");

    let stored = app.state.store.get_credentials().await.unwrap().unwrap();
    assert!(stored.access_token_enc.starts_with("v1:"));
    assert!(!stored.access_token_enc.contains(ACCESS));

    let (status, page) = callback(&app, &admin, &format!("code=abc&state={}", q["state"])).await;
    assert_eq!(status, 400);
    assert!(page.contains("state_mismatch"), "a state is used once");
}

#[tokio::test]
async fn h2_9_2_a_state_of_another_session_or_expired_is_state_mismatch() {
    let server = eh().await;
    token_answers(&server, 200).await;
    let clock = ManualClock::at("2025-03-12T01:00:00Z".parse().unwrap());
    let app = spawn(&server, Some(clock.clone())).await;
    let admin = app.portal_admin("root").await;
    let other = app.portal_admin("other").await;
    let q = start(&app, &admin).await;
    let (status, page) = callback(&app, &other, &format!("code=abc&state={}", q["state"])).await;
    assert_eq!(status, 400);
    assert!(page.contains("state_mismatch"));
    let (status, _) = callback(&app, &admin, "code=abc&state=made-up").await;
    assert_eq!(status, 400);

    clock.advance(chrono::TimeDelta::minutes(11));
    let admin = app.session_for(admin.id, domain::ports::Role::Admin).await;
    let (status, page) = callback(&app, &admin, &format!("code=abc&state={}", q["state"])).await;
    assert_eq!(status, 400);
    assert!(page.contains("state_mismatch"), "expired after 10 minutes");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no exchange"
    );
}

#[tokio::test]
async fn h2_9_2_denied_missing_code_and_failed_exchange_pages() {
    let server = eh().await;
    token_answers(&server, 400).await;
    let app = spawn(&server, None).await;
    let admin = app.portal_admin("root").await;
    let q = start(&app, &admin).await;
    let (status, page) = callback(
        &app,
        &admin,
        &format!("error=access_denied&state={}", q["state"]),
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("authorization_denied"));
    let q = start(&app, &admin).await;
    let (status, page) = callback(&app, &admin, &format!("state={}", q["state"])).await;
    assert_eq!(status, 400);
    assert!(page.contains("missing_code"));
    let q = start(&app, &admin).await;
    let (status, page) = callback(&app, &admin, &format!("code=abc&state={}", q["state"])).await;
    assert_eq!(status, 502);
    assert!(page.contains("token_exchange_failed"));
    assert!(app.state.store.get_credentials().await.unwrap().is_none());
}

#[tokio::test]
async fn h2_9_3_without_a_session_both_routes_go_to_login_and_employees_are_refused() {
    let server = eh().await;
    let app = spawn(&server, None).await;
    for (path, next) in [
        ("/auth/start", "/auth/start"),
        ("/auth/callback?code=a&state=b", "/auth/callback"),
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 302);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/admin/login?next={next}")
        );
    }
    let employee = app.portal_user("emp").await;
    let r = app.get_as(&employee, "/auth/start").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[tokio::test]
async fn h2_9_1_missing_settings_are_a_503_page() {
    let app = TestApp::spawn().await;
    let admin = app.portal_admin("root").await;
    let r = app.get_as(&admin, "/auth/start").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 503);
}
