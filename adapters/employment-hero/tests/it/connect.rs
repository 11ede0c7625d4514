//! H2.9 / U2.2 / U2.3: the authorise redirect and the code exchange.

use crate::fake::{CLIENT_ID, CLIENT_SECRET, FakeEh, ORG, REDIRECT_URI, Route};
use crate::store::MemoryCredentials;
use crate::support::{cipher, client_with, config};
use domain::ports::{Clock, HrConnection, HrError, UpstreamError};
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::Arc;

fn query(url: &str) -> HashMap<String, String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Follows the authorise URL as a browser would, up to the fake's redirect; returns its query.
async fn authorise(url: &str) -> HashMap<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    query(answer.headers()["location"].to_str().unwrap())
}

#[tokio::test]
async fn u2_2_the_authorise_url_carries_a_fresh_state_and_s256_challenge() {
    let fake = FakeEh::start().await;
    let eh = client_with(&fake, config(&fake), Arc::new(MemoryCredentials::default()));
    let a = eh.begin_authorization().unwrap();
    let b = eh.begin_authorization().unwrap();
    assert!(
        a.authorize_url
            .starts_with(&format!("{}/oauth2/authorize?", fake.uri()))
    );
    let q = query(&a.authorize_url);
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], REDIRECT_URI);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["state"], a.state);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert!(!q.contains_key("scope"));
    assert_eq!(a.state.len(), 43);
    assert_ne!(a.state, b.state);
    let verifier = cipher().decrypt(&a.code_verifier_enc).unwrap();
    assert_eq!(verifier.expose_secret().len(), 64);
    assert_eq!(
        q["code_challenge"],
        employment_hero::pkce::code_challenge(&verifier)
    );
}

#[tokio::test]
async fn h2_9_a_completed_connection_stores_encrypted_tokens_and_the_organisation() {
    let fake = FakeEh::start().await;
    let store = Arc::new(MemoryCredentials::default());
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    let start = eh.begin_authorization().unwrap();
    let back = authorise(&start.authorize_url).await;
    assert_eq!(back["state"], start.state);
    let org = eh
        .complete_authorization(&back["code"], &start.code_verifier_enc)
        .await
        .unwrap();
    assert_eq!(org.id, ORG);
    assert_eq!(org.name.as_deref(), Some("Wealth Co"));

    let exchange = &fake.requests("/oauth2/token").await[0];
    assert_eq!(exchange.method.as_str(), "POST");
    assert_eq!(
        exchange.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let form = query(&format!(
        "http://f/?{}",
        String::from_utf8_lossy(&exchange.body)
    ));
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], back["code"]);
    assert_eq!(form["redirect_uri"], REDIRECT_URI);
    assert_eq!(form["client_id"], CLIENT_ID);
    assert_eq!(form["client_secret"], CLIENT_SECRET);
    assert_eq!(form["code_verifier"].len(), 64);

    let row = store.row().unwrap();
    assert!(row.access_token_enc.starts_with("v1:"));
    let refresh = cipher().decrypt(&row.refresh_token_enc).unwrap();
    assert_eq!(
        Some(refresh.expose_secret().to_owned()),
        fake.current_refresh()
    );
    assert_eq!(row.organisation_id.as_deref(), Some(ORG));
    assert_eq!(
        row.expires_at,
        fake_now(&fake) + chrono::TimeDelta::seconds(900)
    );
}

fn fake_now(fake: &FakeEh) -> chrono::DateTime<chrono::Utc> {
    fake.clock().now()
}

#[tokio::test]
async fn u2_3_a_wrong_verifier_fails_the_exchange_once_without_storing() {
    let fake = FakeEh::start().await;
    let store = Arc::new(MemoryCredentials::default());
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    let start = eh.begin_authorization().unwrap();
    let back = authorise(&start.authorize_url).await;
    let other = eh.begin_authorization().unwrap();
    let err = eh
        .complete_authorization(&back["code"], &other.code_verifier_enc)
        .await
        .unwrap_err();
    let HrError::Upstream(UpstreamError::Rejected { status, code, .. }) = err else {
        panic!("{err:?}");
    };
    assert_eq!((status, code.as_str()), (400, "invalid_grant"));
    assert_eq!(fake.calls(Route::Token), 1, "a code is never retried");
    assert!(store.row().is_none());
}

#[tokio::test]
async fn u2_3_the_exchange_is_not_retried_after_a_500() {
    let fake = FakeEh::start().await;
    fake.fault(Route::Token, 1, 1, wiremock::ResponseTemplate::new(500));
    let eh = client_with(&fake, config(&fake), Arc::new(MemoryCredentials::default()));
    let start = eh.begin_authorization().unwrap();
    let back = authorise(&start.authorize_url).await;
    let err = eh
        .complete_authorization(&back["code"], &start.code_verifier_enc)
        .await
        .unwrap_err();
    assert!(
        matches!(err, HrError::Upstream(UpstreamError::Unavailable { .. })),
        "{err:?}"
    );
    assert_eq!(fake.calls(Route::Token), 1);
}

#[tokio::test]
async fn h2_9_1_no_redirect_uri_is_not_configured() {
    let fake = FakeEh::start().await;
    let config = employment_hero::EhConfig {
        redirect_uri: None,
        ..config(&fake)
    };
    let eh = client_with(&fake, config, Arc::new(MemoryCredentials::default()));
    assert_eq!(
        eh.begin_authorization().unwrap_err(),
        HrError::NotConfigured("REDIRECT_URI".into())
    );
}
