//! The employee portal's use cases (portal.md P3–P10), generic over the ports: one module per
//! area. The pure rules they apply are in `crate::portal`.

pub mod accounts;
pub mod applications;
pub mod chat;
pub mod connections;
pub mod jobs;
pub mod limits;
pub mod portal_admin;
pub mod profile;
