//! Access tokens for Firestore (upstreams.md U4.3): a service-account RS256 assertion exchanged
//! at the token endpoint, or the metadata server, or the emulator's fixed `owner` token.
//!
//! One cached token per client, renewed `renew_before` (5 minutes) ahead of its expiry. The cache
//! lock is held while a token is fetched, so concurrent callers wait for that one fetch
//! (single-flight) instead of each asking for a token.

use crate::config::{DATASTORE_SCOPE, FirestoreAuth, FirestoreConfigError, ServiceAccountKey};
use crate::http::{describe_error_body, parse_json};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;
use upstream_http::{Call, Upstream, UpstreamError};

/// The emulator accepts this token for admin operations (U4.3).
const EMULATOR_TOKEN: &str = "owner";
/// Assertions live one hour (U4.3).
const ASSERTION_LIFETIME_SECS: u64 = 3600;

enum Source {
    Emulator,
    ServiceAccount {
        client_email: String,
        key_id: String,
        /// The PEM, parsed again for each assertion (hourly) so it only lives in a secret.
        private_key: SecretString,
        token_url: Url,
    },
    Metadata {
        token_url: Url,
    },
}

struct Cached {
    token: SecretString,
    expires: Instant,
}

/// Where tokens come from, and the current one.
pub(crate) struct TokenSource {
    source: Source,
    /// The token endpoint's own client: another host, so another breaker (U0.6).
    upstream: Upstream,
    renew_before: Duration,
    cache: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.source {
            Source::Emulator => "emulator",
            Source::ServiceAccount { .. } => "service_account",
            Source::Metadata { .. } => "metadata",
        };
        f.debug_struct("TokenSource")
            .field("source", &kind)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: SecretString,
    /// Seconds; Google answers 3599.
    expires_in: Option<u64>,
}

fn token_url(url: &str) -> Result<Url, FirestoreConfigError> {
    Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| FirestoreConfigError::BaseUrl(url.to_owned()))
}

impl TokenSource {
    pub(crate) fn new(
        auth: &FirestoreAuth,
        upstream: Upstream,
        renew_before: Duration,
    ) -> Result<TokenSource, FirestoreConfigError> {
        let source = match auth {
            FirestoreAuth::Emulator => Source::Emulator,
            FirestoreAuth::Metadata { token_url: url } => Source::Metadata {
                token_url: token_url(url)?,
            },
            FirestoreAuth::ServiceAccount(key) => service_account(key)?,
        };
        Ok(TokenSource {
            source,
            upstream,
            renew_before,
            cache: Mutex::new(None),
        })
    }

    /// The bearer token to send now: the cached one unless it is within `renew_before` of its
    /// expiry (or was refused), else a new one.
    pub(crate) async fn bearer(&self) -> Result<SecretString, UpstreamError> {
        if matches!(self.source, Source::Emulator) {
            return Ok(SecretString::from(EMULATOR_TOKEN));
        }
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache
            .as_ref()
            .filter(|c| Instant::now() + self.renew_before < c.expires)
        {
            return Ok(cached.token.clone());
        }
        let answer = self.fetch().await?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(ASSERTION_LIFETIME_SECS));
        *cache = Some(Cached {
            token: answer.access_token.clone(),
            expires: Instant::now() + lifetime,
        });
        Ok(answer.access_token)
    }

    /// Forgets `refused` (Firestore answered 401 to it) so the next [`bearer`](Self::bearer)
    /// fetches a new one. A newer token another caller already fetched is kept.
    pub(crate) async fn refused(&self, refused: &SecretString) {
        let mut cache = self.cache.lock().await;
        if cache
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == refused.expose_secret())
        {
            *cache = None;
        }
    }

    /// Whether a refused token can be replaced (not the emulator's fixed one).
    pub(crate) fn renewable(&self) -> bool {
        !matches!(self.source, Source::Emulator)
    }

    async fn fetch(&self) -> Result<TokenAnswer, UpstreamError> {
        let result = match &self.source {
            Source::Emulator => Err(UpstreamError::Unauthorized),
            Source::Metadata { token_url } => {
                self.upstream
                    .call(
                        Call::read("metadata token"),
                        |c| c.get(token_url.clone()).header("Metadata-Flavor", "Google"),
                        parse_json::<TokenAnswer>,
                    )
                    .await
            }
            Source::ServiceAccount {
                client_email,
                key_id,
                private_key,
                token_url,
            } => {
                let assertion = SecretString::from(assertion(
                    client_email,
                    key_id,
                    private_key,
                    token_url.as_str(),
                )?);
                // Exchanging an assertion twice only issues two tokens: safe to repeat.
                self.upstream
                    .call(
                        Call::idempotent_write("oauth token"),
                        |c| {
                            c.post(token_url.clone()).form(&[
                                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                                ("assertion", assertion.expose_secret()),
                            ])
                        },
                        parse_json::<TokenAnswer>,
                    )
                    .await
            }
        };
        // The token endpoint refusing the key (`invalid_grant`, 400) means the credentials
        // are wrong, like a 401.
        result.map_err(|e| match e {
            UpstreamError::Rejected { .. } => UpstreamError::Unauthorized,
            other => other,
        })
    }
}

fn service_account(key: &ServiceAccountKey) -> Result<Source, FirestoreConfigError> {
    // Parsed once here so a broken key fails at start-up, not at the first call.
    EncodingKey::from_rsa_pem(key.private_key.expose_secret().as_bytes()).map_err(|_| {
        FirestoreConfigError::Credentials("private_key is not an RSA PKCS#8 PEM".into())
    })?;
    Ok(Source::ServiceAccount {
        client_email: key.client_email.trim().to_owned(),
        key_id: key.private_key_id.trim().to_owned(),
        private_key: key.private_key.clone(),
        token_url: token_url(&key.token_uri)?,
    })
}

/// The signed RS256 JWT of U4.3.
fn assertion(
    client_email: &str,
    key_id: &str,
    private_key: &SecretString,
    audience: &str,
) -> Result<String, UpstreamError> {
    let key = EncodingKey::from_rsa_pem(private_key.expose_secret().as_bytes())
        .map_err(|_| UpstreamError::Unauthorized)?;
    let iat = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = Header {
        kid: Some(key_id.to_owned()),
        ..Header::new(Algorithm::RS256)
    };
    let claims = Claims {
        iss: client_email,
        scope: DATASTORE_SCOPE,
        aud: audience,
        iat,
        exp: iat + ASSERTION_LIFETIME_SECS,
    };
    jsonwebtoken::encode(&header, &claims, &key).map_err(|_| UpstreamError::Unauthorized)
}

/// The token endpoint's error bodies are OAuth's `{"error": "invalid_grant", …}`; never logged.
pub(crate) fn describe_token_error(body: &[u8]) -> upstream_http::ErrorBody {
    #[derive(Deserialize)]
    struct OAuthError {
        error: String,
    }
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(e) => upstream_http::ErrorBody {
            code: e.error,
            message: String::new(),
        },
        Err(_) => describe_error_body(body),
    }
}
