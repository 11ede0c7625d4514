//! Webhook receipts (security.md S9.1): one row per signature-valid delivery, kept 30 days. They
//! give a decision its `replays` (http-api.md H3.1).

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The webhook a delivery came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WebhookEndpoint {
    Allocate,
    BoxFolder,
}

impl WebhookEndpoint {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEndpoint::Allocate => "allocate",
            WebhookEndpoint::BoxFolder => "box_folder",
        }
    }

    pub fn parse(s: &str) -> Option<WebhookEndpoint> {
        [WebhookEndpoint::Allocate, WebhookEndpoint::BoxFolder]
            .into_iter()
            .find(|e| e.as_str() == s)
    }
}

/// A signature-valid delivery and how it was answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReceipt {
    pub endpoint: WebhookEndpoint,
    /// `None` when the delivery was ignored or invalid before a deal id was read.
    pub deal_id: Option<String>,
    pub body_sha256: String,
    /// `v3` or `v2`.
    pub signature_version: String,
    pub received_at: DateTime<Utc>,
    pub status_code: u16,
    /// The answer's status or error code (`allocated`, `ignored`, `validation_failed`, …).
    pub outcome: String,
    /// The decision the answer carried, if any.
    pub decision_id: Option<String>,
    /// The answer replayed an earlier decision instead of computing one (H2.1.3): such receipts
    /// are the decision's `replays`; the delivery that computed it is not.
    pub replayed: bool,
}

/// One replay of a decision (H3.1 `replays`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayEntry {
    pub received_at: DateTime<Utc>,
    pub body_sha256: String,
    /// The body differs from the one that computed the decision.
    pub body_differs: bool,
}

/// The `webhook_receipts` table (S9.1).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebhookReceipts: Send + Sync {
    async fn record_receipt(&self, receipt: &NewReceipt) -> Result<(), StoreError>;

    /// The replay receipts of the decision, oldest first (empty for an unknown decision).
    async fn replays(&self, decision_id: &str) -> Result<Vec<ReplayEntry>, StoreError>;

    /// Deletes the receipts received before `cutoff` (the daily 30-day purge); how many.
    async fn purge_receipts(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError>;
}

#[async_trait]
impl<T: WebhookReceipts + ?Sized> WebhookReceipts for Arc<T> {
    async fn record_receipt(&self, receipt: &NewReceipt) -> Result<(), StoreError> {
        (**self).record_receipt(receipt).await
    }
    async fn replays(&self, decision_id: &str) -> Result<Vec<ReplayEntry>, StoreError> {
        (**self).replays(decision_id).await
    }
    async fn purge_receipts(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        (**self).purge_receipts(cutoff).await
    }
}
