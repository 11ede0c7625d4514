//! The Employer API adapter against a fake Employer API (wiremock on a random local port): the
//! requests it sends, what it reads back, and how it fails (upstreams.md U5). No test reaches the
//! network.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken fake

mod classes;
mod faults;
mod requests;
mod secrets;
mod support;
