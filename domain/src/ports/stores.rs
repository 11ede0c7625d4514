//! The service's own stores the allocation reads and admins manage: office closures and capacity
//! overrides (http-api.md H2.5, H2.6, H7.3, H7.4).

use super::error::StoreError;
use crate::allocation::{CapacityOverride, OfficeClosure};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// An office closure as stored, with its id and timestamps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredClosure {
    pub id: String,
    pub closure: OfficeClosure,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A capacity override as stored, with its id and timestamps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredOverride {
    pub id: String,
    pub value: CapacityOverride,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Writing an override would repeat an (adviser_email, effective_date) pair (H2.6: 409
/// `duplicate_override`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideWriteError {
    #[error("an override for this adviser and effective date exists")]
    DuplicateOverride,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Office closures (allocation.md AB1). Read fresh for every computation (C9).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClosureStore: Send + Sync {
    /// Every office closure, sorted by start date then id.
    async fn closures(&self) -> Result<Vec<OfficeClosure>, StoreError> {
        Ok(self
            .list_closures(None)
            .await?
            .into_iter()
            .map(|c| c.closure)
            .collect())
    }

    /// Stored closures sorted by start date then id; with `overlapping = (from, to)` only those
    /// whose [start, end] meets [from, to].
    async fn list_closures(
        &self,
        overlapping: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<StoredClosure>, StoreError>;

    async fn get_closure(&self, id: &str) -> Result<Option<StoredClosure>, StoreError>;

    /// Stores a new closure; the store assigns the id. `end_date: None` is stored as the start.
    async fn create_closure(
        &self,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<StoredClosure, StoreError>;

    /// Replaces the closure's fields; `None` when there is no such closure (no upsert).
    async fn update_closure(
        &self,
        id: &str,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredClosure>, StoreError>;

    /// `false` when there was no such closure.
    async fn delete_closure(&self, id: &str) -> Result<bool, StoreError>;
}

/// Capacity overrides (allocation.md LM4). Read fresh for every computation (C9).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OverrideStore: Send + Sync {
    /// Every capacity override, in creation order (LM4 keeps input order for equal weeks).
    async fn overrides(&self) -> Result<Vec<CapacityOverride>, StoreError>;

    /// Stored overrides sorted by adviser email, effective date, id; optionally of one adviser
    /// (compared case-insensitively).
    async fn list_overrides(
        &self,
        adviser_email: Option<String>,
    ) -> Result<Vec<StoredOverride>, StoreError>;

    async fn get_override(&self, id: &str) -> Result<Option<StoredOverride>, StoreError>;

    async fn create_override(
        &self,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<StoredOverride, OverrideWriteError>;

    /// `Ok(None)` when there is no such override.
    async fn update_override(
        &self,
        id: &str,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredOverride>, OverrideWriteError>;

    async fn delete_override(&self, id: &str) -> Result<bool, StoreError>;
}

#[async_trait]
impl<T: ClosureStore + ?Sized> ClosureStore for Arc<T> {
    async fn closures(&self) -> Result<Vec<OfficeClosure>, StoreError> {
        (**self).closures().await
    }
    async fn list_closures(
        &self,
        overlapping: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<StoredClosure>, StoreError> {
        (**self).list_closures(overlapping).await
    }
    async fn get_closure(&self, id: &str) -> Result<Option<StoredClosure>, StoreError> {
        (**self).get_closure(id).await
    }
    async fn create_closure(
        &self,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<StoredClosure, StoreError> {
        (**self).create_closure(closure, now).await
    }
    async fn update_closure(
        &self,
        id: &str,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredClosure>, StoreError> {
        (**self).update_closure(id, closure, now).await
    }
    async fn delete_closure(&self, id: &str) -> Result<bool, StoreError> {
        (**self).delete_closure(id).await
    }
}

#[async_trait]
impl<T: OverrideStore + ?Sized> OverrideStore for Arc<T> {
    async fn overrides(&self) -> Result<Vec<CapacityOverride>, StoreError> {
        (**self).overrides().await
    }
    async fn list_overrides(
        &self,
        adviser_email: Option<String>,
    ) -> Result<Vec<StoredOverride>, StoreError> {
        (**self).list_overrides(adviser_email).await
    }
    async fn get_override(&self, id: &str) -> Result<Option<StoredOverride>, StoreError> {
        (**self).get_override(id).await
    }
    async fn create_override(
        &self,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<StoredOverride, OverrideWriteError> {
        (**self).create_override(value, now).await
    }
    async fn update_override(
        &self,
        id: &str,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredOverride>, OverrideWriteError> {
        (**self).update_override(id, value, now).await
    }
    async fn delete_override(&self, id: &str) -> Result<bool, StoreError> {
        (**self).delete_override(id).await
    }
}
