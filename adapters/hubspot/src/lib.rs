//! HubSpot: the domain's CRM port over HubSpot's REST API (upstreams.md U1.4–U1.10), and the
//! inbound workflow-webhook signatures (U1.12).
//!
//! Every call goes through the shared client policy of `upstream-http` (U0) with HubSpot's
//! budgets (U1.3): [`HubSpotCrm`] is built from a [`HubSpotConfig`] whose token never prints.

mod cache;
mod config;
mod contacts;
mod crm;
mod deals;
mod error_body;
mod http;
mod meetings;
mod priority;
mod search;
mod users;
mod wire;

pub mod signature;

pub use config::{
    DEFAULT_BASE_URL, DEFAULT_DEAL_PIPELINE_ID, DEFAULT_DEAL_STAGE_IDS, HubSpotConfig,
    HubSpotConfigError,
};
pub use crm::HubSpotCrm;
pub use error_body::describe_error_body;
pub use meetings::MEETING_TYPES;
pub use priority::background_priority;
pub use upstream_http::BreakerState;
