//! The local copy of Employment Hero (http-api.md H2.3, H2.4, H2.9, H7.1, H7.2, H7.8, H7.9):
//! synced employees and leave, the EH OAuth credential with its refresh marker (upstreams.md
//! U2.4) and the one-time OAuth states of the connect flow.

mod credentials;
mod employees;
mod oauth_states;

pub use credentials::*;
pub use employees::*;
pub use oauth_states::*;
