//! U1.3 priority: a webhook allocation waiting for a search token is served before availability
//! computations (http-api.md H2.8.3). Calls are webhook-priority unless run inside
//! [`background_priority`]; a background search takes its first token only while no webhook
//! search is waiting for one.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

tokio::task_local! {
    static BACKGROUND: ();
}

/// Runs `work` with background priority for its HubSpot searches (availability pages).
pub async fn background_priority<F: Future>(work: F) -> F::Output {
    BACKGROUND.scope((), work).await
}

fn is_background() -> bool {
    BACKGROUND.try_with(|_| ()).is_ok()
}

/// How often a held-back background search looks again.
const POLL: Duration = Duration::from_millis(10);

/// At most `limit` search starts in any rolling second: a burst of `limit` (U1.3) that never
/// exceeds `limit` per second as HubSpot counts (security.md B3). A token bucket refilling
/// evenly would let `2 × limit − 1` through within one second and draw 429s.
#[derive(Debug)]
pub(crate) struct SearchWindow {
    limit: usize,
    starts: Mutex<VecDeque<Instant>>,
}

impl SearchWindow {
    pub(crate) fn per_second(limit: NonZeroU32) -> SearchWindow {
        let limit = usize::try_from(limit.get()).unwrap_or(usize::MAX);
        SearchWindow {
            limit,
            starts: Mutex::new(VecDeque::with_capacity(limit.min(64))),
        }
    }

    /// Takes a start now if the window has room, else says how long until it will.
    fn check(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut starts = self
            .starts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while starts
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            starts.pop_front();
        }
        if starts.len() < self.limit {
            starts.push_back(now);
            return Ok(());
        }
        let oldest = starts.front().copied().unwrap_or(now);
        Err(Duration::from_secs(1).saturating_sub(now.duration_since(oldest)))
    }

    async fn until_ready(&self) {
        while let Err(wait) = self.check() {
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }
}

/// The search window with its priority rule.
#[derive(Debug)]
pub(crate) struct SearchGate {
    bucket: SearchWindow,
    webhooks_waiting: AtomicUsize,
}

/// Decrements the waiting count even if the waiting future is dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl SearchGate {
    pub(crate) fn new(bucket: SearchWindow) -> SearchGate {
        SearchGate {
            bucket,
            webhooks_waiting: AtomicUsize::new(0),
        }
    }

    /// Waits for the first attempt's search token, by the caller's priority.
    pub(crate) async fn acquire(&self) {
        if !is_background() {
            self.webhooks_waiting.fetch_add(1, Ordering::SeqCst);
            let _waiting = Waiting(&self.webhooks_waiting);
            self.bucket.until_ready().await;
            return;
        }
        loop {
            if self.webhooks_waiting.load(Ordering::SeqCst) == 0 && self.bucket.check().is_ok() {
                return;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A retry takes a token when one is free; it has already waited its backoff.
    pub(crate) fn take_for_retry(&self) {
        let _ = self.bucket.check();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b3_a_burst_of_four_then_nothing_until_the_oldest_start_is_a_second_old() {
        let window = SearchWindow::per_second(NonZeroU32::MIN.saturating_add(3));
        for _ in 0..4 {
            assert_eq!(window.check(), Ok(()));
        }
        let wait = window.check().unwrap_err();
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert_eq!(
            window.starts.lock().unwrap().len(),
            4,
            "a refusal takes nothing"
        );
    }
}
