//! One HubSpot owner write and how its failure is classed (upstreams.md U1.6.1, U1.6.3).

use crate::ports::{Crm, UpstreamError};
use chrono::TimeDelta;

/// What one PATCH attempt means for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerWriteResult {
    Done,
    /// Permanent (404 deal gone, 400 rejected): re-delivery cannot fix it.
    Failed {
        error: String,
    },
    /// Retryable, including 401/403 (credentials can be fixed): stays `pending`.
    Retry {
        error: String,
        retry_after: Option<TimeDelta>,
    },
}

/// PATCHes the deal owner once and classes the outcome.
pub async fn write_owner<C: Crm + ?Sized>(crm: &C, deal_id: &str, owner: &str) -> OwnerWriteResult {
    match crm.set_deal_owner(deal_id, owner).await {
        Ok(()) => OwnerWriteResult::Done,
        Err(e @ (UpstreamError::NotFound | UpstreamError::Rejected { .. })) => {
            OwnerWriteResult::Failed {
                error: e.code().to_owned(),
            }
        }
        Err(UpstreamError::RateLimited { retry_after }) => OwnerWriteResult::Retry {
            error: "rate_limited".into(),
            retry_after: retry_after.and_then(|d| TimeDelta::from_std(d).ok()),
        },
        Err(e) => OwnerWriteResult::Retry {
            error: e.code().to_owned(),
            retry_after: None,
        },
    }
}

/// U1.6.3: after the n-th failed attempt (n ≥ 1) wait 1, 2, 4, 8, 16, 32, then 60 minutes, times
/// `1 + jitter` where the caller draws `jitter` from ±0.1 (the domain has no randomness).
pub fn next_retry_delay(failed_attempts: u32, jitter: f64) -> TimeDelta {
    let minutes = match failed_attempts {
        0 | 1 => 1,
        n if n <= 6 => 1i64 << (n - 1),
        _ => 60,
    };
    crate::jitter::jittered(TimeDelta::minutes(minutes), jitter)
}
