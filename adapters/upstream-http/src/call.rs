//! One call to an upstream, with the whole U0 policy around it.

use crate::backoff::{full_jitter, retry_after, retry_after_spread};
use crate::breaker::Breaker;
use crate::outcome::{ErrorBody, counts_as_failure, final_error, is_retryable};
use crate::policy::Policy;
use domain::ports::UpstreamError;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{RequestBuilder, StatusCode};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How one call may be repeated, and by when it must be done.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// A path template for logs, ids replaced by `{id}` (U0.9).
    pub label: &'static str,
    /// May be sent again after a retryable outcome (U0.3): GETs, searches, idempotent writes.
    pub retryable: bool,
    /// A read: an unusable 2xx body is retried once (U0.4).
    pub read_only: bool,
    /// The caller's deadline: no attempt or wait is started that would end after it (U0.2).
    pub deadline: Option<Instant>,
}

impl Call {
    /// A retryable read.
    pub fn read(label: &'static str) -> Call {
        Call {
            label,
            retryable: true,
            read_only: true,
            deadline: None,
        }
    }

    /// A write that is safe to repeat (e.g. a PATCH of the same value).
    pub fn idempotent_write(label: &'static str) -> Call {
        Call {
            read_only: false,
            ..Call::read(label)
        }
    }

    /// A write that must never be replayed blindly (e.g. a Box folder copy).
    pub fn once(label: &'static str) -> Call {
        Call {
            retryable: false,
            read_only: false,
            ..Call::read(label)
        }
    }

    pub fn with_deadline(self, deadline: Instant) -> Call {
        Call {
            deadline: Some(deadline),
            ..self
        }
    }
}

/// A client for one upstream: one `reqwest::Client` (U0.1) plus its budget and breaker.
pub struct Upstream {
    client: reqwest::Client,
    policy: Policy,
    limiter: Option<DefaultDirectRateLimiter>,
    /// Shared with the other `Upstream`s of the same upstream (U0.6: one breaker per host).
    breaker: Arc<Breaker>,
    describe: fn(&[u8]) -> ErrorBody,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("name", &self.policy.name)
            .finish_non_exhaustive()
    }
}

/// What an attempt ended with, before the retry decision.
enum Attempt<T> {
    Done(T),
    /// A retryable failure; `wait` overrides the jittered backoff.
    Retry {
        error: UpstreamError,
        wait: Option<Duration>,
    },
    Final(UpstreamError),
}

