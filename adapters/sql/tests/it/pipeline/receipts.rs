//! Webhook receipts (S9.1) and the replays of a decision (H3.1).

use super::{allocated, at, decide};
use crate::harness::TestDb;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{NewReceipt, ReplayEntry, WebhookEndpoint, WebhookReceipts};

fn receipt(received_at: DateTime<Utc>, decision_id: Option<&str>, body: char) -> NewReceipt {
    NewReceipt {
        endpoint: WebhookEndpoint::Allocate,
        deal_id: Some("1".into()),
        body_sha256: body.to_string().repeat(64),
        signature_version: "v3".into(),
        received_at,
        status_code: 200,
        outcome: "allocated".into(),
        decision_id: decision_id.map(Into::into),
        replayed: false,
    }
}

async fn replays_leave_out_the_first_delivery(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    // The decision was computed from body "aaa…" (see `allocated`).
    let id = decide(store, "1", t0, |id| allocated(id, "1", t0)).await;
    store
        .record_receipt(&receipt(t0, Some(&id), 'a'))
        .await
        .unwrap();
    let later = t0 + TimeDelta::hours(1);
    let sooner = t0 + TimeDelta::minutes(1);
    for (at, body) in [(later, 'b'), (sooner, 'a')] {
        let replay = NewReceipt {
            replayed: true,
            ..receipt(at, Some(&id), body)
        };
        store.record_receipt(&replay).await.unwrap();
    }
    // Other deliveries: no decision, another endpoint.
    store.record_receipt(&receipt(t0, None, 'c')).await.unwrap();
    let folder = NewReceipt {
        endpoint: WebhookEndpoint::BoxFolder,
        deal_id: None,
        status_code: 400,
        outcome: "validation_failed".into(),
        signature_version: "v2".into(),
        ..receipt(t0, None, 'd')
    };
    store.record_receipt(&folder).await.unwrap();

    assert_eq!(
        store.replays(&id).await.unwrap(),
        [
            ReplayEntry {
                received_at: sooner,
                body_sha256: "a".repeat(64),
                body_differs: false,
            },
            ReplayEntry {
                received_at: later,
                body_sha256: "b".repeat(64),
                body_differs: true,
            },
        ]
    );
    assert!(store.replays("no-such-id").await.unwrap().is_empty());
}

async fn old_receipts_are_purged(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    let id = decide(store, "1", t0, |id| allocated(id, "1", t0)).await;
    for days in [0, 1, 31, 40] {
        let replay = NewReceipt {
            replayed: true,
            ..receipt(t0 + TimeDelta::days(days), Some(&id), 'a')
        };
        store.record_receipt(&replay).await.unwrap();
    }
    let cutoff = t0 + TimeDelta::days(31);
    assert_eq!(store.purge_receipts(cutoff).await.unwrap(), 2);
    let left: Vec<_> = store
        .replays(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.received_at)
        .collect();
    assert_eq!(left, [cutoff, t0 + TimeDelta::days(40)]);
    assert_eq!(store.purge_receipts(cutoff).await.unwrap(), 0);
}

crate::on_both_backends!(
    replays_leave_out_the_first_delivery,
    old_receipts_are_purged,
);
