//! Jobs (http-api.md H4.3; portal.md P6): the per-user list, the detail, the forced refresh.
//! Also the shared `JobRef` and `Match` shapes.

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::portal::jobs::{JobFilter, JobSort, JobStatus, sync_error};
use domain::portal::matching::MatchScore;
use domain::ports::{JobApplication, JobSummary, JobSyncState, StoreError};
use domain::usecase::portal::jobs::{JobDetail as Detail, JobQuery, JobView, Reader, SyncError};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde_json::json;

#[derive(Debug)]
pub struct PortalJobsApi;

/// `JobRef` (H4).
#[derive(Debug, Clone, Object)]
pub struct JobRef {
    pub id: i64,
    pub external_id: String,
    pub title: String,
    pub company: String,
    pub location: String,
    /// `active`, `archived` or `removed` (P6.8).
    pub status: String,
}

/// `Match` (H4, P5).
#[derive(Debug, Clone, Object)]
pub struct MatchView {
    /// `percent / 100`, at most two decimals.
    pub score: f64,
    pub percent: u8,
    pub matched_count: u32,
    pub required_count: u32,
    pub matched_skills: Vec<String>,
    pub missing_skills: Vec<String>,
    pub matched_certifications: Vec<String>,
    pub missing_certifications: Vec<String>,
}

/// `JobListItem` (H4.3).
#[derive(Debug, Clone, Object)]
pub struct JobListItem {
    #[oai(flatten)]
    pub job: JobRef,
    pub role: String,
    pub posted_at: String,
    #[oai(rename = "match")]
    pub match_: MatchView,
    pub applied: bool,
}

/// The caller's application to a job (H4.3 `JobDetail.application`).
#[derive(Debug, Clone, Object)]
pub struct JobApplicationSummary {
    pub id: i64,
    pub status: String,
    pub remote_status: String,
    pub submitted_at: String,
}

/// `JobDetail` (H4.3).
#[derive(Debug, Clone, Object)]
pub struct JobDetail {
    #[oai(flatten)]
    pub item: JobListItem,
    pub description: String,
    pub required_skills: Vec<String>,
    pub required_certifications: Vec<String>,
    pub can_apply: bool,
    pub application: Option<JobApplicationSummary>,
    pub stale: bool,
    pub sync_error: Option<String>,
}

/// `GET /jobs` (H4.3).
#[derive(Debug, Object)]
pub struct JobList {
    pub total: u64,
    pub jobs: Vec<JobListItem>,
    pub stale: bool,
    pub sync_error: Option<String>,
    pub last_synced_at: Option<String>,
}

/// `POST /jobs/refresh` (H4.3).
#[derive(Debug, Object)]
pub struct RefreshResult {
    pub fetched: u32,
    pub created: u32,
    pub updated: u32,
    pub removed_marked: u32,
    pub deleted: u32,
    pub skipped: u32,
    pub synced_at: String,
}

pub fn match_view(score: &MatchScore) -> MatchView {
    MatchView {
        score: score.score(),
        percent: score.percent,
        matched_count: score.matched_count,
        required_count: score.required_count,
        matched_skills: score.matched_skills.clone(),
        missing_skills: score.missing_skills.clone(),
        matched_certifications: score.matched_certifications.clone(),
        missing_certifications: score.missing_certifications.clone(),
    }
}

/// `JobRef` of an application's job, with its status now (P6.8).
pub fn job_ref(state: &AppState, job: &JobSummary) -> JobRef {
    let cutoff = state.job_policy.archived_before(state.clock.now());
    JobRef {
        id: job.id,
        external_id: job.external_id.clone(),
        title: job.title.clone(),
        company: job.company.clone(),
        location: job.location.clone(),
        status: JobStatus::of(job.removed_at, job.posted_at, cutoff)
            .as_str()
            .to_owned(),
    }
}

pub fn list_item(view: &JobView) -> JobListItem {
    let job = &view.scored.job;
    JobListItem {
        job: JobRef {
            id: job.id,
            external_id: job.external_id.clone(),
            title: job.title.clone(),
            company: job.company.clone(),
            location: job.location.clone(),
            status: view.status.as_str().to_owned(),
        },
        role: job.role.clone(),
        posted_at: instant(job.posted_at),
        match_: match_view(&view.scored.score),
        applied: view.applied,
    }
}

fn application_summary(a: &JobApplication) -> JobApplicationSummary {
    JobApplicationSummary {
        id: a.id,
        status: a.status.as_str().to_owned(),
        remote_status: a.remote_status.as_str().to_owned(),
        submitted_at: instant(a.submitted_at),
    }
}

/// The per-user reader over the SQL store at the request's "now".
pub fn reader(
    state: &AppState,
) -> Reader<'_, sql_store::SqlStore, sql_store::SqlStore, sql_store::SqlStore> {
    Reader {
        jobs: &state.store,
        profiles: &state.store,
        applications: &state.store,
        policy: state.job_policy,
        now: state.clock.now(),
    }
}

