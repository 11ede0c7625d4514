//! app-http integration tests: a real server on 127.0.0.1:0 in demo mode, driven over HTTP.

mod support;
mod webhook;
