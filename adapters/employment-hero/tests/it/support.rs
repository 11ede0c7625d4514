//! What every story needs: a fake EH, a store holding a connection it issued, and a client
//! pointed at both with fast retries.

use crate::fake::{CLIENT_ID, CLIENT_SECRET, FakeEh, REDIRECT_URI};
use crate::store::MemoryCredentials;
use base64::Engine;
use chrono::TimeDelta;
use domain::ports::{Clock, EhCredentialStatus, EhCredentials};
use employment_hero::{EhConfig, EmploymentHero, TokenCipher};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

pub type Client = EmploymentHero<Arc<MemoryCredentials>>;

pub fn cipher() -> TokenCipher {
    let key = base64::engine::general_purpose::STANDARD.encode([42u8; 32]);
    TokenCipher::new(&SecretString::from(key), None).unwrap()
}

/// The defaults pointed at the fake, retries and waits in milliseconds, no budget.
pub fn config(fake: &FakeEh) -> EhConfig {
    EhConfig {
        redirect_uri: Some(REDIRECT_URI.into()),
        authorize_url: format!("{}/oauth2/authorize", fake.uri()),
        token_url: format!("{}/oauth2/token", fake.uri()),
        api_base_url: fake.uri(),
        budget: None,
        request_timeout: Duration::from_millis(500),
        token_timeout: Duration::from_millis(500),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        refresh_wait: Duration::from_millis(500),
        refresh_poll: Duration::from_millis(10),
        ..EhConfig::new(CLIENT_ID, CLIENT_SECRET)
    }
}

pub fn client_with(fake: &FakeEh, config: EhConfig, store: Arc<MemoryCredentials>) -> Client {
    EmploymentHero::with_clock(config, store, cipher(), fake.clock()).unwrap()
}

/// A store holding a connection the fake issued, with `life` seconds left on the access token
/// as far as the client knows (the fake still decides validity on its own clock).
pub fn connected(fake: &FakeEh, life: i64) -> (Arc<MemoryCredentials>, String, String) {
    let (access, refresh) = fake.issue();
    let c = cipher();
    let now = fake.clock().now();
    let store = Arc::new(MemoryCredentials::default());
    store.set(EhCredentials {
        access_token_enc: c.encrypt(&access).unwrap(),
        refresh_token_enc: c.encrypt(&refresh).unwrap(),
        code_verifier_enc: c
            .encrypt("verifier-SECRETVERIFIER-0123456789012345678901234567")
            .unwrap(),
        expires_at: now + TimeDelta::seconds(life),
        refreshing_since: None,
        organisation_id: None,
        organisation_name: None,
        status: EhCredentialStatus::Active,
        updated_at: now,
    });
    (store, access, refresh)
}

pub fn client(fake: &FakeEh) -> (Client, Arc<MemoryCredentials>) {
    let (store, _, _) = connected(fake, 900);
    (client_with(fake, config(fake), Arc::clone(&store)), store)
}

pub fn no_progress() -> impl Fn(domain::ports::PageProgress) + Send + Sync {
    |_| {}
}
