//! Per-upstream settings (U0.1–U0.7 defaults, overridden per section).

use crate::breaker::BreakerConfig;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A quota that, once exhausted, holds every call back for a while: a 429 whose error body has
/// `code` opens the breaker for `until(now)` (HubSpot's daily limit: until the next midnight in
/// the account's zone, U1.3).
#[derive(Clone)]
pub struct QuotaHold {
    pub code: &'static str,
    pub until: Arc<dyn Fn(SystemTime) -> Duration + Send + Sync>,
}

impl std::fmt::Debug for QuotaHold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuotaHold")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

/// A token bucket: `burst` tokens refilled over `per` (U0.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateBudget {
    pub burst: u32,
    pub per: Duration,
}

/// How one upstream is called.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Names the upstream in logs and errors.
    pub name: &'static str,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// First attempt plus retries (U0.3).
    pub max_attempts: u32,
    /// Full-jitter backoff: the wait before retry n is uniform(0, min(cap, base × 2^n)).
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// A `Retry-After` above this stops retrying with `RateLimited` (U0.5).
    pub max_retry_after: Duration,
    /// The wait after a 429 without `Retry-After` (HubSpot: one 10 s window), else jittered.
    pub wait_429_without_header: Option<Duration>,
    pub budget: Option<RateBudget>,
    pub breaker: BreakerConfig,
    pub quota_hold: Option<QuotaHold>,
}

impl Policy {
    /// U0 defaults: connect 2 s, request 10 s, 3 attempts, backoff 500 ms capped at 8 s.
    pub fn new(name: &'static str) -> Policy {
        Policy {
            name,
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            max_attempts: 3,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            wait_429_without_header: None,
            budget: None,
            breaker: BreakerConfig::default(),
            quota_hold: None,
        }
    }
}
