//! Box folder claims (http-api.md H2.2.2, H7.7): one client folder per deal, kept forever.

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoxFolderState {
    InProgress,
    Created,
    /// The delivery that held the claim answered an error; the next one takes over.
    Failed,
}

impl BoxFolderState {
    pub fn as_str(self) -> &'static str {
        match self {
            BoxFolderState::InProgress => "in_progress",
            BoxFolderState::Created => "created",
            BoxFolderState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<BoxFolderState> {
        [
            BoxFolderState::InProgress,
            BoxFolderState::Created,
            BoxFolderState::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// Whether the folder's metadata was applied (H2.2.6 `metadata`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetadataStatus {
    Applied,
    /// Not configured.
    Skipped,
    /// The folder is kept; logged.
    Failed,
}

impl MetadataStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataStatus::Applied => "applied",
            MetadataStatus::Skipped => "skipped",
            MetadataStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MetadataStatus> {
        [
            MetadataStatus::Applied,
            MetadataStatus::Skipped,
            MetadataStatus::Failed,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// A created folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoxFolder {
    pub folder_id: String,
    pub folder_name: String,
    pub metadata: MetadataStatus,
}

/// A deal's `box_folders` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoxFolderRecord {
    pub deal_id: String,
    pub state: BoxFolderState,
    /// Set when `state` is `Created`.
    pub folder: Option<BoxFolder>,
    pub claimed_at: DateTime<Utc>,
    pub created_at: Option<DateTime<Utc>>,
}

/// What a deal's row means for a new delivery (H2.2.2), without writing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoxFolderCheck {
    /// Claim it and create the folder.
    Open,
    /// Answer `existing` with this folder, no Box call.
    Existing(BoxFolder),
    /// A duplicate is creating it: poll the row.
    InProgress,
}

impl BoxFolderRecord {
    /// H2.2.2: `created` is final; `in_progress` younger than `stale_after` is a running
    /// duplicate; a stale claim or `failed` is open to take over.
    pub fn check(&self, now: DateTime<Utc>, stale_after: TimeDelta) -> BoxFolderCheck {
        match (&self.state, &self.folder) {
            (BoxFolderState::Created, Some(folder)) => BoxFolderCheck::Existing(folder.clone()),
            (BoxFolderState::InProgress, _) if now - self.claimed_at < stale_after => {
                BoxFolderCheck::InProgress
            }
            _ => BoxFolderCheck::Open,
        }
    }
}

/// The result of [`BoxFolders::claim_box_folder`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoxFolderClaim {
    /// The caller holds the claim; `claim_id` proves it when marking the result.
    Claimed {
        claim_id: String,
        previous: Option<BoxFolderState>,
    },
    Existing(BoxFolder),
    InProgress,
}

/// Marking a folder claim failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BoxFolderWriteError {
    /// The row is no longer `in_progress` under this claim id (taken over): nothing written.
    #[error("the box folder claim was taken over by another delivery")]
    ClaimLost,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The `box_folders` table (H7.7).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BoxFolders: Send + Sync {
    /// Applies [`BoxFolderRecord::check`] to the deal's row in one write transaction; when open
    /// (or absent) the row becomes `in_progress` under a new claim id with `claimed_at = now`.
    async fn claim_box_folder(
        &self,
        deal_id: &str,
        now: DateTime<Utc>,
        stale_after: TimeDelta,
    ) -> Result<BoxFolderClaim, StoreError>;

    /// The claim succeeded: `created` with the folder, `created_at = now`.
    async fn mark_box_folder_created(
        &self,
        deal_id: &str,
        claim_id: &str,
        folder: &BoxFolder,
        now: DateTime<Utc>,
    ) -> Result<(), BoxFolderWriteError>;

    /// The claim's delivery answered an error: `failed`, so the next delivery takes over.
    async fn mark_box_folder_failed(
        &self,
        deal_id: &str,
        claim_id: &str,
    ) -> Result<(), BoxFolderWriteError>;

    /// The deal's row, read without locking (for polling).
    async fn get_box_folder(&self, deal_id: &str) -> Result<Option<BoxFolderRecord>, StoreError>;
}

#[async_trait]
impl<T: BoxFolders + ?Sized> BoxFolders for Arc<T> {
    async fn claim_box_folder(
        &self,
        deal_id: &str,
        now: DateTime<Utc>,
        stale_after: TimeDelta,
    ) -> Result<BoxFolderClaim, StoreError> {
        (**self).claim_box_folder(deal_id, now, stale_after).await
    }
    async fn mark_box_folder_created(
        &self,
        deal_id: &str,
        claim_id: &str,
        folder: &BoxFolder,
        now: DateTime<Utc>,
    ) -> Result<(), BoxFolderWriteError> {
        (**self)
            .mark_box_folder_created(deal_id, claim_id, folder, now)
            .await
    }
    async fn mark_box_folder_failed(
        &self,
        deal_id: &str,
        claim_id: &str,
    ) -> Result<(), BoxFolderWriteError> {
        (**self).mark_box_folder_failed(deal_id, claim_id).await
    }
    async fn get_box_folder(&self, deal_id: &str) -> Result<Option<BoxFolderRecord>, StoreError> {
        (**self).get_box_folder(deal_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn record(state: BoxFolderState, folder: Option<BoxFolder>) -> BoxFolderRecord {
        BoxFolderRecord {
            deal_id: "7".into(),
            state,
            folder,
            claimed_at: at("2025-03-01T00:00:00Z"),
            created_at: None,
        }
    }

    #[test]
    fn the_h2_2_2_table() {
        let stale = TimeDelta::seconds(120);
        let folder = BoxFolder {
            folder_id: "987".into(),
            folder_name: "Ann Lee".into(),
            metadata: MetadataStatus::Skipped,
        };
        let fresh = at("2025-03-01T00:01:00Z");
        let late = at("2025-03-01T00:02:00Z");
        assert_eq!(
            record(BoxFolderState::Created, Some(folder.clone())).check(late, stale),
            BoxFolderCheck::Existing(folder)
        );
        let running = record(BoxFolderState::InProgress, None);
        assert_eq!(running.check(fresh, stale), BoxFolderCheck::InProgress);
        assert_eq!(running.check(late, stale), BoxFolderCheck::Open);
        assert_eq!(
            record(BoxFolderState::Failed, None).check(fresh, stale),
            BoxFolderCheck::Open
        );
    }

    #[test]
    fn names_round_trip() {
        for s in ["in_progress", "created", "failed"] {
            assert_eq!(
                BoxFolderState::parse(s).map(BoxFolderState::as_str),
                Some(s)
            );
        }
        for s in ["applied", "skipped", "failed"] {
            assert_eq!(
                MetadataStatus::parse(s).map(MetadataStatus::as_str),
                Some(s)
            );
        }
    }
}
