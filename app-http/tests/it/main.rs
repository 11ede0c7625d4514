//! Integration tests through a bound socket.

mod admin_login;
mod support;
