//! The chat rules of portal.md P9 as pure functions: the body rule (P9.3), `client_msg_id`
//! (P2.17), history cursors (P9.7) and the rate-limit arithmetic (P9.12, P8.3). Time is always an
//! argument.

use crate::ports::HistoryCursor;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::VecDeque;

/// P9.3: the longest body, in characters.
pub const BODY_MAX_CHARS: usize = 2000;
/// P2.17: the longest `client_msg_id`.
pub const CLIENT_MSG_ID_MAX: usize = 64;
/// P9.8: characters of `body_preview`.
pub const PREVIEW_CHARS: usize = 100;
/// P9.7: the default and largest page.
pub const HISTORY_DEFAULT_LIMIT: u32 = 50;
pub const HISTORY_MAX_LIMIT: u32 = 100;

/// P9.3: the field code when the body is refused (stored exactly as given otherwise).
pub fn check_body(body: &str) -> Result<(), &'static str> {
    if body.trim().is_empty() {
        Err("required")
    } else if body.chars().count() > BODY_MAX_CHARS {
        Err("too_long")
    } else if body.contains('\0') {
        Err("invalid_characters")
    } else {
        Ok(())
    }
}

/// P2.17: 1..64 characters of `[A-Za-z0-9_-]`.
pub fn check_client_msg_id(id: &str) -> Result<(), &'static str> {
    let ok = !id.is_empty()
        && id.len() <= CLIENT_MSG_ID_MAX
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok { Ok(()) } else { Err("invalid_format") }
}

/// P9.8: the first 100 characters.
pub fn body_preview(body: &str) -> String {
    body.chars().take(PREVIEW_CHARS).collect()
}

/// P9.7 with P2.16: `(field, code)` of the first bad parameter.
pub fn history_query(
    before: Option<i64>,
    after: Option<i64>,
    limit: Option<i64>,
) -> Result<(HistoryCursor, u32), (&'static str, &'static str)> {
    let limit = match limit {
        None => HISTORY_DEFAULT_LIMIT,
        Some(n) if (1..=i64::from(HISTORY_MAX_LIMIT)).contains(&n) => n as u32,
        Some(_) => return Err(("limit", "invalid_value")),
    };
    let cursor = match (before, after) {
        (Some(_), Some(_)) => return Err(("after", "invalid_value")),
        (Some(b), None) if b >= 1 => HistoryCursor::Before(b),
        (Some(_), None) => return Err(("before", "invalid_value")),
        (None, Some(a)) if a >= 1 => HistoryCursor::After(a),
        (None, Some(_)) => return Err(("after", "invalid_value")),
        (None, None) => HistoryCursor::Latest,
    };
    Ok((cursor, limit))
}

/// A rolling window: at most `limit` events in any `window` (P9.12's 60 messages per minute,
/// P8.3's 30 requests per hour). Also counts events for the socket close rules (H5.4, P9.12).
#[derive(Clone, Debug)]
pub struct RollingWindow {
    limit: usize,
    window: TimeDelta,
    events: VecDeque<DateTime<Utc>>,
}

impl RollingWindow {
    pub fn new(limit: usize, window: TimeDelta) -> RollingWindow {
        RollingWindow {
            limit,
            window,
            events: VecDeque::new(),
        }
    }

    fn expire(&mut self, now: DateTime<Utc>) {
        while self.events.front().is_some_and(|&t| t + self.window <= now) {
            self.events.pop_front();
        }
    }

    /// Takes a slot at `now`, or tells how many whole seconds until one frees (`Retry-After`).
    pub fn try_acquire(&mut self, now: DateTime<Utc>) -> Result<(), u64> {
        self.expire(now);
        if self.events.len() < self.limit {
            self.events.push_back(now);
            return Ok(());
        }
        let frees_at = self.events.front().map_or(now, |&t| t + self.window);
        let wait = (frees_at - now).num_milliseconds().max(0) as u64;
        Err(wait.div_ceil(1000).max(1))
    }

    /// Records an event regardless of the limit; true when the window now holds more than
    /// `limit` (the "more than N in T" close rules).
    pub fn record_exceeds(&mut self, now: DateTime<Utc>) -> bool {
        self.expire(now);
        self.events.push_back(now);
        self.events.len() > self.limit
    }

    /// Whether nothing is left in the window (the entry can be forgotten).
    pub fn is_idle(&mut self, now: DateTime<Utc>) -> bool {
        self.expire(now);
        self.events.is_empty()
    }
}

/// P9.12: the per-socket token bucket (20 frames per second, burst 20).
#[derive(Clone, Debug)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: DateTime<Utc>,
}

impl TokenBucket {
    pub fn new(capacity: u32, per_second: u32, now: DateTime<Utc>) -> TokenBucket {
        TokenBucket {
            capacity: f64::from(capacity),
            per_second: f64::from(per_second),
            tokens: f64::from(capacity),
            last: now,
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: DateTime<Utc>) -> bool {
        let elapsed = (now - self.last)
            .num_microseconds()
            .unwrap_or(i64::MAX)
            .max(0) as f64;
        self.tokens = (self.tokens + elapsed / 1e6 * self.per_second).min(self.capacity);
        self.last = self.last.max(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// P9.9: a `start` is forwarded when none was forwarded for the pair in the last second.
pub fn typing_start_allowed(last_forwarded: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_forwarded.is_none_or(|t| now - t >= TimeDelta::seconds(1))
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
