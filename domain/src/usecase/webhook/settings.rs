//! The webhook's timing settings (http-api.md H2.1.2, H2.1.3, H2.1.5).

use chrono::TimeDelta;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `ALLOCATION_DEDUPE_DAYS` (S9.2).
    pub dedupe_window: TimeDelta,
    /// An `in_progress` claim older than this belongs to a crashed worker (120 s).
    pub stale_after: TimeDelta,
    /// How often a duplicate polls the claim row (100 ms) ...
    pub poll_every: Duration,
    /// ... and for how long (20 s).
    pub poll_for: Duration,
    /// The computation's deadline (25 s from arrival).
    pub compute_deadline: Duration,
    /// The inline HubSpot write's limit (3 s).
    pub inline_write_for: Duration,
    /// A new decision's write belongs to its inline attempt for this long (30 s): replays and
    /// the outbox leave it alone until then, so a redelivery racing the first delivery never
    /// sends a second PATCH (S14.2). After a crash the outbox takes over when it lapses.
    pub inline_lease: TimeDelta,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            dedupe_window: TimeDelta::days(7),
            stale_after: TimeDelta::seconds(120),
            poll_every: Duration::from_millis(100),
            poll_for: Duration::from_secs(20),
            compute_deadline: Duration::from_secs(25),
            inline_write_for: Duration::from_secs(3),
            inline_lease: TimeDelta::seconds(30),
        }
    }
}
