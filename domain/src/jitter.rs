//! Retry delays with jitter (U1.6.3, P7.8). The domain has no randomness: callers draw it.

use chrono::TimeDelta;

/// The delay with ±10 % jitter; `jitter` in −0.1..=0.1 is the caller's random draw.
pub fn jittered(delay: TimeDelta, jitter: f64) -> TimeDelta {
    let factor = 1.0 + jitter.clamp(-0.1, 0.1);
    // Milliseconds of at most a day: far inside f64's exact integer range.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let millis = (delay.num_milliseconds() as f64 * factor).round() as i64;
    TimeDelta::milliseconds(millis)
}
