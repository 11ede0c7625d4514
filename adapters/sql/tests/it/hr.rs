//! Employment Hero's credential with its single-flight refresh and the one-time OAuth states
//! (H2.9, H7.8, H7.9). The employee and leave stores run in the shared suite (`suite.rs`).

mod credentials;
mod oauth_states;

use chrono::{DateTime, Utc};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}
