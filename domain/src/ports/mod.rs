//! The ports: one trait per outside system or store the use cases need. Adapters implement them;
//! with the `mocks` feature (or in this crate's tests) each has a `mockall` mock, `Mock<Trait>`.
//! Every trait is also implemented for `Arc<T>`, so one adapter can serve several use cases.

mod accounts;
mod clock;
mod contacts;
mod crm;
mod employer;
mod error;
mod files;
mod hr;
mod hr_directory;
mod hr_store;
mod pipeline;
mod portal;
mod stores;

// Area modules export their ports, records and (under `mocks`) their mocks by glob.
#[allow(unused_imports)]
pub use accounts::*;
#[allow(unused_imports)]
pub use employer::*;
#[allow(unused_imports)]
pub use files::*;
#[allow(unused_imports)]
pub use hr_directory::*;
#[allow(unused_imports)]
pub use hr_store::*;
#[allow(unused_imports)]
pub use pipeline::*;
#[allow(unused_imports)]
pub use portal::*;

pub use clock::{Clock, Sleeper};
pub use contacts::{ContactNames, Contacts, DealContactLink};
pub use crm::{Crm, DealsByAdviser, MeetingsByOwner};
pub use error::{REJECTED_MESSAGE_MAX_CHARS, StoreError, UpstreamError};
pub use hr::{LeaveByAdviser, LeaveSource};
pub use stores::{ClosureStore, OverrideStore, OverrideWriteError, StoredClosure, StoredOverride};

#[cfg(any(test, feature = "mocks"))]
pub use clock::{MockClock, MockSleeper};
#[cfg(any(test, feature = "mocks"))]
pub use contacts::MockContacts;
#[cfg(any(test, feature = "mocks"))]
pub use crm::MockCrm;
#[cfg(any(test, feature = "mocks"))]
pub use hr::MockLeaveSource;
#[cfg(any(test, feature = "mocks"))]
pub use stores::{MockClosureStore, MockOverrideStore};
