//! Integration tests of the HTTP server through a bound socket.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod reads;
mod support_reads;
