//! Worker leases (security.md S9.5): a named background worker runs in one process at a time.

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;

/// The `worker_leases` table.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WorkerLeases: Send + Sync {
    /// Takes or renews the lease `name` for `holder` until `now + ttl`: succeeds when nobody holds
    /// it, the lease expired (`expires_at <= now`) or `holder` already holds it.
    async fn try_acquire(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<bool, StoreError>;

    /// Gives the lease up if `holder` holds it; whether it did.
    async fn release(&self, name: &str, holder: &str) -> Result<bool, StoreError>;
}

#[async_trait]
impl<T: WorkerLeases + ?Sized> WorkerLeases for Arc<T> {
    async fn try_acquire(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<bool, StoreError> {
        (**self).try_acquire(name, holder, now, ttl).await
    }
    async fn release(&self, name: &str, holder: &str) -> Result<bool, StoreError> {
        (**self).release(name, holder).await
    }
}
