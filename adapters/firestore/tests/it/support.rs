//! What every story needs: a fake Firestore, a store pointed at it with fast retries, and the
//! requests the fake received.

use crate::fake::{CLIENT_EMAIL, FakeFirestore, KEY_ID, PROJECT};
use chrono::{DateTime, NaiveDate, Utc};
use firestore_store::{FirestoreAuth, FirestoreConfig, FirestoreStore, ServiceAccountKey};
use std::time::Duration;
use wiremock::Request;

pub const PRIVATE_KEY: &str = include_str!("test-only-key.pem");

/// A service-account key file as Google issues it, pointing its token endpoint at the fake.
pub fn key_json(token_uri: &str) -> String {
    serde_json::json!({
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": KEY_ID,
        "private_key": PRIVATE_KEY,
        "client_email": CLIENT_EMAIL,
        "client_id": "1234567890",
        "token_uri": token_uri,
    })
    .to_string()
}

/// The U4 defaults pointed at the fake, with retries and waits in milliseconds and no budget.
pub fn config(fake: &FakeFirestore) -> FirestoreConfig {
    let key =
        ServiceAccountKey::from_json(&key_json(&format!("{}/token", fake.server.uri()))).unwrap();
    FirestoreConfig {
        base_url: format!("{}/v1", fake.server.uri()),
        request_timeout: Duration::from_millis(500),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        requests_per_sec: 0,
        ..FirestoreConfig::new(PROJECT, FirestoreAuth::ServiceAccount(key))
    }
}

pub fn store(fake: &FakeFirestore) -> FirestoreStore {
    FirestoreStore::new(&config(fake)).unwrap()
}

pub async fn requests(fake: &FakeFirestore) -> Vec<Request> {
    fake.server.received_requests().await.unwrap_or_default()
}

/// The requests to Firestore itself (not the token endpoint).
pub async fn firestore_requests(fake: &FakeFirestore) -> Vec<Request> {
    requests(fake)
        .await
        .into_iter()
        .filter(|r| r.url.path().starts_with("/v1/"))
        .collect()
}

pub fn body(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap()
}

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}
