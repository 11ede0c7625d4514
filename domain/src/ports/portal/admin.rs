//! The portal admin's view of applications (portal.md P10.2, P10.4).

use super::applications::{JobApplication, JobSummary};
use super::statuses::{ApplicationStatus, RemoteStatus};
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Who applied: the only place another user's email is shown (P3.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applicant {
    pub id: i64,
    pub username: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminApplication {
    pub application: JobApplication,
    pub applicant: Applicant,
    pub job: JobSummary,
}

/// P10.2 filters and cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminApplicationQuery {
    pub status: Option<ApplicationStatus>,
    pub remote_status: Option<RemoteStatus>,
    /// Only rows with a smaller id.
    pub before: Option<i64>,
    pub limit: u32,
}

/// Newest first (id desc); `next_before` is the cursor of the next page, `None` on the last.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdminApplicationPage {
    pub applications: Vec<AdminApplication>,
    pub next_before: Option<i64>,
}

/// Why a resend changed nothing (P10.4).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResendError {
    #[error("no such application")]
    NotFound,
    #[error(
        "cannot resend an application that is {} / {}",
        status.as_str(),
        remote_status.as_str()
    )]
    InvalidStatus {
        status: ApplicationStatus,
        remote_status: RemoteStatus,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// All users' applications, for admins only (the caller checks the role, S7.5).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ApplicationAdminStore: Send + Sync {
    async fn admin_list_applications(
        &self,
        query: AdminApplicationQuery,
    ) -> Result<AdminApplicationPage, StoreError>;

    async fn admin_get_application(
        &self,
        application_id: i64,
    ) -> Result<Option<AdminApplication>, StoreError>;

    /// P10.4 as one conditional update: a `submitted` application whose remote status may be
    /// resent ([`RemoteStatus::can_resend`]) becomes `retrying` with `remote_attempts = 0` and
    /// `remote_next_attempt_at = now`.
    async fn resend_application(
        &self,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<AdminApplication, ResendError>;
}

#[async_trait]
impl<T: ApplicationAdminStore + ?Sized> ApplicationAdminStore for Arc<T> {
    async fn admin_list_applications(
        &self,
        query: AdminApplicationQuery,
    ) -> Result<AdminApplicationPage, StoreError> {
        (**self).admin_list_applications(query).await
    }
    async fn admin_get_application(
        &self,
        application_id: i64,
    ) -> Result<Option<AdminApplication>, StoreError> {
        (**self).admin_get_application(application_id).await
    }
    async fn resend_application(
        &self,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<AdminApplication, ResendError> {
        (**self).resend_application(application_id, now).await
    }
}