impl Upstream {
    /// `describe` reads the upstream's error body into a code and a message.
    pub fn new(
        policy: Policy,
        describe: fn(&[u8]) -> ErrorBody,
    ) -> Result<Upstream, UpstreamError> {
        let client = reqwest::Client::builder()
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                env!("CARGO_PKG_NAME"),
                "/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| {
                UpstreamError::unavailable(format!("cannot build the HTTP client: {e}"))
            })?;
        let limiter = policy.budget.and_then(|b| {
            let burst = NonZeroU32::new(b.burst)?;
            let quota = Quota::with_period(b.per / b.burst)?.allow_burst(burst);
            Some(RateLimiter::direct(quota))
        });
        Ok(Upstream {
            client,
            breaker: Arc::new(Breaker::new(policy.breaker)),
            policy,
            limiter,
            describe,
        })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The circuit breaker's state now (U0.6), for `/readyz`.
    pub fn breaker_state(&self) -> crate::BreakerState {
        self.breaker.state(Instant::now())
    }

    /// This client with `other`'s circuit breaker, for an upstream reached through several
    /// policies (e.g. HubSpot's searches and its other calls): one breaker per upstream (U0.6).
    pub fn sharing_breaker_with(mut self, other: &Upstream) -> Upstream {
        self.breaker = Arc::clone(&other.breaker);
        self
    }

    /// Sends the request `build` makes (again for every attempt) and reads a 2xx body with
    /// `parse`; every other outcome becomes an [`UpstreamError`] after the policy's retries.
    pub async fn call<T>(
        &self,
        call: Call,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, UpstreamError> {
        let started = Instant::now();
        let mut attempts = 0u32;
        let mut retried_invalid = false;
        let result = loop {
            attempts += 1;
            let attempt = self
                .attempt(&call, &build, &parse, &mut retried_invalid)
                .await;
            let (error, wait) = match attempt {
                Attempt::Done(value) => break Ok(value),
                Attempt::Final(error) => break Err(error),
                Attempt::Retry { error, wait, .. } => (error, wait),
            };
            if !call.retryable || attempts >= self.policy.max_attempts {
                break Err(error);
            }
            let wait = wait.unwrap_or_else(|| {
                full_jitter(self.policy.backoff_base, self.policy.backoff_cap, attempts)
            });
            if call.deadline.is_some_and(|d| Instant::now() + wait >= d) {
                break Err(error);
            }
            tokio::time::sleep(wait).await;
        };
        tracing::info!(
            upstream = self.policy.name,
            call = call.label,
            attempts,
            ms = started.elapsed().as_millis() as u64,
            outcome = match &result {
                Ok(_) => "ok",
                Err(e) => e.code(),
            },
            "upstream call"
        );
        result
    }

    async fn attempt<T>(
        &self,
        call: &Call,
        build: &impl Fn(&reqwest::Client) -> RequestBuilder,
        parse: &impl Fn(&[u8]) -> Result<T, String>,
        retried_invalid: &mut bool,
    ) -> Attempt<T> {
        let name = self.policy.name;
        let remaining = call
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()));
        if remaining.is_some_and(|r| r.is_zero()) {
            return Attempt::Final(UpstreamError::unavailable(format!(
                "{name}: deadline passed"
            )));
        }
        if !self.breaker.allow(Instant::now()) {
            return Attempt::Final(UpstreamError::Unavailable {
                reason: format!("{name}: circuit breaker open"),
                breaker_open: true,
                budget_exhausted: false,
            });
        }
        if let Some(limiter) = &self.limiter {
            let ready = limiter.until_ready();
            let waited = match remaining {
                Some(r) => tokio::time::timeout(r, ready).await.is_ok(),
                None => {
                    ready.await;
                    true
                }
            };
            if !waited {
                return Attempt::Final(UpstreamError::Unavailable {
                    reason: format!("{name}: rate budget exhausted before the deadline"),
                    breaker_open: false,
                    budget_exhausted: true,
                });
            }
        }
        let mut request = build(&self.client);
        if let Some(r) = call
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
        {
            request = request.timeout(r.min(self.policy.request_timeout));
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                self.breaker.record(Instant::now(), true);
                return Attempt::Retry {
                    error: UpstreamError::unavailable(format!("{name}: {}", transport(&e))),
                    wait: None,
                };
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(e) => {
                self.breaker.record(Instant::now(), true);
                return Attempt::Retry {
                    error: UpstreamError::unavailable(format!("{name}: {}", transport(&e))),
                    wait: None,
                };
            }
        };
        self.breaker
            .record(Instant::now(), counts_as_failure(status));
        if status.is_success() {
            return match parse(&body) {
                Ok(value) => Attempt::Done(value),
                Err(detail) => {
                    let error = UpstreamError::InvalidResponse {
                        detail: format!("{name}: {detail}"),
                    };
                    if call.read_only && !*retried_invalid {
                        *retried_invalid = true;
                        Attempt::Retry { error, wait: None }
                    } else {
                        Attempt::Final(error)
                    }
                }
            };
        }
        let described = (self.describe)(&body);
        if let Some(hold) = self
            .policy
            .quota_hold
            .as_ref()
            .filter(|h| status == StatusCode::TOO_MANY_REQUESTS && described.code == h.code)
        {
            let wait = (hold.until)(SystemTime::now());
            self.breaker.hold(Instant::now() + wait);
            return Attempt::Final(UpstreamError::RateLimited {
                retry_after: Some(wait),
            });
        }
        if !is_retryable(status) {
            return Attempt::Final(final_error(name, status, &described));
        }
        self.retry_after_outcome(status, &headers, &described)
    }

    /// A retryable status: when and whether to try again (U0.5).
    fn retry_after_outcome<T>(
        &self,
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &ErrorBody,
    ) -> Attempt<T> {
        let name = self.policy.name;
        let header = retry_after(headers, SystemTime::now());
        if let Some(after) = header.filter(|a| *a > self.policy.max_retry_after) {
            return Attempt::Final(UpstreamError::RateLimited {
                retry_after: Some(after),
            });
        }
        let wait = match (status.as_u16(), header) {
            (_, Some(after)) => Some(after + retry_after_spread()),
            (429, None) => self.policy.wait_429_without_header,
            (423, None) => Some(Duration::from_secs(2)),
            _ => None,
        };
        let error = if status == StatusCode::TOO_MANY_REQUESTS {
            UpstreamError::RateLimited {
                retry_after: header,
            }
        } else {
            UpstreamError::unavailable(format!(
                "{name} answered {status}{}",
                if body.code.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", body.code)
                }
            ))
        };
        Attempt::Retry { error, wait }
    }
}

/// A transport failure in words, without the URL (which may carry ids or secrets).
fn transport(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "connection broke while reading the answer"
    } else {
        "request failed"
    }
}
