//! The per-deal allocation claim (http-api.md H2.1.3, H7.5; decision C12): at most one
//! computation per deal at a time, and one allocation per deal per dedupe window.

use super::decisions::DecisionOutcome;
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;

/// The state of a deal's claim row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimState {
    /// A worker holds the claim and is computing.
    InProgress,
    /// The last computation ended with this outcome.
    Decided(DecisionOutcome),
}

impl ClaimState {
    /// The stored snake_case name (H7.5).
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimState::InProgress => "in_progress",
            ClaimState::Decided(outcome) => outcome.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<ClaimState> {
        match s {
            "in_progress" => Some(ClaimState::InProgress),
            other => DecisionOutcome::parse(other).map(ClaimState::Decided),
        }
    }
}

/// A deal's claim row (H7.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationClaim {
    pub deal_id: String,
    pub state: ClaimState,
    /// The decision the current (or last) round computes; a take-over replaces it.
    pub decision_id: String,
    pub claimed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// What an existing claim row means for a new delivery (the H2.1.3 table, without writing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimCheck {
    /// Nobody holds the deal: the delivery may claim it and compute.
    Open,
    /// Allocated inside the dedupe window: answer the stored decision.
    Replay { decision_id: String },
    /// A duplicate is computing: poll the row.
    InProgress { decision_id: String },
}

impl AllocationClaim {
    /// The H2.1.3 decision table for this row at `now`. An allocation is replayed while its age
    /// is at most `dedupe_window`; an `in_progress` row younger than `stale_after` is a running
    /// duplicate, an older one a crashed worker that may be taken over. The other outcomes wrote
    /// nothing to HubSpot, so they are re-evaluated.
    pub fn check(
        &self,
        now: DateTime<Utc>,
        dedupe_window: TimeDelta,
        stale_after: TimeDelta,
    ) -> ClaimCheck {
        match self.state {
            ClaimState::InProgress if now - self.claimed_at < stale_after => {
                ClaimCheck::InProgress {
                    decision_id: self.decision_id.clone(),
                }
            }
            ClaimState::Decided(DecisionOutcome::Allocated)
                if now - self.decided_at.unwrap_or(self.claimed_at) <= dedupe_window =>
            {
                ClaimCheck::Replay {
                    decision_id: self.decision_id.clone(),
                }
            }
            _ => ClaimCheck::Open,
        }
    }
}

/// The result of [`AllocationClaims::claim`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The caller now holds the claim: compute and record the decision under `decision_id`.
    /// `previous` is the state it replaced (`None` for a first claim), for the logs.
    Compute {
        decision_id: String,
        previous: Option<ClaimState>,
    },
    /// Allocated inside the window: no computation, answer the stored decision.
    Replay { decision_id: String },
    /// A duplicate holds a fresh claim: poll with [`AllocationClaims::peek`].
    InProgress { decision_id: String },
}

/// The `allocation_claims` table (H7.5).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AllocationClaims: Send + Sync {
    /// Applies the H2.1.3 table to the deal's row in one write transaction: with no row, or one
    /// that [`AllocationClaim::check`] finds open, the row becomes `in_progress` with a new
    /// decision id and `claimed_at = now`. Concurrent calls for one deal yield one `Compute`.
    async fn claim(
        &self,
        deal_id: &str,
        now: DateTime<Utc>,
        dedupe_window: TimeDelta,
        stale_after: TimeDelta,
    ) -> Result<ClaimOutcome, StoreError>;

    /// The deal's row, read without locking (H2.1.2 step 6 and the duplicate's polling).
    async fn peek(&self, deal_id: &str) -> Result<Option<AllocationClaim>, StoreError>;
}

#[async_trait]
impl<T: AllocationClaims + ?Sized> AllocationClaims for Arc<T> {
    async fn claim(
        &self,
        deal_id: &str,
        now: DateTime<Utc>,
        dedupe_window: TimeDelta,
        stale_after: TimeDelta,
    ) -> Result<ClaimOutcome, StoreError> {
        (**self)
            .claim(deal_id, now, dedupe_window, stale_after)
            .await
    }
    async fn peek(&self, deal_id: &str) -> Result<Option<AllocationClaim>, StoreError> {
        (**self).peek(deal_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn claim(state: ClaimState, claimed_at: &str, decided_at: Option<&str>) -> AllocationClaim {
        AllocationClaim {
            deal_id: "42".into(),
            state,
            decision_id: "d1".into(),
            claimed_at: at(claimed_at),
            decided_at: decided_at.map(at),
        }
    }

    fn check(c: &AllocationClaim, now: &str) -> ClaimCheck {
        c.check(at(now), TimeDelta::days(7), TimeDelta::seconds(120))
    }

    #[test]
    fn allocations_replay_inside_the_window_only() {
        let c = claim(
            ClaimState::Decided(DecisionOutcome::Allocated),
            "2025-03-01T00:00:00Z",
            Some("2025-03-01T00:00:10Z"),
        );
        let replay = ClaimCheck::Replay {
            decision_id: "d1".into(),
        };
        assert_eq!(check(&c, "2025-03-04T00:00:10Z"), replay);
        assert_eq!(check(&c, "2025-03-08T00:00:10Z"), replay, "exactly 7 days");
        assert_eq!(check(&c, "2025-03-08T00:00:11Z"), ClaimCheck::Open);
    }

    #[test]
    fn fresh_claims_wait_and_stale_ones_are_open() {
        let c = claim(ClaimState::InProgress, "2025-03-01T00:00:00Z", None);
        assert_eq!(
            check(&c, "2025-03-01T00:01:59.999Z"),
            ClaimCheck::InProgress {
                decision_id: "d1".into()
            }
        );
        assert_eq!(check(&c, "2025-03-01T00:02:00Z"), ClaimCheck::Open);
    }

    #[test]
    fn failed_outcomes_are_open_at_once() {
        for outcome in [
            DecisionOutcome::NoEligibleAdviser,
            DecisionOutcome::UpstreamUnavailable,
        ] {
            let c = claim(
                ClaimState::Decided(outcome),
                "2025-03-01T00:00:00Z",
                Some("2025-03-01T00:00:01Z"),
            );
            assert_eq!(check(&c, "2025-03-01T00:00:02Z"), ClaimCheck::Open);
        }
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for state in [
            ClaimState::InProgress,
            ClaimState::Decided(DecisionOutcome::Allocated),
            ClaimState::Decided(DecisionOutcome::NoEligibleAdviser),
            ClaimState::Decided(DecisionOutcome::UpstreamUnavailable),
        ] {
            assert_eq!(ClaimState::parse(state.as_str()), Some(state));
        }
        assert_eq!(ClaimState::parse("done"), None);
    }
}
