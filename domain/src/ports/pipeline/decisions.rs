//! Recorded allocation decisions (http-api.md H2.1.4, H2.7.1, H3.1, H7.6): written once with
//! their explanation, listed as history, replayed inside the dedupe window.

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How a computation ended (H2.1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DecisionOutcome {
    Allocated,
    NoEligibleAdviser,
    UpstreamUnavailable,
}

impl DecisionOutcome {
    pub const ALL: [DecisionOutcome; 3] = [
        DecisionOutcome::Allocated,
        DecisionOutcome::NoEligibleAdviser,
        DecisionOutcome::UpstreamUnavailable,
    ];

    /// The stable snake_case name, as stored and answered.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionOutcome::Allocated => "allocated",
            DecisionOutcome::NoEligibleAdviser => "no_eligible_adviser",
            DecisionOutcome::UpstreamUnavailable => "upstream_unavailable",
        }
    }

    pub fn parse(s: &str) -> Option<DecisionOutcome> {
        DecisionOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// The state of a decision's HubSpot owner write (H3.1 `hubspot_write.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HubspotWriteStatus {
    /// Every outcome other than `allocated`: nothing to write.
    NotApplicable,
    /// Waiting for the inline attempt or the outbox worker (U1.6.3).
    Pending,
    Done,
    /// Permanent: re-delivery cannot fix it.
    Failed,
}

impl HubspotWriteStatus {
    pub const ALL: [HubspotWriteStatus; 4] = [
        HubspotWriteStatus::NotApplicable,
        HubspotWriteStatus::Pending,
        HubspotWriteStatus::Done,
        HubspotWriteStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HubspotWriteStatus::NotApplicable => "not_applicable",
            HubspotWriteStatus::Pending => "pending",
            HubspotWriteStatus::Done => "done",
            HubspotWriteStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<HubspotWriteStatus> {
        HubspotWriteStatus::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// The adviser an `allocated` decision chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChosenAdviser {
    pub email: String,
    pub name: String,
    /// `None` when HubSpot has no owner for the adviser (H2.1.5: the write then fails).
    pub hubspot_owner_id: Option<String>,
}

/// The HubSpot owner write of a decision (H7.6 `hubspot_write_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubspotWrite {
    pub status: HubspotWriteStatus,
    pub attempts: u32,
    /// When the outbox worker may try a `pending` write next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The store keeps at most 500 characters.
    pub last_error: Option<String>,
    pub written_at: Option<DateTime<Utc>>,
}

impl HubspotWrite {
    /// A write that will never happen (outcomes other than `allocated`).
    pub fn not_applicable() -> HubspotWrite {
        HubspotWrite {
            status: HubspotWriteStatus::NotApplicable,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            written_at: None,
        }
    }

    /// A write to be made, first tried by the worker at `next_attempt_at`.
    pub fn pending(next_attempt_at: DateTime<Utc>) -> HubspotWrite {
        HubspotWrite {
            status: HubspotWriteStatus::Pending,
            next_attempt_at: Some(next_attempt_at),
            ..HubspotWrite::not_applicable()
        }
    }
}

/// A decision to record (H7.6). `id` is the `decision_id` of the claim that computed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDecision {
    pub id: String,
    pub deal_id: String,
    pub decided_at: DateTime<Utc>,
    pub outcome: DecisionOutcome,
    pub service_package: String,
    pub household_type: Option<String>,
    pub agreement_start_date: Option<NaiveDate>,
    /// `Some` only for `allocated`.
    pub chosen: Option<ChosenAdviser>,
    pub earliest_week: Option<NaiveDate>,
    pub fallback: bool,
    /// The `AllocationDecision` JSON (H3.1), kept as written; the store does not parse it.
    pub explanation: String,
    /// SHA-256 hex of the delivery's raw body.
    pub request_sha256: String,
    pub hubspot_write: HubspotWrite,
}

