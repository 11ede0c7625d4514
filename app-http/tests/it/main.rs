//! Integration tests of the HTTP server through a bound socket.

mod reads;
mod support_reads;
