//! The employee portal's pure rules (portal.md P0.9): one module per area. The use cases that
//! apply them over the ports live in `usecase::portal`.

pub mod applications;
pub mod chat;
pub mod connections;
pub mod fields;
pub mod jobs;
pub mod matching;
pub mod password;
pub mod profile;
pub mod profile_input;
