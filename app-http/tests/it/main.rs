//! app-http integration tests: a real server on 127.0.0.1:0 in demo mode, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod admin_login;
mod admin_pages;
mod admin_writes;
mod box_folder;
mod browser;
mod crud;
mod eh_oauth;
mod employer_fake;
#[allow(dead_code)]
#[path = "../../../adapters/hubspot/tests/it/fake.rs"]
mod hubspot_fake;
mod openapi;
mod owner_write_recovery;
mod portal_accounts;
mod portal_applications;
mod portal_chat;
mod portal_client;
mod portal_connections;
mod portal_directory;
mod portal_job_refusals;
mod portal_jobs;
mod portal_profile;
mod portal_ws;
mod portal_ws_multi;
mod reads;
mod service_pages;
mod support;
mod sync_routes;
mod typed_reads;
mod webhook;
