//! The Employment Hero adapter against a fake EH (wiremock on a random local port, U6.3): the
//! requests it sends, what it reads back, the token life cycle and how it fails. No test reaches
//! the network.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken fake

mod connect;
mod fake;
mod faults;
mod paging;
mod secrets;
mod store;
mod support;
mod tokens;
