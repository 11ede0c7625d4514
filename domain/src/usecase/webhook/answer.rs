//! The webhook's answers (http-api.md H2.1.4). The adapter maps each to a status and body.

use crate::ports::{DecisionSummary, HubspotWriteStatus, NewDecision};
use chrono::NaiveDate;

/// `AllocateResponse` (H2.1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocatedAnswer {
    pub allocation_id: String,
    pub deal_id: String,
    pub email: String,
    pub name: String,
    pub hubspot_owner_id: Option<String>,
    pub earliest_open_week: Option<NaiveDate>,
    pub fallback: bool,
    pub replayed: bool,
    pub hubspot_write: HubspotWriteStatus,
}

impl AllocatedAnswer {
    pub(super) fn from_decision(
        d: &NewDecision,
        replayed: bool,
        hubspot_write: HubspotWriteStatus,
    ) -> AllocatedAnswer {
        AllocatedAnswer {
            allocation_id: d.id.clone(),
            deal_id: d.deal_id.clone(),
            email: d
                .chosen
                .as_ref()
                .map(|c| c.email.clone())
                .unwrap_or_default(),
            name: d
                .chosen
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            hubspot_owner_id: d.chosen.as_ref().and_then(|c| c.hubspot_owner_id.clone()),
            earliest_open_week: d.earliest_week,
            fallback: d.fallback,
            replayed,
            hubspot_write,
        }
    }

    pub(super) fn from_summary(
        s: &DecisionSummary,
        replayed: bool,
        hubspot_write: HubspotWriteStatus,
    ) -> AllocatedAnswer {
        AllocatedAnswer {
            allocation_id: s.id.clone(),
            deal_id: s.deal_id.clone(),
            email: s
                .chosen
                .as_ref()
                .map(|c| c.email.clone())
                .unwrap_or_default(),
            name: s
                .chosen
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            hubspot_owner_id: s.chosen.as_ref().and_then(|c| c.hubspot_owner_id.clone()),
            earliest_open_week: s.earliest_week,
            fallback: s.fallback,
            replayed,
            hubspot_write,
        }
    }
}

/// How a delivery ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookAnswer {
    /// 200.
    Allocated(AllocatedAnswer),
    /// 422 `no_eligible_adviser`.
    NoEligibleAdviser { allocation_id: String },
    /// 503 `upstream_unavailable`; `upstream` names the source that failed.
    UpstreamUnavailable {
        upstream: String,
        allocation_id: Option<String>,
    },
    /// 503 `database_unavailable`; the reason is for the log only.
    DatabaseUnavailable { reason: String },
    /// 503 `duplicate_in_progress`.
    DuplicateInProgress,
}

impl WebhookAnswer {
    /// The receipt's `outcome` (S9.1) and the log's.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookAnswer::Allocated(_) => "allocated",
            WebhookAnswer::NoEligibleAdviser { .. } => "no_eligible_adviser",
            WebhookAnswer::UpstreamUnavailable { .. } => "upstream_unavailable",
            WebhookAnswer::DatabaseUnavailable { .. } => "database_unavailable",
            WebhookAnswer::DuplicateInProgress => "duplicate_in_progress",
        }
    }

    /// The decision the answer carries.
    pub fn decision_id(&self) -> Option<&str> {
        match self {
            WebhookAnswer::Allocated(a) => Some(&a.allocation_id),
            WebhookAnswer::NoEligibleAdviser { allocation_id } => Some(allocation_id),
            WebhookAnswer::UpstreamUnavailable { allocation_id, .. } => allocation_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the answer replayed an earlier decision.
    pub fn replayed(&self) -> bool {
        matches!(self, WebhookAnswer::Allocated(a) if a.replayed)
    }
}
