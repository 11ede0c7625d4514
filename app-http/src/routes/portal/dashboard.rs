//! The employee dashboard (http-api.md H4.3 `Dashboard`; portal.md P6.11).

use crate::auth;
use crate::error::ApiResult;
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::routes::portal::jobs::{JobListItem, fresh_cache, list_item, reader};
use crate::routes::portal::profile::CompletenessView;
use crate::state::AppState;
use domain::portal::jobs::sync_error;
use domain::usecase::portal::jobs::dashboard;
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

#[derive(Debug)]
pub struct PortalDashboardApi;

/// Active jobs of one role slug (P6.11).
#[derive(Debug, Object)]
pub struct CategoryView {
    pub slug: String,
    pub label: String,
    pub count: u32,
}

/// The caller's activity counts (P6.11).
#[derive(Debug, Object)]
pub struct DashboardCounts {
    pub applications_submitted: u64,
    pub applications_withdrawn: u64,
    pub connections: u64,
    pub incoming_requests: u64,
    pub unread_messages: u64,
}

/// `Dashboard` (H4.3).
#[derive(Debug, Object)]
pub struct Dashboard {
    pub profile: CompletenessView,
    pub top_matches: Vec<JobListItem>,
    pub categories: Vec<CategoryView>,
    pub counts: DashboardCounts,
    pub jobs_stale: bool,
    pub jobs_last_synced_at: Option<String>,
}

#[OpenApi]
impl PortalDashboardApi {
    /// The 6 best active matches, active jobs by role, profile completeness and counts (P6.11).
    #[oai(
        path = "/api/portal/dashboard",
        method = "get",
        tag = "ApiTags::PortalJobs"
    )]
    async fn dashboard(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<Dashboard>> {
        let session = auth::require_session(&state, request).await?;
        let sync = fresh_cache(&state).await?;
        let d = dashboard(&reader(&state), &state.store, session.user_id).await?;
        Ok(Json(Dashboard {
            profile: CompletenessView::from(&d.profile),
            top_matches: d.top_matches.iter().map(list_item).collect(),
            categories: d
                .categories
                .into_iter()
                .map(|c| CategoryView {
                    slug: c.slug,
                    label: c.label,
                    count: c.count,
                })
                .collect(),
            counts: DashboardCounts {
                applications_submitted: d.counts.applications_submitted,
                applications_withdrawn: d.counts.applications_withdrawn,
                connections: d.counts.connections,
                incoming_requests: d.counts.incoming_requests,
                unread_messages: d.counts.unread_messages,
            },
            jobs_stale: sync_error(&sync).is_some(),
            jobs_last_synced_at: sync.last_success_at.map(instant),
        }))
    }
}
