//! Tokens (U4.3): the service-account assertion, the cache renewed 5 minutes early, one fetch
//! for concurrent callers, a token refused mid-operation, the metadata server, the emulator, and
//! secrets that never print (S10.6).

use crate::fake::{FakeFirestore, KEY_ID, PROJECT, ROOT, error};
use crate::support::{PRIVATE_KEY, at, config, firestore_requests, key_json, requests, store};
use domain::ports::{ClosureStore, EmployeeStore, StoreError};
use firestore_store::{
    FirestoreAuth, FirestoreConfig, FirestoreConfigError, FirestoreStore, ServiceAccountKey,
};
use store_suite::employee;
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request};

fn bearer(r: &Request) -> String {
    r.headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn u4_3_the_assertion_and_token_request_are_as_google_expects() {
    let fake = FakeFirestore::start().await;
    store(&fake).list_closures(None).await.unwrap();
    let sent = requests(&fake).await;
    let token = sent.iter().find(|r| r.url.path() == "/token").unwrap();
    assert_eq!(
        token.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    let claims = fake.state().last_claims.clone().unwrap();
    assert_eq!(claims["iss"], crate::fake::CLIENT_EMAIL);
    assert_eq!(claims["aud"], format!("{}/token", fake.server.uri()));
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/datastore");
    let header = jsonwebtoken::decode_header(
        &reqwest::Url::parse(&format!(
            "http://f/?{}",
            String::from_utf8_lossy(&token.body)
        ))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "assertion")
        .unwrap()
        .1,
    )
    .unwrap();
    assert_eq!(header.kid.as_deref(), Some(KEY_ID));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
}

#[tokio::test]
async fn u4_3_a_token_is_reused_until_5_minutes_before_expiry() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    for _ in 0..3 {
        store.list_closures(None).await.unwrap();
    }
    assert_eq!(fake.state().tokens_issued, 1);
    // A token with under 5 minutes left is renewed before each call.
    let fake = FakeFirestore::start().await;
    fake.state().expires_in = 299;
    let store = crate::support::store(&fake);
    for _ in 0..3 {
        store.list_closures(None).await.unwrap();
    }
    assert_eq!(fake.state().tokens_issued, 3);
}

#[tokio::test]
async fn u4_3_concurrent_callers_share_one_token_fetch() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let calls = (0..10).map(|_| store.list_closures(None));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(fake.state().tokens_issued, 1, "single-flight");
}

#[tokio::test]
async fn a_token_expiring_mid_operation_gets_one_new_token_and_a_retry() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let now = at("2025-03-01T00:00:00Z");
    // The sync's read succeeds; its commit meets a token Google no longer accepts.
    Mock::given(method("POST"))
        .and(path(format!("{ROOT}:commit")))
        .respond_with(error(401, "UNAUTHENTICATED", "expired"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&fake.server)
        .await;
    store
        .sync_employees(vec![employee("1", "Ann", None, None)], now)
        .await
        .unwrap();
    assert_eq!(fake.state().tokens_issued, 2);
    let commits: Vec<Request> = firestore_requests(&fake)
        .await
        .into_iter()
        .filter(|r| r.url.path().ends_with(":commit"))
        .collect();
    assert_eq!(commits.len(), 2);
    assert_eq!(bearer(&commits[0]), "Bearer ya29.fake-token-1");
    assert_eq!(bearer(&commits[1]), "Bearer ya29.fake-token-2");
    // A revoked token between calls is replaced the same way.
    fake.revoke_tokens();
    assert!(store.get_employee("1").await.unwrap().is_some());
    assert_eq!(fake.state().tokens_issued, 3);
}

#[tokio::test]
async fn a_token_refused_twice_is_not_retried_again() {
    let fake = FakeFirestore::start().await;
    Mock::given(path(format!("{ROOT}:runQuery")))
        .respond_with(error(403, "PERMISSION_DENIED", "no IAM role"))
        .with_priority(1)
        .mount(&fake.server)
        .await;
    let err = store(&fake).list_closures(None).await.unwrap_err();
    let StoreError::Unavailable(reason) = err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("credentials"), "{reason}");
    assert_eq!(firestore_requests(&fake).await.len(), 2);
    assert_eq!(fake.state().tokens_issued, 2);
}

