//! The common client policy of every upstream (upstreams.md U0). Each adapter builds one
//! [`Upstream`] from a [`Policy`] and sends every call through [`Upstream::call`], which applies
//! the deadline, the rate budget, the circuit breaker, retries with full-jitter backoff or
//! `Retry-After`, and maps the outcome to the domain's [`UpstreamError`] classes (U0.8). Adapters
//! never see a raw HTTP error.

mod backoff;
mod breaker;
mod call;
mod outcome;
mod policy;

pub use breaker::{BreakerConfig, BreakerState};
pub use call::{Call, Upstream};
pub use outcome::ErrorBody;
pub use policy::{Policy, QuotaHold, RateBudget};

pub use domain::ports::UpstreamError;
