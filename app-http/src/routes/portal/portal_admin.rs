//! The portal admin API (http-api.md H4.7; portal.md P10): every user's applications, the
//! summary, the resend. 401 without a session, 403 `forbidden` for employees (P10.1).

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::routes::portal::applications::{Application, application_view};
use crate::routes::portal::jobs::limit_param;
use crate::state::AppState;
use domain::ports::{
    AdminApplication as Row, AdminApplicationQuery, ApplicationAdminStore, ApplicationStatus,
    ApplicationWithJob, RemoteStatus, ResendError,
};
use domain::usecase::portal::portal_admin::summary;
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde_json::json;

#[derive(Debug)]
pub struct PortalAdminApi;

/// Who applied (the only place another user's email is shown).
#[derive(Debug, Object)]
pub struct ApplicantView {
    pub id: i64,
    pub username: String,
    pub email: String,
}

/// `AdminApplication` (H4.7).
#[derive(Debug, Object)]
pub struct AdminApplication {
    #[oai(flatten)]
    pub application: Application,
    pub applicant: ApplicantView,
    pub remote_application_id: Option<String>,
    pub remote_last_error: Option<String>,
    pub remote_attempts: u32,
}

#[derive(Debug, Object)]
pub struct AdminApplicationList {
    pub applications: Vec<AdminApplication>,
    /// The `before` of the next page; null on the last.
    pub next_before: Option<i64>,
}

#[derive(Debug, Object)]
pub struct CountsByRole {
    pub employee: u64,
    pub admin: u64,
}

#[derive(Debug, Object)]
pub struct JobCounts {
    pub active: u64,
    pub archived: u64,
    pub removed: u64,
}

#[derive(Debug, Object)]
pub struct ApplicationCountsView {
    pub submitted: u64,
    pub withdrawn: u64,
    /// By `remote_status`.
    pub remote: RemoteCounts,
}

#[derive(Debug, Object)]
pub struct RemoteCounts {
    pub pending: u64,
    pub sent: u64,
    pub retrying: u64,
    pub rejected: u64,
    pub failed: u64,
    pub cancelled: u64,
}

/// The job sync state (P1.4).
#[derive(Debug, Object)]
pub struct JobSyncView {
    pub last_success_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_at: Option<String>,
    pub last_fetched_count: Option<u32>,
}

/// P10.3.
#[derive(Debug, Object)]
pub struct AdminSummaryView {
    pub users: CountsByRole,
    pub jobs: JobCounts,
    pub applications: ApplicationCountsView,
    pub connections: u64,
    pub messages_last_24h: u64,
    pub job_sync: JobSyncView,
}

#[derive(Debug, ApiResponse)]
pub enum Resent {
    /// Queued for the outbox worker.
    #[oai(status = 202)]
    Accepted(Json<AdminApplication>),
}

