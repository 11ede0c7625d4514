//! The counts of the employee dashboard (portal.md P6.11) and of the admin summary (P10.3).
//! Users by role are the accounts store's (`UserStore::count_users_by_role`).

use super::jobs::JobSyncState;
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// One user's dashboard `counts` (P6.11).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActivityCounts {
    pub applications_submitted: u64,
    pub applications_withdrawn: u64,
    pub connections: u64,
    pub incoming_requests: u64,
    /// From current connections only, like `MessageStore::unread_total`.
    pub unread_messages: u64,
}

/// Jobs by status (P6.8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobStatusCounts {
    pub active: u64,
    pub archived: u64,
    pub removed: u64,
}

/// Applications by `status` and by `remote_status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApplicationCounts {
    pub submitted: u64,
    pub withdrawn: u64,
    pub remote_pending: u64,
    pub remote_sent: u64,
    pub remote_retrying: u64,
    pub remote_rejected: u64,
    pub remote_failed: u64,
    pub remote_cancelled: u64,
}

/// The portal part of the admin summary (P10.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortalSummary {
    pub jobs: JobStatusCounts,
    pub applications: ApplicationCounts,
    pub connections: u64,
    /// Messages created at or after the `messages_since` asked for.
    pub recent_messages: u64,
    pub job_sync: JobSyncState,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PortalStatsStore: Send + Sync {
    async fn activity_counts(&self, user_id: i64) -> Result<ActivityCounts, StoreError>;

    /// `archived_before` splits active from archived jobs as in `JobStore::list_jobs`;
    /// `messages_since` is `now − 24 h`.
    async fn portal_summary(
        &self,
        archived_before: DateTime<Utc>,
        messages_since: DateTime<Utc>,
    ) -> Result<PortalSummary, StoreError>;
}

#[async_trait]
impl<T: PortalStatsStore + ?Sized> PortalStatsStore for Arc<T> {
    async fn activity_counts(&self, user_id: i64) -> Result<ActivityCounts, StoreError> {
        (**self).activity_counts(user_id).await
    }
    async fn portal_summary(
        &self,
        archived_before: DateTime<Utc>,
        messages_since: DateTime<Utc>,
    ) -> Result<PortalSummary, StoreError> {
        (**self)
            .portal_summary(archived_before, messages_since)
            .await
    }
}