#[tokio::test]
async fn a_key_the_token_endpoint_refuses_is_unauthorized() {
    let fake = FakeFirestore::start().await;
    let json = key_json(&format!("{}/token", fake.server.uri())).replace(KEY_ID, "other-key");
    let config = FirestoreConfig {
        auth: FirestoreAuth::ServiceAccount(ServiceAccountKey::from_json(&json).unwrap()),
        ..config(&fake)
    };
    let err = FirestoreStore::new(&config)
        .unwrap()
        .list_closures(None)
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("credentials"), "{err}");
    assert!(firestore_requests(&fake).await.is_empty());
}

#[tokio::test]
async fn u4_3_the_metadata_server_gives_tokens_without_a_key() {
    let fake = FakeFirestore::start().await;
    let config = FirestoreConfig {
        auth: FirestoreAuth::Metadata {
            token_url: format!("{}/metadata/token", fake.server.uri()),
        },
        ..config(&fake)
    };
    let store = FirestoreStore::new(&config).unwrap();
    store.list_closures(None).await.unwrap();
    let sent = requests(&fake).await;
    assert_eq!(sent[0].url.path(), "/metadata/token");
    assert_eq!(sent[0].headers.get("metadata-flavor").unwrap(), "Google");
    assert_eq!(bearer(&sent[1]), "Bearer ya29.fake-token-1");
}

#[tokio::test]
async fn u4_3_the_emulator_is_plain_http_with_the_owner_token() {
    let fake = FakeFirestore::start().await;
    fake.state().accept_owner = true;
    let host = fake.server.address().to_string();
    let config = FirestoreConfig::from_env(|name| match name {
        "FIRESTORE_PROJECT_ID" => Some(PROJECT.into()),
        "FIRESTORE_EMULATOR_HOST" => Some(host.clone()),
        _ => None,
    })
    .unwrap();
    assert_eq!(config.base_url, format!("http://{host}/v1"));
    let store = FirestoreStore::new(&config).unwrap();
    store.list_closures(None).await.unwrap();
    let sent = requests(&fake).await;
    assert_eq!(sent.len(), 1, "no token request");
    assert_eq!(bearer(&sent[0]), "Bearer owner");
}

#[test]
fn u0_10_configuration_from_the_environment() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert!(matches!(
        FirestoreConfig::from_env(env(&[])),
        Err(FirestoreConfigError::NoProject)
    ));
    let metadata = FirestoreConfig::from_env(env(&[
        ("FIRESTORE_PROJECT_ID", "p"),
        ("FIRESTORE_DATABASE", "legacy"),
    ]))
    .unwrap();
    assert_eq!(metadata.database, "legacy");
    assert!(matches!(metadata.auth, FirestoreAuth::Metadata { .. }));
    let both = FirestoreConfig::from_env(env(&[
        ("FIRESTORE_PROJECT_ID", "p"),
        ("FIRESTORE_CREDENTIALS_JSON", "{}"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "/k.json"),
    ]));
    assert!(matches!(
        both,
        Err(FirestoreConfigError::TwoCredentialSources)
    ));
}

#[tokio::test]
async fn s10_6_the_private_key_and_tokens_never_appear_in_debug_output_or_errors() {
    let fake = FakeFirestore::start().await;
    let config = config(&fake);
    let store = store(&fake);
    store.list_closures(None).await.unwrap();
    let key_body = PRIVATE_KEY.lines().nth(1).unwrap();
    for text in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{store:?}"),
        format!("{store:#?}"),
    ] {
        assert!(!text.contains(key_body), "{text}");
        assert!(!text.contains("PRIVATE KEY"), "{text}");
        assert!(!text.contains("ya29."), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
    // A key that is not a PEM is refused without quoting it.
    let json = key_json("https://oauth2.googleapis.com/token")
        .replace(key_body, "c2VjcmV0LWJ1dC1icm9rZW4=");
    let key = ServiceAccountKey::from_json(&json).unwrap();
    let err = FirestoreStore::new(&FirestoreConfig::new(
        PROJECT,
        FirestoreAuth::ServiceAccount(key),
    ))
    .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        matches!(err, FirestoreConfigError::Credentials(_)),
        "{text}"
    );
    assert!(!text.contains("c2VjcmV0LWJ1dC1icm9rZW4="), "{text}");
    let bad_json = ServiceAccountKey::from_json("{\"private_key\": \"s3cr3t\"").unwrap_err();
    assert!(!format!("{bad_json} {bad_json:?}").contains("s3cr3t"));
}
