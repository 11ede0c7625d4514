//! The employee portal's JSON API under `/api/portal` (http-api.md H4), one module per area.

pub mod auth;
pub mod photo;
pub mod profile;
pub mod users;

/// The account side: auth, profile, photos, directory.
pub type AccountApis = (
    auth::PortalAuthApi,
    profile::PortalProfileApi,
    photo::PortalPhotoApi,
    users::PortalUsersApi,
);

/// The portal's APIs, in `routes::apis()` (nest further areas as tuples beside
/// `AccountApis`).
pub type PortalApis = AccountApis;

pub fn apis() -> PortalApis {
    (
        auth::PortalAuthApi,
        profile::PortalProfileApi,
        photo::PortalPhotoApi,
        users::PortalUsersApi,
    )
}
