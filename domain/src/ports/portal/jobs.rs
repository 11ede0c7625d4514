//! The local job cache of the Employer API and its sync state (portal.md P1.3, P1.4, P6).

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A cached job (P1.3). `removed_at` set = the upstream stopped listing it but applications keep
/// the row (P6.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub external_id: String,
    pub title: String,
    pub role: String,
    pub company: String,
    pub location: String,
    pub description: String,
    pub required_skills: Vec<String>,
    pub required_certifications: Vec<String>,
    pub posted_at: DateTime<Utc>,
    pub first_seen_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// One usable job of a successful upstream response, already cleaned by P6.5 step 1 (trimmed,
/// truncated, defaults filled in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncedJob {
    pub external_id: String,
    pub title: String,
    pub role: String,
    pub company: String,
    pub location: String,
    pub description: String,
    pub required_skills: Vec<String>,
    pub required_certifications: Vec<String>,
    /// `None` when missing or unparseable: an existing row keeps its value, a new row gets `now`
    /// (P6.5 step 2).
    pub posted_at: Option<DateTime<Utc>>,
}

/// A successful upstream response, ready to be applied in one transaction (P6.5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobSyncBatch {
    /// The usable jobs, upserted by external id.
    pub jobs: Vec<SyncedJob>,
    /// Every external id the response listed, skipped items with a usable id included: jobs not
    /// among them are pruned (P6.5 step 4).
    pub listed_external_ids: Vec<String>,
    /// Jobs in the response before skipping. Zero means an empty list, which prunes nothing.
    pub fetched_count: u32,
}

/// What applying a sync changed (the refresh answer, H4.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobSyncCounts {
    pub created: u32,
    /// Existing rows whose content changed.
    pub updated: u32,
    /// Removed rows listed again (`removed_at` cleared), whether or not their content changed.
    pub restored: u32,
    /// Rows newly marked removed because applications keep them.
    pub removed_marked: u32,
    pub deleted: u32,
}

/// The shared cache state (P1.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobSyncState {
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error_code: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_fetched_count: Option<u32>,
}

/// Which jobs a listing shows (P6.9). Removed jobs are never listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobListing {
    /// Not removed, posted at or after the archive cutoff.
    Active,
    /// Not removed, posted before the archive cutoff.
    Archived,
}

/// The job cache (P6). Filtering by text, scoring and ordering are the domain's (P0.9); the store
/// only splits by status.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Applies a successful sync in one transaction (P6.5 steps 3–5): upserts by external id
    /// (`first_seen_at`/`updated_at`/`last_seen_at` as P1.3 says, `removed_at` cleared); unless
    /// the response was empty, deletes unlisted jobs without applications and marks the others
    /// removed; records the success (`last_attempt_at = started_at`, `last_success_at = now`,
    /// errors cleared).
    async fn apply_job_sync(
        &self,
        batch: JobSyncBatch,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<JobSyncCounts, StoreError>;

    /// Records a failed sync (P6.7): no job row changes, `last_success_at` keeps its value.
    async fn record_job_sync_failure(
        &self,
        error_code: &str,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn job_sync_state(&self) -> Result<JobSyncState, StoreError>;

    /// The jobs of one listing (P6.8): `archived_before` is `now − JOB_ARCHIVE_DAYS`; ordered by
    /// id.
    async fn list_jobs(
        &self,
        listing: JobListing,
        archived_before: DateTime<Utc>,
    ) -> Result<Vec<Job>, StoreError>;

    /// Any job, removed ones included (P6.10).
    async fn get_job(&self, id: i64) -> Result<Option<Job>, StoreError>;

    async fn get_job_by_external_id(&self, external_id: &str) -> Result<Option<Job>, StoreError>;
}

#[async_trait]
impl<T: JobStore + ?Sized> JobStore for Arc<T> {
    async fn apply_job_sync(
        &self,
        batch: JobSyncBatch,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<JobSyncCounts, StoreError> {
        (**self).apply_job_sync(batch, started_at, now).await
    }
    async fn record_job_sync_failure(
        &self,
        error_code: &str,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        (**self)
            .record_job_sync_failure(error_code, started_at, now)
            .await
    }
    async fn job_sync_state(&self) -> Result<JobSyncState, StoreError> {
        (**self).job_sync_state().await
    }
    async fn list_jobs(
        &self,
        listing: JobListing,
        archived_before: DateTime<Utc>,
    ) -> Result<Vec<Job>, StoreError> {
        (**self).list_jobs(listing, archived_before).await
    }
    async fn get_job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        (**self).get_job(id).await
    }
    async fn get_job_by_external_id(&self, external_id: &str) -> Result<Option<Job>, StoreError> {
        (**self).get_job_by_external_id(external_id).await
    }
}
