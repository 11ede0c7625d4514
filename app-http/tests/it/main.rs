//! app-http integration tests: a real server on 127.0.0.1:0 in demo mode, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod admin_login;
mod admin_pages;
mod box_folder;
mod browser;
mod crud;
mod eh_oauth;
mod openapi;
mod portal_accounts;
mod portal_client;
mod portal_directory;
mod portal_profile;
mod reads;
mod service_pages;
mod support;
mod sync_routes;
mod webhook;
