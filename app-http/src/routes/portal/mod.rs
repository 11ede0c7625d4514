//! The employee portal's JSON API under `/api/portal` (http-api.md H4), one module per area.

pub mod chat;
pub mod connections;

/// The social part: connections and chat (H4.5, H4.6).
pub type SocialApis = (connections::ConnectionsApi, chat::ChatApi);

/// The portal's APIs, in `routes::apis()` (a tuple of per-area tuples once there are several).
pub type PortalApis = SocialApis;

pub fn apis() -> PortalApis {
    (connections::ConnectionsApi, chat::ChatApi)
}
