//! Allot's domain: the adviser allocation engine, its rules, and the ports (traits) the use cases
//! need. No I/O, no clock, no randomness: time comes in as an argument or through a port.

pub mod admin_input;
pub mod allocation;
pub mod jitter;
pub mod portal;
pub mod ports;
pub mod usecase;
