//! Applications (http-api.md H4.4; portal.md P7): apply, list, get, withdraw. Another user's
//! application is answered exactly like an unknown one (S7.2).

use crate::auth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::routes::portal::jobs::{JobRef, job_ref};
use crate::state::AppState;
use domain::portal::applications::{ApplyPrecheck, cover_letter, resume_link};
use domain::ports::{
    ApplicationStore, ApplicationWithJob, ApplyError, Clock, EmployerApi, WithdrawError,
};
use domain::usecase::portal::applications::{Applications, ApplyFailure, ApplyInput};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use serde_json::json;
use sql_store::SqlStore;

#[derive(Debug)]
pub struct PortalApplicationsApi;

/// `Application` (H4).
#[derive(Debug, Clone, Object)]
pub struct Application {
    pub id: i64,
    pub job: JobRef,
    /// `submitted` or `withdrawn` (P7.6).
    pub status: String,
    /// `pending`, `sent`, `retrying`, `rejected`, `failed` or `cancelled` (P7.7).
    pub remote_status: String,
    pub resume_link: String,
    pub cover_letter: String,
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    pub submitted_at: String,
    pub withdrawn_at: Option<String>,
    pub can_withdraw: bool,
}

/// The apply body (H4.4).
#[derive(Debug, Clone, Object, Deserialize)]
pub struct ApplyRequest {
    /// The local job id.
    pub job_id: i64,
    /// Default: the profile's (P7.3).
    #[serde(default)]
    pub resume_link: Option<String>,
    #[serde(default)]
    pub cover_letter: Option<String>,
}

/// `{code, message}` of an application saved here whose upstream copy did not go through (P7.5).
#[derive(Debug, Clone, Object)]
pub struct ApplyWarningView {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Object)]
pub struct Applied {
    pub application: Application,
    pub warning: Option<ApplyWarningView>,
}

#[derive(Debug, Object)]
pub struct ApplicationList {
    pub applications: Vec<Application>,
}

#[derive(Debug, ApiResponse)]
pub enum ApplyResponse {
    /// Saved, whatever the Employer API did (`warning` says).
    #[oai(status = 201)]
    Created(Json<Applied>, #[oai(header = "Location")] String),
}

pub fn application_view(state: &AppState, a: &ApplicationWithJob) -> Application {
    let app = &a.application;
    Application {
        id: app.id,
        job: job_ref(state, &a.job),
        status: app.status.as_str().to_owned(),
        remote_status: app.remote_status.as_str().to_owned(),
        resume_link: app.resume_link.clone(),
        cover_letter: app.cover_letter.clone(),
        skills: app.skills.clone(),
        certifications: app.certifications.clone(),
        submitted_at: instant(app.submitted_at),
        withdrawn_at: app.withdrawn_at.map(instant),
        can_withdraw: app.status.can_withdraw(),
    }
}

/// The application use case over the server's ports (also the outbox worker's).
pub fn use_case(
    state: &AppState,
) -> Applications<'_, dyn EmployerApi, SqlStore, SqlStore, SqlStore, dyn Clock> {
    Applications {
        employer: state.employer.as_ref(),
        applications: &state.store,
        jobs: &state.store,
        profiles: &state.store,
        clock: state.clock.as_ref(),
        jitter: &crate::workers::jitter,
    }
}

/// P7.1 step 1: every failing field at once.
fn validate(user_id: i64, body: ApplyRequest) -> ApiResult<ApplyInput> {
    let link = resume_link(body.resume_link.as_deref()).map_err(|c| c.as_str());
    let letter = cover_letter(body.cover_letter.as_deref());
    match (link, letter) {
        (Ok(resume_link), Ok(cover_letter)) => Ok(ApplyInput {
            user_id,
            job_id: body.job_id,
            resume_link,
            cover_letter,
        }),
        (link, letter) => Err(ApiError::fields(
            [
                link.err().map(|c| ("resume_link".to_owned(), c.to_owned())),
                letter
                    .err()
                    .map(|c| ("cover_letter".to_owned(), c.to_owned())),
            ]
            .into_iter()
            .flatten(),
        )),
    }
}

fn application_not_found() -> ApiError {
    ApiError::not_found("application_not_found", "The application")
}

