//! The Employer API (upstreams.md U5): the portal's job listing, application POST and application
//! lookup, behind the domain's [`domain::ports::EmployerApi`] port.
//!
//! Every call goes through the shared client policy of `upstream-http` (U0) with the U5.4
//! settings: [`EmployerApiClient`] is built from an [`EmployerApiConfig`] whose key never prints.
//! [`parse_jobs_body`] is public so the in-process fixture (U5.8) reads its file exactly as the
//! client reads the live API.

mod client;
mod config;
mod wire;

pub use client::EmployerApiClient;
pub use config::{
    CALL_DEADLINE_MARGIN, DEFAULT_TIMEOUT, EmployerApiConfig, EmployerConfigError, EmployerMode,
};
pub use wire::{parse_jobs_body, parse_timestamp};
