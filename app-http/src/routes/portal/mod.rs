//! The employee portal's JSON API under `/api/portal` (http-api.md H4), one module per area.

pub mod applications;
pub mod auth;
pub mod chat;
pub mod connections;
pub mod dashboard;
pub mod jobs;
pub mod photo;
pub mod portal_admin;
pub mod profile;
pub mod users;

/// The account side: auth, profile, photos, directory (H4.1, H4.2).
pub type AccountApis = (
    auth::PortalAuthApi,
    profile::PortalProfileApi,
    photo::PortalPhotoApi,
    users::PortalUsersApi,
);

/// Jobs, dashboard, applications and portal admin (H4.3, H4.4, H4.7).
pub type JobApis = (
    jobs::PortalJobsApi,
    dashboard::PortalDashboardApi,
    applications::PortalApplicationsApi,
    portal_admin::PortalAdminApi,
);

/// The social part: connections and chat (H4.5, H4.6).
pub type SocialApis = (connections::ConnectionsApi, chat::ChatApi);

/// The portal's APIs, in `routes::apis()`: a tuple of area tuples (a 1-tuple does not
/// implement `OpenApi`).
pub type PortalApis = (AccountApis, JobApis, SocialApis);

pub fn apis() -> PortalApis {
    (
        (
            auth::PortalAuthApi,
            profile::PortalProfileApi,
            photo::PortalPhotoApi,
            users::PortalUsersApi,
        ),
        (
            jobs::PortalJobsApi,
            dashboard::PortalDashboardApi,
            applications::PortalApplicationsApi,
            portal_admin::PortalAdminApi,
        ),
        (connections::ConnectionsApi, chat::ChatApi),
    )
}