/// A decision as the history lists it (H2.7.1 `AllocationSummary`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionSummary {
    pub id: String,
    pub deal_id: String,
    pub decided_at: DateTime<Utc>,
    pub outcome: DecisionOutcome,
    pub service_package: String,
    pub household_type: Option<String>,
    pub agreement_start_date: Option<NaiveDate>,
    pub chosen: Option<ChosenAdviser>,
    pub earliest_week: Option<NaiveDate>,
    pub fallback: bool,
    pub hubspot_write: HubspotWriteStatus,
    pub replay_count: u32,
}

/// A whole stored decision (H3.1). `summary.hubspot_write` is `hubspot_write.status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDecision {
    pub summary: DecisionSummary,
    pub explanation: String,
    pub request_sha256: String,
    pub hubspot_write: HubspotWrite,
}

/// The history filters and page (H2.7.1); the caller has checked the ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionQuery {
    pub outcome: Option<DecisionOutcome>,
    pub hubspot_write: Option<HubspotWriteStatus>,
    /// Exact deal id.
    pub deal_id: Option<String>,
    /// Case-insensitive substring of the chosen adviser's email or name.
    pub adviser: Option<String>,
    /// Decided within this long before `now`.
    pub within: TimeDelta,
    /// From 1.
    pub page: u32,
    pub page_size: u32,
}

/// How often an adviser was chosen in the filtered set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdviserCount {
    pub email: String,
    pub count: u64,
}

/// How often a service package occurs in the filtered set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePackageCount {
    pub service_package: String,
    pub count: u64,
}

/// The counts over the whole filtered set (not just the page).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DecisionCounts {
    /// Every outcome, zero included.
    pub by_outcome: BTreeMap<DecisionOutcome, u64>,
    /// Every write status, zero included.
    pub by_hubspot_write: BTreeMap<HubspotWriteStatus, u64>,
    /// At most 5, most chosen first, then by email.
    pub top_advisers: Vec<AdviserCount>,
    /// At most 5, most frequent first, then by name.
    pub top_service_packages: Vec<ServicePackageCount>,
}

/// One page of the history, newest first (decided_at desc, id desc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionPage {
    pub total: u64,
    pub items: Vec<DecisionSummary>,
    pub counts: DecisionCounts,
}

/// Recording a decision failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordDecisionError {
    /// The deal's claim no longer carries this decision id (another worker took it over) or is
    /// no longer `in_progress`: nothing was written, and the caller must not write HubSpot.
    #[error("the allocation claim was taken over by another worker")]
    ClaimLost,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The `allocation_decisions` table (H7.6).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DecisionStore: Send + Sync {
    /// Inserts the decision and moves the deal's claim to its outcome (`decided_at` set) in one
    /// transaction, only while the claim is `in_progress` with `decision.id` (H2.1.2 step 10).
    async fn record_decision(&self, decision: &NewDecision) -> Result<(), RecordDecisionError>;

    async fn get_decision(&self, id: &str) -> Result<Option<StoredDecision>, StoreError>;

    /// The history page of `query` at `now` (H2.7.1).
    async fn list_decisions(
        &self,
        query: DecisionQuery,
        now: DateTime<Utc>,
    ) -> Result<DecisionPage, StoreError>;

    /// Counts one replay of the decision; its new `replay_count`, `None` for an unknown id.
    async fn add_replay(&self, id: &str) -> Result<Option<u32>, StoreError>;
}

#[async_trait]
impl<T: DecisionStore + ?Sized> DecisionStore for Arc<T> {
    async fn record_decision(&self, decision: &NewDecision) -> Result<(), RecordDecisionError> {
        (**self).record_decision(decision).await
    }
    async fn get_decision(&self, id: &str) -> Result<Option<StoredDecision>, StoreError> {
        (**self).get_decision(id).await
    }
    async fn list_decisions(
        &self,
        query: DecisionQuery,
        now: DateTime<Utc>,
    ) -> Result<DecisionPage, StoreError> {
        (**self).list_decisions(query, now).await
    }
    async fn add_replay(&self, id: &str) -> Result<Option<u32>, StoreError> {
        (**self).add_replay(id).await
    }
}
