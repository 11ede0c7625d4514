//! A value fetched from HubSpot and reused for a while (U1.4 users, U1.5 owner names). One fetch
//! at a time: concurrent callers wait for it instead of sending their own. Failures are not kept.

use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

pub(crate) struct Cached<T> {
    ttl: Duration,
    slot: Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> Cached<T> {
    /// A cache that keeps a value for `ttl`; zero keeps nothing.
    pub fn new(ttl: Duration) -> Cached<T> {
        Cached {
            ttl,
            slot: Mutex::new(None),
        }
    }

    /// The kept value while it is younger than the TTL, else what `fetch` gives (kept when `Ok`).
    pub async fn get_or_try<E, F>(&self, fetch: impl FnOnce() -> F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        if self.ttl.is_zero() {
            return fetch().await;
        }
        let mut slot = self.slot.lock().await;
        if let Some((at, value)) = slot.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(value.clone());
        }
        let value = fetch().await?;
        *slot = Some((Instant::now(), value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_values_for_the_ttl_and_never_keeps_failures() {
        let cache = Cached::new(Duration::from_secs(60));
        assert_eq!(
            cache.get_or_try(|| async { Err::<u32, _>("down") }).await,
            Err("down")
        );
        assert_eq!(cache.get_or_try(|| async { Ok::<_, ()>(1) }).await, Ok(1));
        assert_eq!(cache.get_or_try(|| async { Ok::<_, ()>(2) }).await, Ok(1));
        let off = Cached::new(Duration::ZERO);
        assert_eq!(off.get_or_try(|| async { Ok::<_, ()>(1) }).await, Ok(1));
        assert_eq!(off.get_or_try(|| async { Ok::<_, ()>(2) }).await, Ok(2));
    }
}