/// The cache-aware sync of reads (P6.3, P6.4); the state to report as `stale`/`sync_error`.
pub async fn fresh_cache(state: &AppState) -> Result<JobSyncState, StoreError> {
    state.job_sync.cache_aware(state).await
}

/// P2.14: trimmed, empty → absent, at most 120 characters.
fn filter_text(field: &str, value: Option<String>) -> ApiResult<Option<String>> {
    let Some(text) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if text.contains('\0') {
        return Err(ApiError::field(field, "invalid_characters"));
    }
    if text.chars().count() > 120 {
        return Err(ApiError::field(field, "too_long"));
    }
    Ok(Some(text))
}

/// P2.16: `limit` within `min..=max` (default `default`), `offset` ≥ 0.
pub fn limit_param(value: Option<i64>, max: i64, default: i64) -> ApiResult<usize> {
    let limit = value.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::field("limit", "invalid_value"));
    }
    usize::try_from(limit).map_err(|_| ApiError::field("limit", "invalid_value"))
}

fn sync_failure(error: SyncError) -> ApiError {
    match error {
        SyncError::Unavailable => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "employer_api_unavailable",
            "The employer system is unavailable; try again later.",
        )
        .with_details(json!({ "upstream": "employer_api" }))
        .retry_after(60),
        SyncError::InvalidResponse => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "employer_api_invalid_response",
            "The employer system answered something unusable.",
        )
        .with_details(json!({ "upstream": "employer_api" })),
        SyncError::Store(e) => e.into(),
    }
}

#[OpenApi]
impl PortalJobsApi {
    /// The job list with the caller's match scores (P6.9), after a cache-aware sync (P6.3).
    #[allow(clippy::too_many_arguments)] // one argument per documented query parameter
    #[oai(path = "/api/portal/jobs", method = "get", tag = "ApiTags::PortalJobs")]
    async fn list_jobs(
        &self,
        state: Data<&AppState>,
        request: &Request,
        role: Query<Option<String>>,
        role_contains: Query<Option<String>>,
        location: Query<Option<String>>,
        skill: Query<Option<String>>,
        archived: Query<Option<bool>>,
        sort: Query<Option<String>>,
        limit: Query<Option<i64>>,
        offset: Query<Option<i64>>,
    ) -> ApiResult<Json<JobList>> {
        let session = auth::require_session(&state, request).await?;
        let query = JobQuery {
            filter: JobFilter {
                role: filter_text("role", role.0)?,
                role_contains: filter_text("role_contains", role_contains.0)?,
                location: filter_text("location", location.0)?,
                skill: filter_text("skill", skill.0)?,
            },
            archived: archived.0.unwrap_or(false),
            sort: match sort.0.as_deref() {
                None => JobSort::Match,
                Some(s) => {
                    JobSort::parse(s).ok_or_else(|| ApiError::field("sort", "invalid_value"))?
                }
            },
            limit: limit_param(limit.0, 100, 50)?,
            offset: usize::try_from(offset.0.unwrap_or(0))
                .map_err(|_| ApiError::field("offset", "invalid_value"))?,
        };
        let sync = fresh_cache(&state).await?;
        let page = reader(&state).list(session.user_id, &query).await?;
        Ok(Json(JobList {
            total: page.total as u64,
            jobs: page.jobs.iter().map(list_item).collect(),
            stale: sync_error(&sync).is_some(),
            sync_error: sync_error(&sync).map(str::to_owned),
            last_synced_at: sync.last_success_at.map(instant),
        }))
    }

    /// One job whatever its status, with the caller's score and application (P6.10).
    #[oai(
        path = "/api/portal/jobs/:id",
        method = "get",
        tag = "ApiTags::PortalJobs"
    )]
    async fn get_job(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<Json<JobDetail>> {
        let session = auth::require_session(&state, request).await?;
        let sync = fresh_cache(&state).await?;
        let Some(Detail {
            view,
            application,
            can_apply,
        }) = reader(&state).detail(session.user_id, id.0).await?
        else {
            return Err(ApiError::not_found("job_not_found", "The job"));
        };
        let job = &view.scored.job;
        Ok(Json(JobDetail {
            description: job.description.clone(),
            required_skills: job.required_skills.clone(),
            required_certifications: job.required_certifications.clone(),
            can_apply,
            application: application.as_ref().map(application_summary),
            stale: sync_error(&sync).is_some(),
            sync_error: sync_error(&sync).map(str::to_owned),
            item: list_item(&view),
        }))
    }

    /// Syncs the job cache now, whatever its age (P6.3 forced, P6.7).
    #[oai(
        path = "/api/portal/jobs/refresh",
        method = "post",
        tag = "ApiTags::PortalJobs"
    )]
    async fn refresh_jobs(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<RefreshResult>> {
        auth::require_session(&state, request).await?;
        let report = state.job_sync.forced(&state).await.map_err(sync_failure)?;
        Ok(Json(RefreshResult {
            fetched: report.fetched,
            created: report.created,
            updated: report.updated,
            removed_marked: report.removed_marked,
            deleted: report.deleted,
            skipped: report.skipped,
            synced_at: instant(report.synced_at),
        }))
    }
}
