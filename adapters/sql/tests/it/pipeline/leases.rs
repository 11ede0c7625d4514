//! Worker leases (S9.5).

use super::at;
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::WorkerLeases;

const TTL: TimeDelta = TimeDelta::seconds(60);

async fn a_lease_has_one_holder_until_it_expires(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    assert!(
        store
            .try_acquire("owner_writes", "a", t0, TTL)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_acquire("owner_writes", "b", t0, TTL)
            .await
            .unwrap()
    );
    assert!(
        store
            .try_acquire("receipt_purge", "b", t0, TTL)
            .await
            .unwrap(),
        "names are separate"
    );

    // Renewed every 20 s, it never lapses.
    let t20 = t0 + TimeDelta::seconds(20);
    assert!(
        store
            .try_acquire("owner_writes", "a", t20, TTL)
            .await
            .unwrap()
    );
    let t70 = t0 + TimeDelta::seconds(70);
    assert!(
        !store
            .try_acquire("owner_writes", "b", t70, TTL)
            .await
            .unwrap(),
        "renewed until 80 s"
    );

    // Not renewed: another process takes over once it expires.
    let t80 = t0 + TimeDelta::seconds(80);
    assert!(
        store
            .try_acquire("owner_writes", "b", t80, TTL)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_acquire("owner_writes", "a", t80, TTL)
            .await
            .unwrap()
    );
}

async fn only_the_holder_releases(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    assert!(store.try_acquire("w", "a", t0, TTL).await.unwrap());
    assert!(!store.release("w", "b").await.unwrap());
    assert!(!store.try_acquire("w", "b", t0, TTL).await.unwrap());
    assert!(store.release("w", "a").await.unwrap());
    assert!(!store.release("w", "a").await.unwrap());
    assert!(
        store.try_acquire("w", "b", t0, TTL).await.unwrap(),
        "free after release"
    );
}

async fn concurrent_acquirers_get_one_lease(db: &TestDb) {
    let stores = [db.store.clone(), db.reopen(), db.reopen()];
    let now = at("2025-03-12T00:00:00Z");
    let tasks: Vec<_> = (0..9)
        .map(|i| {
            let store = stores[i % 3].clone();
            tokio::spawn(async move {
                store
                    .try_acquire("w", &format!("p{i}"), now, TTL)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut held = 0;
    for task in tasks {
        held += usize::from(task.await.unwrap());
    }
    assert_eq!(held, 1);
}

crate::on_both_backends!(
    a_lease_has_one_holder_until_it_expires,
    only_the_holder_releases,
    concurrent_acquirers_get_one_lease,
);
