//! The Box adapter against a fake Box (wiremock on a random local port): the requests it sends,
//! what it reads back, and how it fails. No test reaches the network.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken fake

mod copy;
mod faults;
mod folders;
mod metadata;
mod secrets;
mod support;
mod token;
