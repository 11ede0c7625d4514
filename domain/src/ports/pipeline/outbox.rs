//! The HubSpot owner write outbox (upstreams.md U1.6.3, security.md S9.5): `pending` writes of
//! recorded decisions, retried by one worker until done, permanently failed or expired.

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A `pending` owner write that is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueOwnerWrite {
    pub decision_id: String,
    pub deal_id: String,
    /// The recorded owner: the only one ever written for this decision (U1.6.2).
    pub owner_id: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// For the 72 h expiry (U1.6.3).
    pub decided_at: DateTime<Utc>,
}

/// The owner writes of `allocation_decisions`. Every transition applies only to a write that is
/// still `pending` and reports whether it did, so a late worker cannot undo another's result.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OwnerWriteOutbox: Send + Sync {
    /// Up to `limit` pending writes with `next_attempt_at <= now`, oldest decision first.
    async fn due_owner_writes(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueOwnerWrite>, StoreError>;

    /// A PATCH succeeded: `done`, `written_at = now`, one more attempt counted.
    async fn mark_owner_write_done(
        &self,
        decision_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A permanent failure (or the 72 h expiry) after an attempt: `failed` with `error`, one more
    /// attempt counted.
    async fn mark_owner_write_failed(
        &self,
        decision_id: &str,
        error: &str,
    ) -> Result<bool, StoreError>;

    /// A retryable failure: stays `pending` with `attempts` made so far, tried again at
    /// `next_attempt_at`.
    async fn reschedule_owner_write(
        &self,
        decision_id: &str,
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<bool, StoreError>;
}

#[async_trait]
impl<T: OwnerWriteOutbox + ?Sized> OwnerWriteOutbox for Arc<T> {
    async fn due_owner_writes(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueOwnerWrite>, StoreError> {
        (**self).due_owner_writes(now, limit).await
    }
    async fn mark_owner_write_done(
        &self,
        decision_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        (**self).mark_owner_write_done(decision_id, now).await
    }
    async fn mark_owner_write_failed(
        &self,
        decision_id: &str,
        error: &str,
    ) -> Result<bool, StoreError> {
        (**self).mark_owner_write_failed(decision_id, error).await
    }
    async fn reschedule_owner_write(
        &self,
        decision_id: &str,
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<bool, StoreError> {
        (**self)
            .reschedule_owner_write(decision_id, attempts, next_attempt_at, error)
            .await
    }
}
