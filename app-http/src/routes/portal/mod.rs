//! The employee portal's JSON API under `/api/portal` (http-api.md H4), one module per area.

/// The portal's APIs, in `routes::apis()`.
pub type PortalApis = ();

pub fn apis() -> PortalApis {}
