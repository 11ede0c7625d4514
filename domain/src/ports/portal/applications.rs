//! Applications and their Employer API outbox (portal.md P1.5, P7).

use super::statuses::{ApplicationStatus, RemoteStatus};
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// An application as stored (P1.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobApplication {
    pub id: i64,
    pub user_id: i64,
    pub job_id: i64,
    pub resume_link: String,
    pub cover_letter: String,
    /// Snapshot of the profile at apply time (P7.4); never changes afterwards.
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    pub status: ApplicationStatus,
    pub submitted_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub remote_status: RemoteStatus,
    pub remote_application_id: Option<String>,
    pub remote_attempts: u32,
    pub remote_next_attempt_at: Option<DateTime<Utc>>,
    pub remote_last_error: Option<String>,
    pub remote_sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// What an application shows of its job (`JobRef`, H4): enough to compute the job status (P6.8)
/// and to post it upstream (the external id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSummary {
    pub id: i64,
    pub external_id: String,
    pub title: String,
    pub company: String,
    pub location: String,
    pub posted_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationWithJob {
    pub application: JobApplication,
    pub job: JobSummary,
}

/// A validated apply (P7.3): the resume link already resolved against the profile, the lists
/// copied from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApplication {
    pub user_id: i64,
    pub job_id: i64,
    pub resume_link: String,
    pub cover_letter: String,
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
}

/// Why an apply stored nothing (P7.1 steps 2, 4, 5, in that order).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("no such job")]
    JobNotFound,
    /// Any status, withdrawn included: re-applying is not allowed. Also the outcome of a lost
    /// race (the unique (user, job) pair).
    #[error("already applied (application {application_id})")]
    AlreadyApplied { application_id: i64 },
    /// The job is removed (P6.6).
    #[error("the job is no longer available")]
    JobUnavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a withdrawal changed nothing (P7.9).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WithdrawError {
    /// Unknown id, or another user's application (indistinguishable on purpose, S7.2).
    #[error("no such application")]
    NotFound,
    #[error("cannot withdraw an application that is {}", status.as_str())]
    InvalidStatus { status: ApplicationStatus },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The result of one attempt to send an application upstream (P7.5, P7.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteOutcome {
    /// `sent`, `remote_sent_at = now`; the error and the next attempt are cleared.
    Sent {
        remote_application_id: Option<String>,
    },
    /// `retrying` with the attempts made so far and when to try again.
    Retrying {
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        error: String,
    },
    Rejected {
        error: String,
    },
    /// No attempt left (P7.8).
    Failed {
        attempts: u32,
        error: String,
    },
}

impl RemoteOutcome {
    pub fn status(&self) -> RemoteStatus {
        match self {
            RemoteOutcome::Sent { .. } => RemoteStatus::Sent,
            RemoteOutcome::Retrying { .. } => RemoteStatus::Retrying,
            RemoteOutcome::Rejected { .. } => RemoteStatus::Rejected,
            RemoteOutcome::Failed { .. } => RemoteStatus::Failed,
        }
    }
}

/// Applications (P7). Every list is filtered in the query by the owner (S7.3).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// P7.1 steps 2, 4, 5 and the insert in one write transaction (P7.2); the profile check
    /// (step 3) is the caller's, before. The row starts `submitted`, `remote_status = pending`,
    /// `submitted_at = updated_at = now`.
    async fn apply(
        &self,
        application: NewApplication,
        now: DateTime<Utc>,
    ) -> Result<ApplicationWithJob, ApplyError>;

    /// The user's applications, `submitted_at` desc then id desc (P7.10).
    async fn list_user_applications(
        &self,
        user_id: i64,
    ) -> Result<Vec<ApplicationWithJob>, StoreError>;

    /// `None` for an unknown id and for another user's application (S7.2).
    async fn get_user_application(
        &self,
        user_id: i64,
        application_id: i64,
    ) -> Result<Option<ApplicationWithJob>, StoreError>;

    /// The user's application to one job, if any (P6.10 `application`, `can_apply`).
    async fn user_application_for_job(
        &self,
        user_id: i64,
        job_id: i64,
    ) -> Result<Option<JobApplication>, StoreError>;

    /// P7.9 as one conditional update: `withdrawn`, `withdrawn_at = now`, and the remote status
    /// per [`RemoteStatus::after_withdrawal`].
    async fn withdraw_application(
        &self,
        user_id: i64,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<ApplicationWithJob, WithdrawError>;

    /// Up to `limit` rows for the outbox (P7.8): `retrying` with `remote_next_attempt_at <= now`,
    /// the longest-due first (then by id); then `pending` rows last updated at or before
    /// `stranded_before` (the process stopped between the commit and recording its one post),
    /// by id.
    async fn due_remote_sends(
        &self,
        now: DateTime<Utc>,
        stranded_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ApplicationWithJob>, StoreError>;

    /// Records an attempt's outcome only if the row's remote status may still move there
    /// ([`RemoteStatus::can_record`]): `None` when there is no such row or it moved on meanwhile
    /// (withdrawn, or recorded by someone else), so a late attempt never undoes a later state.
    async fn record_remote_outcome(
        &self,
        application_id: i64,
        outcome: RemoteOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<JobApplication>, StoreError>;
}

#[async_trait]
impl<T: ApplicationStore + ?Sized> ApplicationStore for Arc<T> {
    async fn apply(
        &self,
        application: NewApplication,
        now: DateTime<Utc>,
    ) -> Result<ApplicationWithJob, ApplyError> {
        (**self).apply(application, now).await
    }
    async fn list_user_applications(
        &self,
        user_id: i64,
    ) -> Result<Vec<ApplicationWithJob>, StoreError> {
        (**self).list_user_applications(user_id).await
    }
    async fn get_user_application(
        &self,
        user_id: i64,
        application_id: i64,
    ) -> Result<Option<ApplicationWithJob>, StoreError> {
        (**self).get_user_application(user_id, application_id).await
    }
    async fn user_application_for_job(
        &self,
        user_id: i64,
        job_id: i64,
    ) -> Result<Option<JobApplication>, StoreError> {
        (**self).user_application_for_job(user_id, job_id).await
    }
    async fn withdraw_application(
        &self,
        user_id: i64,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<ApplicationWithJob, WithdrawError> {
        (**self)
            .withdraw_application(user_id, application_id, now)
            .await
    }
    async fn due_remote_sends(
        &self,
        now: DateTime<Utc>,
        stranded_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ApplicationWithJob>, StoreError> {
        (**self).due_remote_sends(now, stranded_before, limit).await
    }
    async fn record_remote_outcome(
        &self,
        application_id: i64,
        outcome: RemoteOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<JobApplication>, StoreError> {
        (**self)
            .record_remote_outcome(application_id, outcome, now)
            .await
    }
}
