//! The job cache over the ports (portal.md P6): one sync attempt (P6.5, P6.7), the cache-aware
//! sync of reads (P6.3), and the per-user list, detail and dashboard (P6.9–P6.11). Running at
//! most one sync per process (P6.4) is the caller's: it wraps these functions.

use crate::portal::jobs::{
    CachePolicy, Category, JobFilter, JobSort, JobStatus, ScoredJob, categories, filter_and_sort,
    sync_batch,
};
use crate::portal::matching::{ProfileLists, match_score};
use crate::portal::profile::{Completeness, completeness};
use crate::ports::{
    ActivityCounts, ApplicationStore, Clock, EmployerApi, Job, JobApplication, JobListing,
    JobStore, JobSyncState, PortalStatsStore, Profile, ProfileStore, StoreError, UpstreamError,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Why a sync attempt failed (P6.7, U5.5).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// `employer_api_unavailable` (every class but `InvalidResponse`).
    #[error("the Employer API is unavailable")]
    Unavailable,
    /// `employer_api_invalid_response`.
    #[error("the Employer API answered something unusable")]
    InvalidResponse,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    fn from_upstream(error: &UpstreamError) -> SyncError {
        match error {
            UpstreamError::InvalidResponse { .. } => SyncError::InvalidResponse,
            _ => SyncError::Unavailable,
        }
    }

    /// The `last_error_code` recorded and the API error code (H0.11).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Unavailable => "employer_api_unavailable",
            SyncError::InvalidResponse => "employer_api_invalid_response",
            SyncError::Store(_) => "database_unavailable",
        }
    }
}

/// The refresh answer (H4.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub fetched: u32,
    pub created: u32,
    pub updated: u32,
    pub removed_marked: u32,
    pub deleted: u32,
    pub skipped: u32,
    /// The external ids of skipped items (for the log; `None` without a usable id).
    pub skipped_ids: Vec<Option<i64>>,
    pub synced_at: DateTime<Utc>,
}

/// One sync attempt (P6.5): the upstream call outside any transaction, then the store applies
/// the batch in one; a failure is recorded and changes no job (P6.7).
pub async fn sync_now<E, J, C>(employer: &E, jobs: &J, clock: &C) -> Result<SyncReport, SyncError>
where
    E: EmployerApi + ?Sized,
    J: JobStore + ?Sized,
    C: Clock + ?Sized,
{
    let started_at = clock.now();
    let listed = match employer.list_jobs().await {
        Ok(listed) => listed,
        Err(e) => {
            let error = SyncError::from_upstream(&e);
            jobs.record_job_sync_failure(error.code(), started_at, clock.now())
                .await?;
            return Err(error);
        }
    };
    let (batch, skipped_ids) = sync_batch(&listed);
    let fetched = batch.fetched_count;
    let now = clock.now();
    let counts = jobs.apply_job_sync(batch, started_at, now).await?;
    Ok(SyncReport {
        fetched,
        created: counts.created,
        updated: counts.updated,
        removed_marked: counts.removed_marked,
        deleted: counts.deleted,
        skipped: u32::try_from(skipped_ids.len()).unwrap_or(u32::MAX),
        skipped_ids,
        synced_at: now,
    })
}

/// P6.3 for cache-aware reads: syncs when the policy says so. A failed upstream is not an error
/// here (the read serves the cache, stale); only the store failing is. Returns the attempt's
/// report when one ran, and the sync state after it.
pub async fn sync_if_needed<E, J, C>(
    employer: &E,
    jobs: &J,
    clock: &C,
    policy: &CachePolicy,
) -> Result<(Option<Result<SyncReport, SyncError>>, JobSyncState), StoreError>
where
    E: EmployerApi + ?Sized,
    J: JobStore + ?Sized,
    C: Clock + ?Sized,
{
    let state = jobs.job_sync_state().await?;
    if !policy.sync_needed(&state, clock.now()) {
        return Ok((None, state));
    }
    let attempt = match sync_now(employer, jobs, clock).await {
        Err(SyncError::Store(e)) => return Err(e),
        other => other,
    };
    Ok((Some(attempt), jobs.job_sync_state().await?))
}

/// A job as a listing shows it to one user (`JobListItem`, H4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobView {
    pub scored: ScoredJob,
    pub status: JobStatus,
    pub applied: bool,
}

/// The list query (H4.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobQuery {
    pub filter: JobFilter,
    pub archived: bool,
    pub sort: JobSort,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobPage {
    pub total: usize,
    pub jobs: Vec<JobView>,
}

fn lists(profile: Option<&Profile>) -> Option<ProfileLists<'_>> {
    profile.map(|p| ProfileLists {
        skills: &p.fields.skills,
        certifications: &p.fields.certifications,
    })
}

fn score(job: Job, profile: Option<&Profile>) -> ScoredJob {
    let score = match_score(
        lists(profile),
        &job.required_skills,
        &job.required_certifications,
    );
    ScoredJob { job, score }
}

/// The user's applications by job id.
async fn applications_by_job<A: ApplicationStore + ?Sized>(
    applications: &A,
    user_id: i64,
) -> Result<HashMap<i64, JobApplication>, StoreError> {
    Ok(applications
        .list_user_applications(user_id)
        .await?
        .into_iter()
        .map(|a| (a.job.id, a.application))
        .collect())
}

