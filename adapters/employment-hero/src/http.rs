//! Every HTTP call to Employment Hero goes through here, and through the shared client policy
//! (upstreams.md U0) of `upstream-http`: API pages with the bearer token (U2.5–U2.8), and the
//! token endpoint (U2.3, U2.4), which is never retried because its grants are single-use.

use crate::config::{EhConfig, EhConfigError};
use crate::wire::{TokenResponse, describe_error_body};
use reqwest::header::ACCEPT;
use reqwest::{Client, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use upstream_http::{Call, Policy, Upstream, UpstreamError};

pub(crate) struct EhHttp {
    api_base: Url,
    token_url: Url,
    pub authorize_url: Url,
    api: Upstream,
    token: Upstream,
}

impl std::fmt::Debug for EhHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EhHttp")
            .field("api_base", &self.api_base.as_str())
            .finish_non_exhaustive()
    }
}

fn parse_url(value: &str, name: &'static str) -> Result<Url, EhConfigError> {
    Url::parse(value.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
        .ok_or(EhConfigError::Url(name))
}

impl EhHttp {
    /// The API's and the token endpoint's breakers (separate policies), the worse of the two.
    pub(crate) fn breaker_state(&self) -> upstream_http::BreakerState {
        self.api.breaker_state().worse(self.token.breaker_state())
    }

    pub(crate) fn new(config: &EhConfig) -> Result<EhHttp, EhConfigError> {
        let api_policy = Policy {
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            backoff_base: config.backoff_base,
            backoff_cap: config.backoff_cap,
            budget: config.budget,
            ..Policy::new("employment-hero")
        };
        let token_policy = Policy {
            request_timeout: config.token_timeout,
            max_attempts: 1,
            budget: None,
            ..Policy::new("employment-hero-oauth")
        };
        let client = |p| {
            Upstream::new(p, describe_error_body).map_err(|e| EhConfigError::Client(e.to_string()))
        };
        Ok(EhHttp {
            api_base: parse_url(&config.api_base_url, "EH_API_BASE_URL")?,
            token_url: parse_url(&config.token_url, "EH_TOKEN_URL")?,
            authorize_url: parse_url(&config.authorize_url, "EH_AUTHORIZE_URL")?,
            api: client(api_policy)?,
            token: client(token_policy)?,
        })
    }

    /// The URL of an API path given as its segments (each one percent-encoded).
    pub(crate) fn api_url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_base.clone();
        // `new` refused bases that cannot take path segments, so this always applies.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A retryable GET of the API (U2.8). A 401 comes back as `Unauthorized` for the caller to
    /// refresh and retry.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        label: &'static str,
        url: &Url,
        query: &[(&str, String)],
        access_token: &SecretString,
    ) -> Result<T, UpstreamError> {
        let build = |c: &Client| {
            c.get(url.clone())
                .query(query)
                .bearer_auth(access_token.expose_secret())
                .header(ACCEPT, "application/json")
        };
        self.api.call(Call::read(label), build, parse_json).await
    }

    /// A form POST to the token endpoint, sent once (U2.3, U2.4).
    pub(crate) async fn token(
        &self,
        label: &'static str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, UpstreamError> {
        let build = |c: &Client| {
            c.post(self.token_url.clone())
                .form(form)
                .header(ACCEPT, "application/json")
        };
        self.token.call(Call::once(label), build, parse_json).await
    }
}

/// A 2xx body into its wire type. The detail names where it broke, never what it read (values
/// may be tokens or personal data).
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        format!(
            "unexpected JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })
}