fn apply_failure(failure: ApplyFailure) -> ApiError {
    match failure {
        ApplyFailure::Precheck(ApplyPrecheck::JobNotFound)
        | ApplyFailure::Refused(ApplyError::JobNotFound) => {
            ApiError::not_found("job_not_found", "The job")
        }
        ApplyFailure::Precheck(ApplyPrecheck::ProfileIncomplete(c)) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "profile_incomplete",
            "Complete your profile before applying.",
        )
        .with_details(
            json!({ "missing": c.missing.iter().map(|m| m.as_str()).collect::<Vec<_>>() }),
        ),
        ApplyFailure::Refused(ApplyError::AlreadyApplied { application_id }) => ApiError::new(
            StatusCode::CONFLICT,
            "already_applied",
            "You have already applied for this job.",
        )
        .with_details(json!({ "application_id": application_id })),
        ApplyFailure::Refused(ApplyError::JobUnavailable) => ApiError::new(
            StatusCode::CONFLICT,
            "job_unavailable",
            "This job is no longer available.",
        ),
        ApplyFailure::Refused(ApplyError::Store(e)) => e.into(),
    }
}

#[OpenApi]
impl PortalApplicationsApi {
    /// Applies for a job (P7.1–P7.5): 201 once saved here, with a warning when the employer
    /// system did not take it yet.
    #[oai(
        path = "/api/portal/applications",
        method = "post",
        tag = "ApiTags::PortalApplications"
    )]
    async fn apply(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<ApplyRequest>,
    ) -> ApiResult<ApplyResponse> {
        let session = auth::require_session(&state, request).await?;
        let input = validate(session.user_id, body.0)?;
        let applied = use_case(&state).apply(input).await.map_err(apply_failure)?;
        let view = application_view(&state, &applied.application);
        tracing::info!(application = view.id, remote_status = %view.remote_status, "application saved");
        let location = format!("/api/portal/applications/{}", view.id);
        Ok(ApplyResponse::Created(
            Json(Applied {
                application: view,
                warning: applied.warning.map(|w| ApplyWarningView {
                    code: w.code.to_owned(),
                    message: w.message,
                }),
            }),
            location,
        ))
    }

    /// The caller's applications, newest first (P7.10). Never calls the Employer API.
    #[oai(
        path = "/api/portal/applications",
        method = "get",
        tag = "ApiTags::PortalApplications"
    )]
    async fn list_applications(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<ApplicationList>> {
        let session = auth::require_session(&state, request).await?;
        let rows = state.store.list_user_applications(session.user_id).await?;
        Ok(Json(ApplicationList {
            applications: rows.iter().map(|a| application_view(&state, a)).collect(),
        }))
    }

    /// One of the caller's applications (404 for anyone else's, S7.2).
    #[oai(
        path = "/api/portal/applications/:id",
        method = "get",
        tag = "ApiTags::PortalApplications"
    )]
    async fn get_application(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<Json<Application>> {
        let session = auth::require_session(&state, request).await?;
        match state
            .store
            .get_user_application(session.user_id, id.0)
            .await?
        {
            Some(a) => Ok(Json(application_view(&state, &a))),
            None => Err(application_not_found()),
        }
    }

    /// Withdraws a submitted application (P7.9); a pending or retrying send is cancelled.
    #[oai(
        path = "/api/portal/applications/:id/withdraw",
        method = "post",
        tag = "ApiTags::PortalApplications"
    )]
    async fn withdraw_application(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<Json<Application>> {
        let session = auth::require_session(&state, request).await?;
        let now = state.clock.now();
        match state
            .store
            .withdraw_application(session.user_id, id.0, now)
            .await
        {
            Ok(a) => Ok(Json(application_view(&state, &a))),
            Err(WithdrawError::NotFound) => Err(application_not_found()),
            Err(WithdrawError::InvalidStatus { status }) => Err(ApiError::new(
                StatusCode::CONFLICT,
                "invalid_status_transition",
                "Only a submitted application can be withdrawn.",
            )
            .with_details(json!({ "status": status.as_str() }))),
            Err(WithdrawError::Store(e)) => Err(e.into()),
        }
    }
}
