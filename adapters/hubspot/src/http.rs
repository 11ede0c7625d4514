//! Every HTTP call to HubSpot goes through here, and through the shared client policy
//! (upstreams.md U0) of `upstream-http`: the bearer token and JSON headers (U1.1), the two budgets
//! (U1.3) and the reading of answers into wire types.
//!
//! A `DAILY` 429 (U1.3) holds the one shared breaker until the account's midnight.
//!
//! Budgets: `upstream-http` keeps its bucket private, so this module owns both. The general bucket
//! is shared by every call, searches included; the search bucket serves webhook searches before
//! background ones (U1.3, [`crate::priority`]). Every call waits for its tokens before its first
//! attempt, and a retry takes one when one is free (it has already waited its backoff).

use crate::config::{HubSpotConfig, HubSpotConfigError};
use crate::error_body::describe_error_body;
use crate::priority::{SearchGate, SearchWindow};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::ACCEPT;
use reqwest::{Client, RequestBuilder, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use upstream_http::{Call, Policy, QuotaHold, Upstream, UpstreamError};

/// U1.3: a `DAILY` 429 holds HubSpot until the next midnight in the account's zone.
fn until_midnight(tz: chrono_tz::Tz) -> impl Fn(std::time::SystemTime) -> Duration + Send + Sync {
    move |now| {
        let now: chrono::DateTime<chrono::Utc> = now.into();
        let local = now.with_timezone(&tz);
        let next = local
            .date_naive()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|m| m.and_local_timezone(tz).earliest());
        next.and_then(|n| (n.with_timezone(&chrono::Utc) - now).to_std().ok())
            .unwrap_or(Duration::from_secs(3600))
    }
}

/// The HTTP side of the adapter: where HubSpot is, the token, and the two policies.
pub(crate) struct HubSpotHttp {
    base: Url,
    token: SecretString,
    /// Users, owners, the deal PATCH: general bucket only (owned here).
    general: Upstream,
    /// CRM searches: the search bucket (per attempt) and the general bucket.
    search: Upstream,
    general_budget: Option<DefaultDirectRateLimiter>,
    /// The search bucket, with webhook priority (U1.3).
    search_gate: Option<SearchGate>,
}

impl std::fmt::Debug for HubSpotHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubSpotHttp")
            .field("base", &self.base.as_str())
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl HubSpotHttp {
    pub(crate) fn new(config: &HubSpotConfig) -> Result<HubSpotHttp, HubSpotConfigError> {
        let base = Url::parse(config.base_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .ok_or_else(|| HubSpotConfigError::BaseUrl(config.base_url.clone()))?;
        if config.token.expose_secret().trim().is_empty() {
            return Err(HubSpotConfigError::EmptyToken);
        }
        let daily = QuotaHold {
            code: "DAILY",
            until: Arc::new(until_midnight(config.account_timezone)),
        };
        let policy = |name| Policy {
            quota_hold: Some(daily.clone()),
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            backoff_base: config.backoff_base,
            backoff_cap: config.backoff_cap,
            wait_429_without_header: Some(config.wait_429_without_retry_after),
            ..Policy::new(name)
        };
        // The search bucket is owned here too, so webhooks can be served first (U1.3).
        let search_policy = policy("hubspot-search");
        let client = |p| {
            Upstream::new(p, describe_error_body)
                .map_err(|e| HubSpotConfigError::Client(e.to_string()))
        };
        let general = client(policy("hubspot"))?;
        // One breaker for HubSpot (U0.6), so a daily-quota hold stops searches too.
        let search = client(search_policy)?.sharing_breaker_with(&general);
        Ok(HubSpotHttp {
            base,
            token: config.token.clone(),
            general,
            search,
            general_budget: bucket(config.burst_per_10s, Duration::from_secs(10)),
            search_gate: NonZeroU32::new(config.search_per_sec)
                .map(|limit| SearchGate::new(SearchWindow::per_second(limit))),
        })
    }

    /// HubSpot's one breaker (U0.6), shared by both policies.
    pub(crate) fn breaker_state(&self) -> upstream_http::BreakerState {
        self.general.breaker_state()
    }

    /// The URL of an API path given as its segments (each one percent-encoded).
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        // `new` refused bases that cannot take path segments, so this always applies.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A GET with query parameters.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        label: &'static str,
        url: &Url,
        query: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        self.send(&self.general, Call::read(label), |c| {
            c.get(url.clone()).query(query)
        })
        .await
    }

    /// A CRM search: a read-only POST, retryable (U1.3), taking from both buckets.
    pub(crate) async fn search<T: DeserializeOwned>(
        &self,
        label: &'static str,
        url: &Url,
        body: &serde_json::Value,
    ) -> Result<T, UpstreamError> {
        if let Some(gate) = &self.search_gate {
            gate.acquire().await;
        }
        let attempts = AtomicU32::new(0);
        self.send(&self.search, Call::read(label), |c| {
            if attempts.fetch_add(1, Ordering::Relaxed) > 0
                && let Some(gate) = &self.search_gate
            {
                gate.take_for_retry();
            }
            c.post(url.clone()).json(body)
        })
        .await
    }

    /// A read-only POST (the contacts batch read): retryable like a GET (U1.3), general bucket.
    pub(crate) async fn post_read<T: DeserializeOwned>(
        &self,
        label: &'static str,
        url: &Url,
        body: &serde_json::Value,
    ) -> Result<T, UpstreamError> {
        self.send(&self.general, Call::read(label), |c| {
            c.post(url.clone()).json(body)
        })
        .await
    }

    /// A PATCH that is safe to repeat (the same value twice is harmless, U1.6.2).
    pub(crate) async fn patch<T: DeserializeOwned>(
        &self,
        label: &'static str,
        url: &Url,
        body: &serde_json::Value,
    ) -> Result<T, UpstreamError> {
        self.send(&self.general, Call::idempotent_write(label), |c| {
            c.patch(url.clone()).json(body)
        })
        .await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        upstream: &Upstream,
        call: Call,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<T, UpstreamError> {
        if let Some(budget) = &self.general_budget {
            budget.until_ready().await;
        }
        let attempts = AtomicU32::new(0);
        let build = |client: &Client| {
            if attempts.fetch_add(1, Ordering::Relaxed) > 0
                && let Some(budget) = &self.general_budget
            {
                // Best effort: a retry is never held back here, only counted when it can be.
                let _ = budget.check();
            }
            build(client)
                .bearer_auth(self.token.expose_secret())
                .header(ACCEPT, "application/json")
        };
        upstream.call(call, build, parse_json).await
    }
}

/// A token bucket of `burst` tokens refilled evenly over `per`; `None` when `burst` is zero.
fn bucket(burst: u32, per: Duration) -> Option<DefaultDirectRateLimiter> {
    let burst = NonZeroU32::new(burst)?;
    let quota = Quota::with_period(per / burst.get())?.allow_burst(burst);
    Some(RateLimiter::direct(quota))
}

/// A 2xx body into its wire type. The detail names where it broke, never what it read (values
/// may be personal data).
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
