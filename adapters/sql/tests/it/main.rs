//! The storage suite: every repository port, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on a broken store

mod harness;

mod accounts;
mod durability;
mod hr;
mod pipeline;
mod portal;
mod suite;
