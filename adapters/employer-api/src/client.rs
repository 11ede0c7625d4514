//! [`EmployerApiClient`]: the domain's Employer API port over HTTP (upstreams.md U5), every call
//! through the shared client policy of `upstream-http` (U0) with the U5.4 settings.

use crate::config::{EmployerApiConfig, EmployerConfigError};
use crate::wire;
use async_trait::async_trait;
use domain::ports::{
    EmployerApi, NewUpstreamApplication, UpstreamApplication, UpstreamApplicationId, UpstreamJob,
};
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Client, RequestBuilder, Url};
use secrecy::ExposeSecret;
use std::cell::RefCell;
use std::time::{Duration, Instant};
use upstream_http::{Call, ErrorBody, Policy, RateBudget, Upstream, UpstreamError};

tokio::task_local! {
    /// The `error` text of the last non-2xx answer of the call running in this task. The shared
    /// policy turns a 404 into `NotFound` and a 409 into `Conflict` without the text, but U5.5
    /// wants `Rejected` with it (P7.5 shows it to the user); `describe` is a plain `fn`, so the
    /// text travels through this task-local, scoped to one call in [`EmployerApiClient::send`].
    static ERROR_TEXT: RefCell<Option<String>>;
}

fn describe(body: &[u8]) -> ErrorBody {
    let message = wire::error_text(body);
    // Outside a scope (never the case here) the text is simply not kept.
    let _ = ERROR_TEXT.try_with(|t| *t.borrow_mut() = Some(message.clone()));
    ErrorBody {
        code: String::new(),
        message,
    }
}

/// The Employer API client. One per process: it holds the connection pool, the budget and the
/// breaker.
pub struct EmployerApiClient {
    base: Url,
    /// `x-api-key`, marked sensitive so `reqwest` never prints it either.
    api_key: Option<HeaderValue>,
    upstream: Upstream,
    call_deadline: Duration,
}

impl std::fmt::Debug for EmployerApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmployerApiClient")
            .field("base", &self.base.as_str())
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("upstream", &self.upstream)
            .field("call_deadline", &self.call_deadline)
            .finish()
    }
}

impl EmployerApiClient {
    pub fn new(config: &EmployerApiConfig) -> Result<EmployerApiClient, EmployerConfigError> {
        let base = Url::parse(config.base_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .ok_or(EmployerConfigError::BaseUrl)?;
        let api_key = match config.api_key.as_ref().map(|k| k.expose_secret().trim()) {
            Some(key) if !key.is_empty() => {
                let mut value =
                    HeaderValue::from_str(key).map_err(|_| EmployerConfigError::ApiKey)?;
                value.set_sensitive(true);
                Some(value)
            }
            _ => None,
        };
        let budget = (config.requests_per_sec > 0 && config.burst > 0).then(|| RateBudget {
            burst: config.burst,
            // `upstream-http` refills `burst` tokens over `per`: 20 over 2 s is 10 per second.
            per: Duration::from_secs(1) * config.burst / config.requests_per_sec,
        });
        let policy = Policy {
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            backoff_base: config.backoff_base,
            backoff_cap: config.backoff_cap,
            budget,
            ..Policy::new("employer_api")
        };
        let upstream = Upstream::new(policy, describe)
            .map_err(|e| EmployerConfigError::Client(e.to_string()))?;
        Ok(EmployerApiClient {
            base,
            api_key,
            upstream,
            call_deadline: config.call_deadline,
        })
    }

    /// The circuit breaker's state now (U0.6), for `/readyz` (H2.11).
    pub fn breaker_state(&self) -> upstream_http::BreakerState {
        self.upstream.breaker_state()
    }

    /// The URL of an API path (one segment, no ids in our calls).
    fn url(&self, segment: &str) -> Url {
        let mut url = self.base.clone();
        // `new` refused bases that cannot take path segments, so this always applies.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push(segment);
        }
        url
    }

    /// One call with the U5.1 headers, mapped to the U5.5 classes.
    async fn send<T>(
        &self,
        call: Call,
        build: impl Fn(&Client) -> RequestBuilder,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, UpstreamError> {
        let call = call.with_deadline(Instant::now() + self.call_deadline);
        let build = |client: &Client| {
            let request = build(client).header(ACCEPT, "application/json");
            match &self.api_key {
                Some(key) => request.header("x-api-key", key.clone()),
                None => request,
            }
        };
        let (result, text) = ERROR_TEXT
            .scope(RefCell::new(None), async {
                let result = self.upstream.call(call, build, parse).await;
                (result, ERROR_TEXT.with(|t| t.borrow_mut().take()))
            })
            .await;
        result.map_err(|error| {
            if error == UpstreamError::Unauthorized {
                // U5.5: our key is wrong or missing; the portal keeps retrying, an operator must act.
                tracing::error!(
                    upstream = "employer_api",
                    "the Employer API refused our key (401/403): check EMPLOYER_API_KEY"
                );
            }
            with_error_text(error, text.unwrap_or_default())
        })
    }
}

/// U5.5: a 404 or 409 is `Rejected` like any other 4xx, with the upstream's `error` text.
fn with_error_text(error: UpstreamError, text: String) -> UpstreamError {
    match error {
        UpstreamError::NotFound => UpstreamError::rejected(404, "", &text),
        UpstreamError::Conflict { .. } => UpstreamError::rejected(409, "", &text),
        other => other,
    }
}

#[async_trait]
impl EmployerApi for EmployerApiClient {
    async fn list_jobs(&self) -> Result<Vec<UpstreamJob>, UpstreamError> {
        let url = self.url("jobs");
        let jobs = self
            .send(
                Call::read("GET /jobs"),
                |c| c.get(url.clone()),
                wire::parse_jobs_body,
            )
            .await?;
        if jobs.is_empty() {
            tracing::warn!(upstream = "employer_api", "GET /jobs listed no jobs");
        }
        Ok(jobs)
    }

    async fn post_application(
        &self,
        application: &NewUpstreamApplication,
        idempotency_key: &str,
    ) -> Result<UpstreamApplicationId, UpstreamError> {
        let url = self.url("applications");
        let body = wire::ApplicationBody::from(application);
        // One attempt (U5.4): the upstream does not prevent duplicates, so retries belong to
        // the outbox, which looks for an earlier copy first (P7.8).
        self.send(
            Call::once("POST /applications"),
            |c| {
                c.post(url.clone())
                    .header("Idempotency-Key", idempotency_key)
                    .json(&body)
            },
            wire::parse_post_answer,
        )
        .await
    }

    async fn find_applications(
        &self,
        job_id: i64,
        user_id: i64,
    ) -> Result<Vec<UpstreamApplication>, UpstreamError> {
        let url = self.url("applications");
        let query = [("job_id", job_id), ("user_id", user_id)];
        self.send(
            Call::read("GET /applications"),
            |c| c.get(url.clone()).query(&query),
            wire::parse_applications,
        )
        .await
    }

    fn can_find_applications(&self) -> bool {
        self.api_key.is_some()
    }
}
