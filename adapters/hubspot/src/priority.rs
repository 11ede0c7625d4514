//! U1.3 priority: a webhook allocation waiting for a search token is served before availability
//! computations (http-api.md H2.8.3). Calls are webhook-priority unless run inside
//! [`background_priority`]; a background search takes its first token only while no webhook
//! search is waiting for one.

use governor::DefaultDirectRateLimiter;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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

/// The search bucket with its priority rule.
#[derive(Debug)]
pub(crate) struct SearchGate {
    bucket: DefaultDirectRateLimiter,
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
    pub(crate) fn new(bucket: DefaultDirectRateLimiter) -> SearchGate {
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
