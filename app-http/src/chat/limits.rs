//! The per-process limits of the portal's social features: 30 connection requests per hour
//! (P8.3), 60 messages per rolling minute per user across HTTP and WebSocket (P9.12), and one
//! forwarded typing `start` per (sender, target) per second (P9.9). The arithmetic is the
//! domain's; this keeps the state.

use chrono::{DateTime, TimeDelta, Utc};
use domain::portal::chat::{RollingWindow, typing_start_allowed};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Entries kept before idle ones are forgotten.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
struct Windows<K> {
    limit: usize,
    window: TimeDelta,
    by_key: Mutex<HashMap<K, RollingWindow>>,
}

impl<K: Eq + Hash> Windows<K> {
    fn new(limit: usize, window: TimeDelta) -> Self {
        Windows {
            limit,
            window,
            by_key: Mutex::new(HashMap::new()),
        }
    }

    fn try_acquire(&self, key: K, now: DateTime<Utc>) -> Result<(), u64> {
        let mut map = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, w| !w.is_idle(now));
        }
        map.entry(key)
            .or_insert_with(|| RollingWindow::new(self.limit, self.window))
            .try_acquire(now)
    }
}

#[derive(Debug)]
pub struct ChatLimits {
    requests: Windows<i64>,
    messages: Windows<i64>,
    typing: Mutex<HashMap<(i64, i64), DateTime<Utc>>>,
}

impl Default for ChatLimits {
    fn default() -> Self {
        ChatLimits {
            requests: Windows::new(30, TimeDelta::hours(1)),
            messages: Windows::new(60, TimeDelta::minutes(1)),
            typing: Mutex::new(HashMap::new()),
        }
    }
}

impl ChatLimits {
    /// P8.3: `Err(retry_after_seconds)` past 30 requests in the last hour.
    pub fn connection_request(&self, user_id: i64, now: DateTime<Utc>) -> Result<(), u64> {
        self.requests.try_acquire(user_id, now)
    }

    /// P9.12: `Err(retry_after_seconds)` past 60 messages in the last minute.
    pub fn message(&self, user_id: i64, now: DateTime<Utc>) -> Result<(), u64> {
        self.messages.try_acquire(user_id, now)
    }

    /// P9.9: whether this `start` is forwarded (and is then the pair's latest).
    pub fn typing_start(&self, from: i64, to: i64, now: DateTime<Utc>) -> bool {
        let mut map = self.typing.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, t| now - *t < TimeDelta::seconds(1));
        }
        let allowed = typing_start_allowed(map.get(&(from, to)).copied(), now);
        if allowed {
            map.insert((from, to), now);
        }
        allowed
    }
}
