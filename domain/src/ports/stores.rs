//! The service's own stores the allocation reads: office closures and capacity overrides.

use super::error::StoreError;
use crate::allocation::{CapacityOverride, OfficeClosure};
use async_trait::async_trait;
use std::sync::Arc;

/// Office closures (allocation.md AB1). Read fresh, or cached and invalidated on write (C9).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClosureStore: Send + Sync {
    /// Every office closure.
    async fn closures(&self) -> Result<Vec<OfficeClosure>, StoreError>;
}

/// Capacity overrides (allocation.md LM4). Read fresh, or cached and invalidated on write (C9).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OverrideStore: Send + Sync {
    /// Every capacity override, in stored order.
    async fn overrides(&self) -> Result<Vec<CapacityOverride>, StoreError>;
}

#[async_trait]
impl<T: ClosureStore + ?Sized> ClosureStore for Arc<T> {
    async fn closures(&self) -> Result<Vec<OfficeClosure>, StoreError> {
        (**self).closures().await
    }
}

#[async_trait]
impl<T: OverrideStore + ?Sized> OverrideStore for Arc<T> {
    async fn overrides(&self) -> Result<Vec<CapacityOverride>, StoreError> {
        (**self).overrides().await
    }
}
