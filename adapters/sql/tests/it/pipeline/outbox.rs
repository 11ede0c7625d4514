//! The HubSpot owner write outbox (U1.6.3).

use super::{adviser, allocated, at, decide, unallocated};
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{
    DecisionOutcome, DecisionStore, DueOwnerWrite, HubspotWrite, HubspotWriteStatus,
    OwnerWriteOutbox,
};

async fn due_writes_are_pending_and_due_oldest_first(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    // Decided in the order 2, 1, 3; each first due a minute after its decision.
    let second = decide(store, "2", t0, |id| allocated(id, "2", t0)).await;
    let t1 = t0 + TimeDelta::seconds(10);
    let first = decide(store, "1", t1, |id| allocated(id, "1", t1)).await;
    let t3 = t0 + TimeDelta::seconds(20);
    let third = decide(store, "3", t3, |id| allocated(id, "3", t3)).await;
    // Not due: nothing to write, or already done.
    decide(store, "4", t0, |id| {
        unallocated(id, "4", t0, DecisionOutcome::NoEligibleAdviser)
    })
    .await;
    let done = decide(store, "5", t0, |id| allocated(id, "5", t0)).await;
    assert!(store.mark_owner_write_done(&done, t0).await.unwrap());

    assert!(
        store.due_owner_writes(t0, 20).await.unwrap().is_empty(),
        "none due yet"
    );
    let due = store
        .due_owner_writes(t0 + TimeDelta::minutes(1) + TimeDelta::seconds(10), 20)
        .await
        .unwrap();
    assert_eq!(
        due,
        [
            DueOwnerWrite {
                decision_id: second.clone(),
                deal_id: "2".into(),
                owner_id: "103".into(),
                attempts: 0,
                decided_at: t0,
            },
            DueOwnerWrite {
                decision_id: first.clone(),
                deal_id: "1".into(),
                owner_id: "103".into(),
                attempts: 0,
                decided_at: t1,
            },
        ]
    );
    let later = t0 + TimeDelta::hours(1);
    let ids: Vec<_> = store
        .due_owner_writes(later, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.decision_id)
        .collect();
    assert_eq!(ids, [second.clone(), first, third]);
    assert_eq!(
        store.due_owner_writes(later, 1).await.unwrap()[0].decision_id,
        second
    );
}

async fn writes_move_from_pending_once(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    let id = decide(store, "1", t0, |id| allocated(id, "1", t0)).await;

    let retry_at = t0 + TimeDelta::minutes(2);
    assert!(
        store
            .reschedule_owner_write(&id, 1, retry_at, "timeout")
            .await
            .unwrap()
    );
    let write = store
        .get_decision(&id)
        .await
        .unwrap()
        .unwrap()
        .hubspot_write;
    assert_eq!(
        write,
        HubspotWrite {
            status: HubspotWriteStatus::Pending,
            attempts: 1,
            next_attempt_at: Some(retry_at),
            last_error: Some("timeout".into()),
            written_at: None,
        }
    );
    assert!(
        store
            .due_owner_writes(retry_at - TimeDelta::milliseconds(1), 20)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.due_owner_writes(retry_at, 20).await.unwrap()[0].attempts,
        1
    );

    let written = retry_at + TimeDelta::seconds(1);
    assert!(store.mark_owner_write_done(&id, written).await.unwrap());
    let stored = store.get_decision(&id).await.unwrap().unwrap();
    assert_eq!(stored.summary.hubspot_write, HubspotWriteStatus::Done);
    assert_eq!(
        stored.hubspot_write,
        HubspotWrite {
            status: HubspotWriteStatus::Done,
            attempts: 2,
            next_attempt_at: None,
            last_error: None,
            written_at: Some(written),
        }
    );
    // A late worker cannot undo it.
    assert!(!store.mark_owner_write_failed(&id, "late").await.unwrap());
    assert!(
        !store
            .reschedule_owner_write(&id, 3, written, "late")
            .await
            .unwrap()
    );
    assert!(!store.mark_owner_write_done(&id, written).await.unwrap());
    assert!(
        !store
            .mark_owner_write_done("no-such-id", written)
            .await
            .unwrap()
    );
    assert!(
        store
            .due_owner_writes(written + TimeDelta::days(1), 20)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn permanent_failures_are_kept(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    let id = decide(store, "1", t0, |id| {
        let mut d = allocated(id, "1", t0);
        d.chosen = Some(adviser("cat@example.com", "Cat", Some("7")));
        d
    })
    .await;
    let long = format!("rejected: {}", "x".repeat(700));
    assert!(store.mark_owner_write_failed(&id, &long).await.unwrap());
    let write = store
        .get_decision(&id)
        .await
        .unwrap()
        .unwrap()
        .hubspot_write;
    assert_eq!(write.status, HubspotWriteStatus::Failed);
    assert_eq!(write.attempts, 1);
    assert_eq!(write.next_attempt_at, None);
    assert_eq!(write.last_error.unwrap().chars().count(), 500);
    assert!(
        store
            .due_owner_writes(t0 + TimeDelta::days(1), 20)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store.mark_owner_write_done(&id, t0).await.unwrap(),
        "failed is final"
    );
}

crate::on_both_backends!(
    due_writes_are_pending_and_due_oldest_first,
    writes_move_from_pending_once,
    permanent_failures_are_kept,
);
