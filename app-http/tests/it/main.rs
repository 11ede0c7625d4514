//! app-http integration tests: a real server on 127.0.0.1:0 in demo mode, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod admin_login;
mod admin_writes;
mod crud;
/// The HubSpot adapter's wiremock fake (U6.2), reused for the live-mode suites.
#[allow(dead_code)]
#[path = "../../../adapters/hubspot/tests/it/fake.rs"]
mod hubspot_fake;
mod openapi;
mod owner_write_recovery;
mod portal_client;
mod reads;
mod support;
mod typed_reads;
mod webhook;
