//! Box access tokens (upstreams.md U3.3): a signed assertion exchanged at the token endpoint, kept
//! until `expires_at − 5 min`. One fetch at a time: concurrent callers wait for it (single flight).
//! There is no refresh token; a new assertion is signed each time.

use crate::jwt::AssertionSigner;
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use upstream_http::{Call, Upstream, UpstreamError};

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Box's documented lifetime, used when the answer omits `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// An access token. `generation` tells a stale copy from a replaced one.
#[derive(Clone)]
pub(crate) struct AccessToken {
    pub value: SecretString,
    pub generation: u64,
    reuse_until: Instant,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"[redacted]")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: SecretString,
    expires_in: Option<u64>,
}

pub(crate) struct TokenSource {
    upstream: Upstream,
    url: Url,
    signer: AssertionSigner,
    client_id: String,
    client_secret: SecretString,
    margin: Duration,
    slot: Mutex<(u64, Option<AccessToken>)>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("url", &self.url.as_str())
            .field("signer", &self.signer)
            .field("client_secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub(crate) fn new(
        upstream: Upstream,
        url: Url,
        signer: AssertionSigner,
        client_id: String,
        client_secret: SecretString,
        margin: Duration,
    ) -> TokenSource {
        TokenSource {
            upstream,
            url,
            signer,
            client_id,
            client_secret,
            margin,
            slot: Mutex::new((0, None)),
        }
    }

    /// The kept token while it is fresh, else a new one.
    pub(crate) async fn current(&self) -> Result<AccessToken, UpstreamError> {
        let mut slot = self.slot.lock().await;
        if let Some(token) = slot.1.as_ref().filter(|t| Instant::now() < t.reuse_until) {
            return Ok(token.clone());
        }
        self.fetch_into(&mut slot).await
    }

    /// After Box refused `stale` (401): a new token, unless another caller already replaced it.
    pub(crate) async fn replace(&self, stale: &AccessToken) -> Result<AccessToken, UpstreamError> {
        let mut slot = self.slot.lock().await;
        if let Some(token) = slot.1.as_ref().filter(|t| t.generation != stale.generation) {
            return Ok(token.clone());
        }
        self.fetch_into(&mut slot).await
    }

    async fn fetch_into(
        &self,
        slot: &mut (u64, Option<AccessToken>),
    ) -> Result<AccessToken, UpstreamError> {
        slot.1 = None;
        let first = self
            .signer
            .assertion()
            .ok_or_else(|| UpstreamError::unavailable("box: cannot sign the JWT assertion"))?;
        let answer = self
            .upstream
            .call(
                Call::idempotent_write("/oauth2/token"),
                |client| {
                    // Every attempt gets its own `jti` (U3.2: unique); the first is a fallback.
                    let assertion = self.signer.assertion().unwrap_or_else(|| first.clone());
                    client.post(self.url.clone()).form(&[
                        ("grant_type", GRANT_TYPE),
                        ("assertion", assertion.expose_secret()),
                        ("client_id", self.client_id.as_str()),
                        ("client_secret", self.client_secret.expose_secret()),
                    ])
                },
                |body| {
                    serde_json::from_slice::<TokenAnswer>(body)
                        .map_err(|_| "the token answer lacks access_token".to_owned())
                },
            )
            .await
            .inspect_err(
                |e| tracing::error!(upstream = "box", error = %e, "box token request failed"),
            )?;
        let lifetime = answer
            .expires_in
            .map_or(DEFAULT_LIFETIME, Duration::from_secs);
        slot.0 += 1;
        let token = AccessToken {
            value: answer.access_token,
            generation: slot.0,
            reuse_until: Instant::now() + lifetime.saturating_sub(self.margin),
        };
        slot.1 = Some(token.clone());
        Ok(token)
    }
}