async fn require_admin(state: &AppState, request: &Request) -> ApiResult<()> {
    if auth::require_session(state, request).await?.is_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

fn admin_view(state: &AppState, row: Row) -> AdminApplication {
    let remote_application_id = row.application.remote_application_id.clone();
    let remote_last_error = row.application.remote_last_error.clone();
    let remote_attempts = row.application.remote_attempts;
    let applicant = ApplicantView {
        id: row.applicant.id,
        username: row.applicant.username,
        email: row.applicant.email,
    };
    let with_job = ApplicationWithJob {
        application: row.application,
        job: row.job,
    };
    AdminApplication {
        application: application_view(state, &with_job),
        applicant,
        remote_application_id,
        remote_last_error,
        remote_attempts,
    }
}

fn parse_or_invalid<T>(
    field: &str,
    value: Option<String>,
    parse: fn(&str) -> Option<T>,
) -> ApiResult<Option<T>> {
    value
        .map(|v| parse(&v).ok_or_else(|| ApiError::field(field, "invalid_value")))
        .transpose()
}

#[OpenApi]
impl PortalAdminApi {
    /// Every user's applications, newest first, with a `before` cursor (P10.2).
    #[oai(
        path = "/api/portal/admin/applications",
        method = "get",
        tag = "ApiTags::PortalAdmin"
    )]
    async fn admin_applications(
        &self,
        state: Data<&AppState>,
        request: &Request,
        status: Query<Option<String>>,
        remote_status: Query<Option<String>>,
        before: Query<Option<i64>>,
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<AdminApplicationList>> {
        require_admin(&state, request).await?;
        let limit = limit_param(limit.0, 200, 50)?;
        if before.0.is_some_and(|b| b < 1) {
            return Err(ApiError::field("before", "invalid_value"));
        }
        let query = AdminApplicationQuery {
            status: parse_or_invalid("status", status.0, ApplicationStatus::parse)?,
            remote_status: parse_or_invalid("remote_status", remote_status.0, RemoteStatus::parse)?,
            before: before.0,
            limit: u32::try_from(limit).unwrap_or(50),
        };
        let page = state.store.admin_list_applications(query).await?;
        Ok(Json(AdminApplicationList {
            applications: page
                .applications
                .into_iter()
                .map(|row| admin_view(&state, row))
                .collect(),
            next_before: page.next_before,
        }))
    }

    /// Counts for the admin dashboard (P10.3).
    #[oai(
        path = "/api/portal/admin/summary",
        method = "get",
        tag = "ApiTags::PortalAdmin"
    )]
    async fn admin_summary(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<AdminSummaryView>> {
        require_admin(&state, request).await?;
        let s = summary(
            &state.store,
            &state.store,
            &state.job_policy,
            state.clock.now(),
        )
        .await?;
        let (p, a, sync) = (&s.portal, &s.portal.applications, &s.portal.job_sync);
        Ok(Json(AdminSummaryView {
            users: CountsByRole {
                employee: s.users.employees,
                admin: s.users.admins,
            },
            jobs: JobCounts {
                active: p.jobs.active,
                archived: p.jobs.archived,
                removed: p.jobs.removed,
            },
            applications: ApplicationCountsView {
                submitted: a.submitted,
                withdrawn: a.withdrawn,
                remote: RemoteCounts {
                    pending: a.remote_pending,
                    sent: a.remote_sent,
                    retrying: a.remote_retrying,
                    rejected: a.remote_rejected,
                    failed: a.remote_failed,
                    cancelled: a.remote_cancelled,
                },
            },
            connections: p.connections,
            messages_last_24h: p.recent_messages,
            job_sync: JobSyncView {
                last_success_at: sync.last_success_at.map(instant),
                last_attempt_at: sync.last_attempt_at.map(instant),
                last_error_code: sync.last_error_code.clone(),
                last_error_at: sync.last_error_at.map(instant),
                last_fetched_count: sync.last_fetched_count,
            },
        }))
    }

    /// Sends a `failed` or `rejected` application again through the outbox (P10.4).
    #[oai(
        path = "/api/portal/admin/applications/:id/resend",
        method = "post",
        tag = "ApiTags::PortalAdmin"
    )]
    async fn resend_application(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<Resent> {
        require_admin(&state, request).await?;
        match state
            .store
            .resend_application(id.0, state.clock.now())
            .await
        {
            Ok(row) => {
                tracing::info!(application = id.0, "application queued for resend");
                Ok(Resent::Accepted(Json(admin_view(&state, row))))
            }
            Err(ResendError::NotFound) => Err(ApiError::not_found(
                "application_not_found",
                "The application",
            )),
            Err(ResendError::InvalidStatus {
                status,
                remote_status,
            }) => Err(ApiError::new(
                StatusCode::CONFLICT,
                "invalid_status_transition",
                "Only a submitted application whose send failed or was rejected can be resent.",
            )
            .with_details(
                json!({ "status": status.as_str(), "remote_status": remote_status.as_str() }),
            )),
            Err(ResendError::Store(e)) => Err(e.into()),
        }
    }
}
