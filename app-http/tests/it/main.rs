//! app-http integration tests: a real server on 127.0.0.1:0 in demo mode, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod admin_login;
mod crud;
mod openapi;
mod portal_chat;
mod portal_client;
mod portal_connections;
mod portal_ws;
mod portal_ws_multi;
mod reads;
mod support;
mod webhook;
