//! The employee portal's use cases (portal.md P3–P10), generic over the ports: one module per
//! area. The pure rules they apply are in `crate::portal`.

pub mod chat;
pub mod connections;
