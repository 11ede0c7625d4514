//! The allocation pipeline's stores (http-api.md H2.1, H2.2, H3.1, H7.5–H7.7; security.md S9):
//! the per-deal claim, the recorded decisions with their HubSpot write outbox, the webhook
//! receipts, the Box folder claims and the worker leases.

mod box_folders;
mod claims;
mod decisions;
mod leases;
mod outbox;
mod receipts;

pub use box_folders::*;
pub use claims::*;
pub use decisions::*;
pub use leases::*;
pub use outbox::*;
pub use receipts::*;
