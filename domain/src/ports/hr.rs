//! The HR port: leave of advisers (Employment Hero store; http-api.md H2.3, allocation.md C10).

use super::error::UpstreamError;
use crate::allocation::RawLeave;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// Leave records keyed by `ekey` of the adviser email (allocation.md T9).
pub type LeaveByAdviser = HashMap<String, Vec<RawLeave>>;

/// Where advisers' leave comes from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LeaveSource: Send + Sync {
    /// The leave of each of these advisers, keyed by `ekey` of the email. The adapter matches
    /// emails by ekey (C10); an adviser with no employee or no leave may be absent from the map.
    async fn leave(&self, emails: &[String]) -> Result<LeaveByAdviser, UpstreamError>;
}

#[async_trait]
impl<T: LeaveSource + ?Sized> LeaveSource for Arc<T> {
    async fn leave(&self, emails: &[String]) -> Result<LeaveByAdviser, UpstreamError> {
        (**self).leave(emails).await
    }
}
