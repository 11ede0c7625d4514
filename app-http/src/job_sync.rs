//! At most one job sync per process (portal.md P6.4): a caller that finds one running waits for
//! it (up to `EMPLOYER_API_TIMEOUT` + 5 s) and uses its result instead of starting another.
//! Across processes a duplicate sync is harmless (P6.5 is an idempotent upsert).

use crate::state::AppState;
use domain::ports::{JobStore, JobSyncState, StoreError};
use domain::usecase::portal::jobs::{SyncError, SyncReport, sync_if_needed, sync_now};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

/// The last attempt of this process, numbered.
type Slot = Option<(u64, Result<SyncReport, SyncError>)>;

#[derive(Debug)]
pub struct JobSyncGate {
    slot: Mutex<Slot>,
    attempts: AtomicU64,
    wait: Duration,
}

impl JobSyncGate {
    /// `wait`: how long a caller waits for a running sync (P6.4).
    pub fn new(wait: Duration) -> JobSyncGate {
        JobSyncGate {
            slot: Mutex::new(None),
            attempts: AtomicU64::new(0),
            wait,
        }
    }

    fn record(&self, slot: &mut Slot, attempt: Result<SyncReport, SyncError>) {
        log_attempt(&attempt);
        let n = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        *slot = Some((n, attempt));
    }

    /// P6.3 for job list, detail and dashboard: syncs if the cache needs it (one caller at a
    /// time; the others then find it fresh), and returns the sync state to report. A caller that
    /// waited too long serves the cache as it is.
    pub async fn cache_aware(&self, state: &AppState) -> Result<JobSyncState, StoreError> {
        let Ok(mut slot) = tokio::time::timeout(self.wait, self.slot.lock()).await else {
            return state.store.job_sync_state().await;
        };
        let (attempt, after) = sync_if_needed(
            state.employer.as_ref(),
            &state.store,
            state.clock.as_ref(),
            &state.job_policy,
        )
        .await?;
        if let Some(attempt) = attempt {
            self.record(&mut slot, attempt);
        }
        Ok(after)
    }

    /// `POST /jobs/refresh`: always an attempt, unless one finished while this caller waited, in
    /// which case its result is the answer.
    pub async fn forced(&self, state: &AppState) -> Result<SyncReport, SyncError> {
        let seen = self.attempts.load(Ordering::SeqCst);
        let Ok(mut slot) = tokio::time::timeout(self.wait, self.slot.lock()).await else {
            return Err(SyncError::Unavailable);
        };
        if let Some((n, result)) = slot.as_ref()
            && *n > seen
        {
            return result.clone();
        }
        let attempt = sync_now(state.employer.as_ref(), &state.store, state.clock.as_ref()).await;
        self.record(&mut slot, attempt.clone());
        attempt
    }
}

fn log_attempt(attempt: &Result<SyncReport, SyncError>) {
    match attempt {
        Ok(report) => {
            if report.fetched == 0 {
                tracing::warn!("job sync: the Employer API listed no job; nothing pruned");
            }
            for id in &report.skipped_ids {
                tracing::warn!(external_id = ?id, "job sync: item skipped (P6.5)");
            }
            tracing::info!(
                fetched = report.fetched,
                created = report.created,
                updated = report.updated,
                removed_marked = report.removed_marked,
                deleted = report.deleted,
                skipped = report.skipped,
                "job sync done"
            );
        }
        Err(e) => tracing::warn!(code = e.code(), error = %e, "job sync failed"),
    }
}
