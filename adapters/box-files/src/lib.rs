//! Box: the domain's folder port over Box's REST API (upstreams.md U3): JWT server
//! authentication with an encrypted key (U3.1–U3.3), acting as a user (U3.4), folder paths and
//! the template copy (U3.5), and folder metadata (U3.6).
//!
//! Every call goes through the shared client policy of `upstream-http` (U0) with Box's budget
//! (U3.7): [`BoxFiles`] is built from a [`BoxConfig`] whose secrets never print.

mod client;
mod config;
mod credentials;
mod error_body;
mod folders;
mod http;
mod jwt;
mod metadata;
mod token;

pub use client::BoxFiles;
pub use config::{
    BoxConfig, BoxConfigError, DEFAULT_API_BASE_URL, DEFAULT_TOKEN_URL, DEFAULT_WEB_BASE_URL,
    TOKEN_AUDIENCE, parse_field_map,
};
pub use credentials::{BoxJwtCredentials, CredentialsError};
pub use error_body::describe;