/// The stores a per-user read needs.
pub struct Reader<'a, J: ?Sized, P: ?Sized, A: ?Sized> {
    pub jobs: &'a J,
    pub profiles: &'a P,
    pub applications: &'a A,
    pub policy: CachePolicy,
    pub now: DateTime<Utc>,
}

impl<J: ?Sized, P: ?Sized, A: ?Sized> std::fmt::Debug for Reader<'_, J, P, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("policy", &self.policy)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl<J, P, A> Reader<'_, J, P, A>
where
    J: JobStore + ?Sized,
    P: ProfileStore + ?Sized,
    A: ApplicationStore + ?Sized,
{
    /// One listing, scored for the user, filtered, ordered (P6.9).
    async fn ordered(
        &self,
        user_id: i64,
        listing: JobListing,
        filter: &JobFilter,
        sort: JobSort,
    ) -> Result<(Vec<ScoredJob>, Option<Profile>), StoreError> {
        let profile = self.profiles.get_profile(user_id).await?;
        let cutoff = self.policy.archived_before(self.now);
        let scored = self
            .jobs
            .list_jobs(listing, cutoff)
            .await?
            .into_iter()
            .map(|job| score(job, profile.as_ref()))
            .collect();
        Ok((filter_and_sort(scored, filter, sort), profile))
    }

    /// P6.9: filter and order after scoring, then paginate; `total` is the filtered count.
    pub async fn list(&self, user_id: i64, query: &JobQuery) -> Result<JobPage, StoreError> {
        let listing = if query.archived {
            JobListing::Archived
        } else {
            JobListing::Active
        };
        let (ordered, _) = self
            .ordered(user_id, listing, &query.filter, query.sort)
            .await?;
        let applied = applications_by_job(self.applications, user_id).await?;
        let total = ordered.len();
        let jobs = ordered
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|scored| self.view(scored, &applied))
            .collect();
        Ok(JobPage { total, jobs })
    }

    fn view(&self, scored: ScoredJob, applied: &HashMap<i64, JobApplication>) -> JobView {
        let status = JobStatus::of(
            scored.job.removed_at,
            scored.job.posted_at,
            self.policy.archived_before(self.now),
        );
        let applied = applied.contains_key(&scored.job.id);
        JobView {
            scored,
            status,
            applied,
        }
    }

    /// P6.10: any job by id, whatever its status, with the caller's application if any.
    pub async fn detail(&self, user_id: i64, job_id: i64) -> Result<Option<JobDetail>, StoreError> {
        let Some(job) = self.jobs.get_job(job_id).await? else {
            return Ok(None);
        };
        let profile = self.profiles.get_profile(user_id).await?;
        let application = self
            .applications
            .user_application_for_job(user_id, job_id)
            .await?;
        let mut applied = HashMap::new();
        if let Some(a) = &application {
            applied.insert(job_id, a.clone());
        }
        let view = self.view(score(job, profile.as_ref()), &applied);
        let can_apply = view.status != JobStatus::Removed && application.is_none();
        Ok(Some(JobDetail {
            view,
            application,
            can_apply,
        }))
    }

    /// P6.11 without the counts: the 6 best active matches, the categories, the completeness.
    pub async fn dashboard_jobs(
        &self,
        user_id: i64,
    ) -> Result<(Vec<JobView>, Vec<Category>, Completeness), StoreError> {
        let (ordered, profile) = self
            .ordered(
                user_id,
                JobListing::Active,
                &JobFilter::default(),
                JobSort::Match,
            )
            .await?;
        let all: Vec<Job> = ordered.iter().map(|s| s.job.clone()).collect();
        let applied = applications_by_job(self.applications, user_id).await?;
        let top = ordered
            .into_iter()
            .take(TOP_MATCHES)
            .map(|s| self.view(s, &applied))
            .collect();
        let completeness = completeness(profile.as_ref().map(|p| &p.fields));
        Ok((top, categories(&all), completeness))
    }
}

/// P6.11: `top_matches` holds the first 6.
pub const TOP_MATCHES: usize = 6;

/// `JobDetail` (H4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobDetail {
    pub view: JobView,
    pub application: Option<JobApplication>,
    pub can_apply: bool,
}

/// The dashboard (P6.11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    pub top_matches: Vec<JobView>,
    pub categories: Vec<Category>,
    pub profile: Completeness,
    pub counts: ActivityCounts,
}

/// P6.11 with the user's counts.
pub async fn dashboard<J, P, A, S>(
    reader: &Reader<'_, J, P, A>,
    stats: &S,
    user_id: i64,
) -> Result<Dashboard, StoreError>
where
    J: JobStore + ?Sized,
    P: ProfileStore + ?Sized,
    A: ApplicationStore + ?Sized,
    S: PortalStatsStore + ?Sized,
{
    let (top_matches, categories, profile) = reader.dashboard_jobs(user_id).await?;
    Ok(Dashboard {
        top_matches,
        categories,
        profile,
        counts: stats.activity_counts(user_id).await?,
    })
}

#[cfg(test)]
mod tests;
