//! The employee portal's stores (portal.md P1.3–P1.8): the job cache and its sync state,
//! applications with their Employer API outbox, connection requests and connections, chat
//! messages, and the counts of the dashboards. One module per store. Users and profiles are the
//! accounts stores; these stores refer to users by id only (plus the username, for ordering), and
//! callers fetch headlines and photos through `UserStore::user_summaries`.

mod admin;
mod applications;
mod chat_hub;
mod connections;
mod jobs;
mod messages;
mod stats;
mod statuses;

pub use admin::*;
pub use applications::*;
pub use chat_hub::*;
pub use connections::*;
pub use jobs::*;
pub use messages::*;
pub use stats::*;
pub use statuses::*;
