//! The Employer API port (upstreams.md U5; portal.md P6.1, P7.5, P7.8): the job listing the cache
//! syncs from, and the applications the portal forwards.
//!
//! The job type is what the upstream sent, read leniently: the sync (P6.5) skips, counts and
//! cleans items itself, so one bad item never turns a whole listing into an error, and an item
//! with a usable id still counts as listed even when the sync skips it.

use super::error::UpstreamError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::Arc;

/// One item of `GET /jobs` (U5.2), as received. Nothing is trimmed or truncated here: P6.5 step 1
/// does that in the domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamJob {
    /// The Employer API's job id: a positive JSON integer, or a string of 1..18 ASCII digits.
    /// `None` when the item has neither: the sync skips it and it does not count as listed.
    pub id: Option<i64>,
    /// `None` when missing or not a string (P6.5 skips the item; blank strings are the sync's to
    /// judge).
    pub title: Option<String>,
    pub role: Option<String>,
    pub location: Option<String>,
    /// `""` when missing or not a string (P6.5 step 1).
    pub company: String,
    pub description: String,
    /// The string items in order; empty when missing or not an array (P6.5 step 1).
    pub required_skills: Vec<String>,
    pub required_certifications: Vec<String>,
    /// `posted_at` read as RFC 3339 with an offset, or without one as UTC (U5.2, P6.5 step 2).
    /// `None` when missing or unparseable.
    pub posted_at: Option<DateTime<Utc>>,
}

/// The body of `POST /applications` (U5.3, P7.5): exactly these six fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUpstreamApplication {
    /// The job's external id as an integer.
    pub job_id: i64,
    /// The portal's local user id.
    pub user_id: i64,
    pub resume_link: String,
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    pub cover_letter: String,
}

/// The Employer API's id of an application it accepted (`application_id`, U5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UpstreamApplicationId(pub i64);

impl fmt::Display for UpstreamApplicationId {
    /// The decimal form stored as `remote_application_id` (P1.5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One item of `GET /applications` (U5.3): an application the Employer API holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamApplication {
    pub id: UpstreamApplicationId,
    pub job_id: i64,
    pub user_id: i64,
    pub resume_link: String,
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    pub cover_letter: String,
    /// `None` when missing or unparseable (the lookup of P7.8 does not need it).
    pub created_at: Option<DateTime<Utc>>,
}

/// The `Idempotency-Key` of the POST for a local application (P7.5): `portal-application-<id>`.
pub fn application_idempotency_key(local_application_id: i64) -> String {
    format!("portal-application-{local_application_id}")
}

/// The Employer API (U5). Failure classes per U5.5: connect errors, timeouts, 408 and 5xx are
/// `Unavailable`; 429 `RateLimited`; 401/403 `Unauthorized`; every other 4xx, 404 included, is
/// `Rejected` with the upstream's `error` text; an unusable 2xx is `InvalidResponse`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EmployerApi: Send + Sync {
    /// Every job of `GET /jobs`, in the upstream's order (newest first). A body that is not a
    /// JSON array is `InvalidResponse`; items inside it are never refused here.
    async fn list_jobs(&self) -> Result<Vec<UpstreamJob>, UpstreamError>;

    /// `POST /applications` once (never retried here: retries belong to the outbox, P7.8), with
    /// `Idempotency-Key: idempotency_key`. A 2xx without `success` is `InvalidResponse`.
    async fn post_application(
        &self,
        application: &NewUpstreamApplication,
        idempotency_key: &str,
    ) -> Result<UpstreamApplicationId, UpstreamError>;

    /// `GET /applications?job_id=…&user_id=…`, newest first: what the Employer API already holds
    /// for this job and user (P7.8 step 1).
    async fn find_applications(
        &self,
        job_id: i64,
        user_id: i64,
    ) -> Result<Vec<UpstreamApplication>, UpstreamError>;

    /// Whether [`EmployerApi::find_applications`] can work at all: the live API needs the key
    /// (U5.3), so without one the outbox skips the lookup (P7.8 step 1).
    fn can_find_applications(&self) -> bool;
}

#[async_trait]
impl<T: EmployerApi + ?Sized> EmployerApi for Arc<T> {
    async fn list_jobs(&self) -> Result<Vec<UpstreamJob>, UpstreamError> {
        (**self).list_jobs().await
    }
    async fn post_application(
        &self,
        application: &NewUpstreamApplication,
        idempotency_key: &str,
    ) -> Result<UpstreamApplicationId, UpstreamError> {
        (**self)
            .post_application(application, idempotency_key)
            .await
    }
    async fn find_applications(
        &self,
        job_id: i64,
        user_id: i64,
    ) -> Result<Vec<UpstreamApplication>, UpstreamError> {
        (**self).find_applications(job_id, user_id).await
    }
    fn can_find_applications(&self) -> bool {
        (**self).can_find_applications()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p7_5_idempotency_key_names_the_local_application() {
        assert_eq!(application_idempotency_key(42), "portal-application-42");
        assert_eq!(UpstreamApplicationId(7).to_string(), "7");
    }

    #[test]
    fn the_port_works_through_an_arc_and_its_mock() {
        futures::executor::block_on(async {
            let mut mock = MockEmployerApi::new();
            mock.expect_list_jobs().returning(|| Ok(Vec::new()));
            mock.expect_can_find_applications().return_const(true);
            let shared: Arc<dyn EmployerApi> = Arc::new(mock);
            assert!(shared.list_jobs().await.unwrap().is_empty());
            assert!(shared.can_find_applications());
        })
    }
}
