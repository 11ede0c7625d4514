//! The Firestore adapter against a fake Firestore (wiremock on a random local port, U6.5): the
//! requests it sends, each store's behaviour, the value encoding, tokens, and how it fails. No
//! test reaches the network.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken fake

mod auth;
mod closures;
mod employees;
mod encoding;
mod fake;
mod fake_ops;
mod faults;
mod leave;
mod overrides;
mod requests;
mod suite;
mod support;
