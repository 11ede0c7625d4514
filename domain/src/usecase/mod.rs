//! Use cases: the application's operations, generic over the ports.

mod activity;
mod allocate_deal;
pub mod availability;
pub mod box_folder;
mod error;
pub mod portal;
pub mod sync_hr;
pub mod webhook;
mod window;

pub use allocate_deal::AllocateDeal;
pub use error::{AllocateError, ReadFailure, SnapshotSource};
