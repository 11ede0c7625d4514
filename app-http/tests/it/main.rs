//! app-http integration tests: a real server on 127.0.0.1:0 in demo mode, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod admin_login;
mod admin_writes;
mod crud;
mod openapi;
mod portal_client;
mod reads;
mod support;
mod webhook;
