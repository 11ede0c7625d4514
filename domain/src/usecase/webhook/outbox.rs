//! The HubSpot owner write outbox worker's pass (upstreams.md U1.6.3; security.md S9.5): pending
//! writes that are due are PATCHed with their recorded owner, rescheduled with backoff, or failed
//! permanently; a write still pending 72 h after its decision fails.

use super::owner_write::{OwnerWriteResult, next_retry_delay, write_owner};
use crate::ports::{Clock, Crm, OwnerWriteOutbox, StoreError};
use chrono::TimeDelta;

/// Writes taken per pass (U1.6.3).
pub const OUTBOX_BATCH: u32 = 20;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxPass {
    pub done: u32,
    pub failed: u32,
    pub rescheduled: u32,
    pub expired: u32,
}

/// One pass over the due writes. `jitter` draws from ±0.1 (the domain has no randomness).
pub async fn run_outbox_pass<C, S, K>(
    crm: &C,
    store: &S,
    clock: &K,
    jitter: &(dyn Fn() -> f64 + Send + Sync),
) -> Result<OutboxPass, StoreError>
where
    C: Crm + ?Sized,
    S: OwnerWriteOutbox + ?Sized,
    K: Clock + ?Sized,
{
    let mut pass = OutboxPass::default();
    let due = store.due_owner_writes(clock.now(), OUTBOX_BATCH).await?;
    for write in due {
        if clock.now() - write.decided_at >= TimeDelta::hours(72) {
            store
                .mark_owner_write_failed(&write.decision_id, "expired_after_72h")
                .await?;
            pass.expired += 1;
            continue;
        }
        let attempts = write.attempts + 1;
        match write_owner(crm, &write.deal_id, &write.owner_id).await {
            OwnerWriteResult::Done => {
                store
                    .mark_owner_write_done(&write.decision_id, clock.now())
                    .await?;
                pass.done += 1;
            }
            OwnerWriteResult::Failed { error } => {
                store
                    .mark_owner_write_failed(&write.decision_id, &error)
                    .await?;
                pass.failed += 1;
            }
            OwnerWriteResult::Retry { error, retry_after } => {
                let delay = retry_after.unwrap_or_else(|| next_retry_delay(attempts, jitter()));
                store
                    .reschedule_owner_write(
                        &write.decision_id,
                        attempts,
                        clock.now() + delay,
                        &error,
                    )
                    .await?;
                pass.rescheduled += 1;
            }
        }
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{DueOwnerWrite, MockClock, MockCrm, MockOwnerWriteOutbox, UpstreamError};
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn due(id: &str, decided_at: &str, attempts: u32) -> DueOwnerWrite {
        DueOwnerWrite {
            decision_id: id.into(),
            deal_id: format!("deal-{id}"),
            owner_id: "7001".into(),
            attempts,
            decided_at: at(decided_at),
        }
    }

    fn clock() -> MockClock {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(at("2025-03-10T00:00:00Z"));
        clock
    }

    #[test]
    fn success_failure_retry_and_expiry() {
        futures::executor::block_on(async {
            let mut store = MockOwnerWriteOutbox::new();
            store.expect_due_owner_writes().returning(|_, _| {
                Ok(vec![
                    due("ok", "2025-03-09T00:00:00Z", 0),
                    due("gone", "2025-03-09T00:00:00Z", 0),
                    due("busy", "2025-03-09T00:00:00Z", 2),
                    due("old", "2025-03-06T23:00:00Z", 9),
                ])
            });
            store
                .expect_mark_owner_write_done()
                .withf(|id, _| id == "ok")
                .times(1)
                .returning(|_, _| Ok(true));
            store
                .expect_mark_owner_write_failed()
                .withf(|id, e| {
                    (id == "gone" && e == "not_found") || (id == "old" && e == "expired_after_72h")
                })
                .times(2)
                .returning(|_, _| Ok(true));
            store
                .expect_reschedule_owner_write()
                .withf(|id, attempts, next, _| {
                    // Third failure: 4 minutes (U1.6.3), no jitter drawn here.
                    id == "busy" && *attempts == 3 && *next == at("2025-03-10T00:04:00Z")
                })
                .times(1)
                .returning(|_, _, _, _| Ok(true));
            let mut crm = MockCrm::new();
            crm.expect_set_deal_owner().returning(|deal, _| match deal {
                "deal-ok" => Ok(()),
                "deal-gone" => Err(UpstreamError::NotFound),
                _ => Err(UpstreamError::unavailable("503")),
            });
            let pass = run_outbox_pass(&crm, &store, &clock(), &|| 0.0)
                .await
                .unwrap();
            assert_eq!(
                pass,
                OutboxPass {
                    done: 1,
                    failed: 1,
                    rescheduled: 1,
                    expired: 1
                }
            );
        })
    }

    #[test]
    fn backoff_schedule() {
        let minutes: Vec<i64> = (1..=9)
            .map(|n| next_retry_delay(n, 0.0).num_minutes())
            .collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(
            next_retry_delay(1, 0.5).num_seconds(),
            66,
            "jitter is clamped to 10 %"
        );
    }
}
