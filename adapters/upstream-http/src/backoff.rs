//! Waits between attempts: full jitter (U0.3) and `Retry-After` (U0.5).

use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::{Duration, SystemTime};

/// Full jitter before retry `n` (1-based): uniform(0, min(cap, base × 2^n)).
pub(crate) fn full_jitter(base: Duration, cap: Duration, n: u32) -> Duration {
    let ceiling = base.saturating_mul(2u32.saturating_pow(n.min(16))).min(cap);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// `Retry-After` as delta-seconds or an HTTP-date; garbage is `None` (U0.5).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The small random spread added to a `Retry-After` wait: uniform(0, 250 ms).
pub(crate) fn retry_after_spread() -> Duration {
    Duration::from_millis(fastrand::u64(0..=250))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn u0_3_full_jitter_stays_under_the_capped_ceiling() {
        for _ in 0..200 {
            let d = full_jitter(Duration::from_millis(500), Duration::from_secs(8), 1);
            assert!(d <= Duration::from_secs(1));
            let d = full_jitter(Duration::from_millis(500), Duration::from_secs(8), 10);
            assert!(d <= Duration::from_secs(8));
        }
    }

    #[test]
    fn u0_5_retry_after_seconds_dates_and_garbage() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
