//! Integration tests through a bound socket.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on broken fixtures

mod admin_login;
mod support;
