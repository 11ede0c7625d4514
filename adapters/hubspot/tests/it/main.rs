//! The HubSpot adapter against a fake HubSpot (wiremock on a random local port): the requests it
//! sends, what it reads back, and how it fails. No test reaches the network.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken fake

mod acceptance;
mod budgets;
mod contacts;
mod deals;
mod fake;
mod faults;
mod meetings;
mod owner_write;
mod secrets;
mod support;
mod users;
