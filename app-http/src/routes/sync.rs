//! `/sync/employees` and `/sync/leave_requests`, GET and POST (http-api.md H2.3): an API key (the
//! cron) or an admin session with CSRF runs the domain's HR sync. One sync of each kind at a time
//! across processes (a worker lease, S9.5): a second one gets 409 `sync_in_progress`.

use crate::auth::{self, Need};
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::state::AppState;
use chrono::{SecondsFormat, TimeDelta};
use domain::ports::{HrError, WorkerLeases};
use domain::usecase::sync_hr::{SyncError, SyncHr};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::json;
use std::time::{Duration, Instant};

/// H2.3.4: a sync that takes longer is abandoned (nothing written).
const DEADLINE: Duration = Duration::from_secs(300);
/// The lease outlives the deadline, so a crashed process frees it soon after.
const LEASE_TTL: TimeDelta = TimeDelta::seconds(330);

#[derive(Debug)]
pub struct SyncApi;

/// H2.3.2.
#[derive(Debug, Object)]
pub struct EmployeeSyncResponse {
    pub synced: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub pages: u32,
    pub duration_ms: u64,
    pub finished_at: String,
}

/// H2.3.3.
#[derive(Debug, Object)]
pub struct LeaveSyncResponse {
    pub synced: u64,
    pub deleted: u64,
    pub skipped_unknown_employee: u64,
    pub skipped_invalid: u64,
    pub pages: u32,
    /// Monday of the current firm-local week − 7 days.
    pub window_start: String,
    pub duration_ms: u64,
    pub finished_at: String,
}

#[derive(Debug, ApiResponse)]
pub enum EmployeeSyncOk {
    #[oai(status = 200)]
    Ok(Json<EmployeeSyncResponse>),
}

#[derive(Debug, ApiResponse)]
pub enum LeaveSyncOk {
    #[oai(status = 200)]
    Ok(Json<LeaveSyncResponse>),
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Employees,
    Leave,
}

#[OpenApi]
impl SyncApi {
    /// Sync employees from Employment Hero (API key; cron).
    #[oai(path = "/sync/employees", method = "get", tag = "ApiTags::Employees")]
    async fn employees_get(
        &self,
        state: Data<&AppState>,
        req: &Request,
    ) -> ApiResult<EmployeeSyncOk> {
        employees(&state, req).await
    }

    /// Sync employees from Employment Hero (API key, or admin session with CSRF).
    #[oai(path = "/sync/employees", method = "post", tag = "ApiTags::Employees")]
    async fn employees_post(
        &self,
        state: Data<&AppState>,
        req: &Request,
    ) -> ApiResult<EmployeeSyncOk> {
        employees(&state, req).await
    }

