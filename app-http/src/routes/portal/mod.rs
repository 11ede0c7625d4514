//! The employee portal's JSON API under `/api/portal` (http-api.md H4), one module per area.

pub mod applications;
pub mod dashboard;
pub mod jobs;
pub mod portal_admin;

/// Jobs, dashboard, applications and portal admin (H4.3, H4.4, H4.7).
pub type JobApis = (
    jobs::PortalJobsApi,
    dashboard::PortalDashboardApi,
    applications::PortalApplicationsApi,
    portal_admin::PortalAdminApi,
);

/// The portal's APIs, in `routes::apis()` (a tuple of area tuples once other areas join; a
/// 1-tuple does not implement `OpenApi`).
pub type PortalApis = JobApis;

pub fn apis() -> PortalApis {
    (
        jobs::PortalJobsApi,
        dashboard::PortalDashboardApi,
        applications::PortalApplicationsApi,
        portal_admin::PortalAdminApi,
    )
}