    /// Sync approved leave from Employment Hero (API key; cron).
    #[oai(
        path = "/sync/leave_requests",
        method = "get",
        tag = "ApiTags::Employees"
    )]
    async fn leave_get(&self, state: Data<&AppState>, req: &Request) -> ApiResult<LeaveSyncOk> {
        leave(&state, req).await
    }

    /// Sync approved leave from Employment Hero (API key, or admin session with CSRF).
    #[oai(
        path = "/sync/leave_requests",
        method = "post",
        tag = "ApiTags::Employees"
    )]
    async fn leave_post(&self, state: Data<&AppState>, req: &Request) -> ApiResult<LeaveSyncOk> {
        leave(&state, req).await
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

async fn employees(state: &AppState, req: &Request) -> ApiResult<EmployeeSyncOk> {
    let started = Instant::now();
    let report = exclusive(state, req, Kind::Employees, |sync| async move {
        sync.employees(&|_| {}).await
    })
    .await?;
    let s = report.summary;
    Ok(EmployeeSyncOk::Ok(Json(EmployeeSyncResponse {
        synced: count(s.synced()),
        created: count(s.inserted),
        updated: count(s.updated),
        deleted: count(s.deleted),
        pages: report.pages,
        duration_ms: millis(started),
        finished_at: instant(report.finished_at),
    })))
}

async fn leave(state: &AppState, req: &Request) -> ApiResult<LeaveSyncOk> {
    let started = Instant::now();
    let report = exclusive(state, req, Kind::Leave, |sync| async move {
        sync.leave(&|_| {}).await
    })
    .await?;
    let s = report.summary;
    Ok(LeaveSyncOk::Ok(Json(LeaveSyncResponse {
        synced: count(s.synced()),
        deleted: count(s.deleted),
        skipped_unknown_employee: count(s.skipped_unknown_employee),
        skipped_invalid: count(report.skipped_invalid),
        pages: report.pages,
        window_start: report.window_start.to_string(),
        duration_ms: millis(started),
        finished_at: instant(report.finished_at),
    })))
}

type Sync = SyncHr<
    std::sync::Arc<dyn domain::ports::HrDirectory>,
    sql_store::SqlStore,
    crate::state::DynClock,
>;

/// H2.3.1 auth, H2.3.4 configuration, the per-kind lease and the deadline around `run`.
async fn exclusive<T, F, Fut>(
    state: &AppState,
    req: &Request,
    kind: Kind,
    run: F,
) -> Result<T, ApiError>
where
    F: FnOnce(Sync) -> Fut,
    Fut: Future<Output = Result<T, SyncError>>,
{
    auth::require(state, req, Need::ApiKeyOrAdminWrite).await?;
    let directory = state.hr.directory.as_ref().map_err(|reason| {
        tracing::warn!(%reason, "sync refused: Employment Hero is not configured");
        ApiError::not_configured("Employment Hero")
            .with_details(json!({"upstream": "employment_hero"}))
    })?;
    let name = match kind {
        Kind::Employees => "sync_employees",
        Kind::Leave => "sync_leave_requests",
    };
    let holder = uuid::Uuid::new_v4().to_string();
    let acquired = state
        .store
        .try_acquire(name, &holder, state.clock.now(), LEASE_TTL)
        .await
        .map_err(|_| ApiError::database_unavailable())?;
    if !acquired {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "sync_in_progress",
            "A sync of this kind is already running.",
        ));
    }
    let sync = SyncHr::new(
        directory.clone(),
        state.store.clone(),
        state.clock.clone(),
        state.firm.timezone(),
    );
    let result = tokio::time::timeout(DEADLINE, run(sync)).await;
    if let Err(e) = state.store.release(name, &holder).await {
        tracing::warn!(error = %e, lease = name, "sync lease not released; it expires on its own");
    }
    match result {
        Ok(Ok(report)) => {
            tracing::info!(sync = name, "sync done");
            Ok(report)
        }
        Ok(Err(e)) => Err(sync_error(&e)),
        Err(_) => Err(retry_later(ApiError::upstream_unavailable(
            "employment_hero",
        ))),
    }
}

fn retry_later(e: ApiError) -> ApiError {
    e.retry_after(300)
}

/// H2.3.4.
fn sync_error(e: &SyncError) -> ApiError {
    tracing::warn!(code = e.code(), error = %e, "sync failed; nothing written");
    let upstream = json!({"upstream": "employment_hero"});
    match e {
        SyncError::Directory(HrError::NotConfigured(_)) => {
            ApiError::not_configured("Employment Hero").with_details(upstream)
        }
        SyncError::Directory(HrError::ReauthRequired) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "reauth_required",
            "The Employment Hero connection must be renewed by an admin at /auth/start.",
        )
        .with_details(upstream),
        SyncError::Directory(HrError::Upstream(_)) => {
            retry_later(ApiError::upstream_unavailable("employment_hero"))
        }
        SyncError::Directory(HrError::Store(_)) | SyncError::Store(_) => {
            ApiError::database_unavailable()
        }
    }
}
