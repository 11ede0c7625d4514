//! The login throttle (security.md S3.2) on the store: the rule per key, and no lost update
//! when attempts race.

use super::{T0, at};
use crate::harness::TestDb;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{LoginKey, LoginThrottle, ThrottleKeys, ThrottlePolicy, ThrottleStatus};
use std::time::Duration;

const POLICY: ThrottlePolicy = ThrottlePolicy::SPEC;

fn keys(login: &str, ip: &str) -> ThrottleKeys {
    ThrottleKeys::new(&LoginKey::parse(login), ip)
}

fn locked(seconds: u64) -> ThrottleStatus {
    ThrottleStatus::Locked {
        retry_after: Duration::from_secs(seconds),
    }
}

async fn failures(db: &TestDb, key: &str) -> u32 {
    db.store
        .throttle_record(key)
        .await
        .unwrap()
        .map_or(0, |r| r.failures)
}

async fn fail(db: &TestDb, keys: &ThrottleKeys, now: DateTime<Utc>) -> ThrottleStatus {
    db.store
        .record_login_failure(keys, now, &POLICY)
        .await
        .unwrap()
}

/// The 10th failure within 15 minutes locks the account until window_start + 15 min; the 11th
/// attempt is refused even with the right password; refused attempts do not count.
async fn tenth_failure_locks_the_account_key(db: &TestDb) {
    let store = &db.store;
    let alex = keys("Alex", "203.0.113.1");
    let start = at(T0);
    assert_eq!(
        store.check_login(&alex, start).await.unwrap(),
        ThrottleStatus::Allowed
    );
    for i in 0..9 {
        let now = start + TimeDelta::minutes(i);
        assert_eq!(fail(db, &alex, now).await, ThrottleStatus::Allowed);
    }
    let tenth = start + TimeDelta::minutes(10);
    assert_eq!(fail(db, &alex, tenth).await, locked(5 * 60));
    let record = store.throttle_record("acct:alex").await.unwrap().unwrap();
    assert_eq!((record.failures, record.window_start), (10, start));
    assert_eq!(record.locked_until, Some(start + TimeDelta::minutes(15)));

    // Any spelling of the same login and any IP is refused.
    let eleventh = tenth + TimeDelta::seconds(30);
    let elsewhere = keys(" ALEX ", "198.51.100.2");
    assert_eq!(
        store.check_login(&elsewhere, eleventh).await.unwrap(),
        locked(270)
    );
    // A failure recorded while locked (lost race with the 10th) does not count.
    fail(db, &alex, eleventh).await;
    assert_eq!(failures(db, "acct:alex").await, 10);
    // Another account from the same IP is not affected (the IP has 11 of 50).
    assert_eq!(
        store
            .check_login(&keys("brett", "203.0.113.1"), eleventh)
            .await
            .unwrap(),
        ThrottleStatus::Allowed
    );
    // At window_start + 15 min the lock is over and the next failure opens a new window.
    let unlocked = start + TimeDelta::minutes(15);
    assert_eq!(
        store.check_login(&alex, unlocked).await.unwrap(),
        ThrottleStatus::Allowed
    );
    assert_eq!(fail(db, &alex, unlocked).await, ThrottleStatus::Allowed);
    let record = store.throttle_record("acct:alex").await.unwrap().unwrap();
    assert_eq!(
        (record.failures, record.window_start, record.locked_until),
        (1, unlocked, None)
    );
}

async fn window_resets_after_fifteen_minutes(db: &TestDb) {
    let store = &db.store;
    let alex = keys("alex", "203.0.113.1");
    let start = at(T0);
    for i in 0..9 {
        fail(db, &alex, start + TimeDelta::seconds(i)).await;
    }
    // 9 failures, then a quarter of an hour passes: the 10th failure starts a new window.
    let later = start + TimeDelta::minutes(15);
    assert_eq!(fail(db, &alex, later).await, ThrottleStatus::Allowed);
    let record = store.throttle_record("acct:alex").await.unwrap().unwrap();
    assert_eq!((record.failures, record.window_start), (1, later));
    assert_eq!(
        failures(db, "ip:203.0.113.1").await,
        1,
        "each key has its own window"
    );
}

/// A success resets the account key only; the IP key keeps counting.
async fn success_resets_the_account_key_only(db: &TestDb) {
    let store = &db.store;
    let alex = keys("alex", "203.0.113.1");
    let now = at(T0);
    for _ in 0..3 {
        fail(db, &alex, now).await;
    }
    store.record_login_success(&alex, now).await.unwrap();
    assert_eq!(store.throttle_record("acct:alex").await.unwrap(), None);
    assert_eq!(failures(db, "ip:203.0.113.1").await, 3);
    // Nothing to reset is fine.
    store.record_login_success(&alex, now).await.unwrap();
}

/// A lock set by concurrent attempts survives a success that was checked before it.
async fn success_keeps_a_lock(db: &TestDb) {
    let store = &db.store;
    let alex = keys("alex", "203.0.113.1");
    let now = at(T0);
    for _ in 0..10 {
        fail(db, &alex, now).await;
    }
    store.record_login_success(&alex, now).await.unwrap();
    assert_eq!(failures(db, "acct:alex").await, 10);
    assert_eq!(
        store.check_login(&alex, now).await.unwrap(),
        locked(15 * 60)
    );
}

/// 50 failures from one IP lock it for every account.
async fn fiftieth_failure_locks_the_ip_key(db: &TestDb) {
    let store = &db.store;
    let start = at(T0);
    for i in 0..49 {
        let attempt = keys(&format!("user{i}"), "203.0.113.9");
        assert_eq!(fail(db, &attempt, start).await, ThrottleStatus::Allowed);
    }
    let last = keys("user49", "203.0.113.9");
    assert_eq!(
        fail(db, &last, start + TimeDelta::minutes(1)).await,
        locked(14 * 60)
    );
    let fresh = keys("someone-new", "203.0.113.9");
    assert_eq!(
        store
            .check_login(&fresh, start + TimeDelta::minutes(1))
            .await
            .unwrap(),
        locked(14 * 60)
    );
    assert_eq!(
        store
            .check_login(&keys("someone-new", "203.0.113.10"), start)
            .await
            .unwrap(),
        ThrottleStatus::Allowed
    );
}

async fn purge_drops_rows_an_hour_after_their_window(db: &TestDb) {
    let store = &db.store;
    let start = at(T0);
    fail(db, &keys("old", "192.0.2.1"), start).await;
    fail(db, &keys("new", "192.0.2.2"), start + TimeDelta::minutes(1)).await;
    // The first window ended at +15 min; one hour later it may go, not before.
    let hour_after = start + TimeDelta::minutes(75);
    assert_eq!(
        store
            .purge_login_throttle(hour_after, &POLICY)
            .await
            .unwrap(),
        0
    );
    let purged = store
        .purge_login_throttle(hour_after + TimeDelta::milliseconds(1), &POLICY)
        .await
        .unwrap();
    assert_eq!(purged, 2, "both keys of the first attempt");
    assert_eq!(store.throttle_record("acct:old").await.unwrap(), None);
    assert_eq!(failures(db, "acct:new").await, 1);
}

/// Ten failures at once on one account (through two pools, as from two processes): each is
/// counted exactly once and the key ends locked.
async fn concurrent_failures_are_all_counted(db: &TestDb) {
    let other = db.reopen();
    let now = at(T0);
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let attempt = keys("alex", "203.0.113.1");
        tasks.push(tokio::spawn(async move {
            store.record_login_failure(&attempt, now, &POLICY).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(failures(db, "acct:alex").await, 10);
    assert_eq!(failures(db, "ip:203.0.113.1").await, 10);
    assert_eq!(
        db.store
            .check_login(&keys("alex", "203.0.113.1"), now)
            .await
            .unwrap(),
        locked(15 * 60)
    );
}

/// Forty failures at once on one account from one IP: the account stops at 10 (later ones
/// find it locked), the IP counts all 40.
async fn concurrent_failures_past_the_limit(db: &TestDb) {
    let now = at(T0);
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .record_login_failure(&keys("alex", "203.0.113.1"), now, &POLICY)
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(failures(db, "acct:alex").await, 10);
    assert_eq!(failures(db, "ip:203.0.113.1").await, 40);
}

crate::on_both_backends!(
    tenth_failure_locks_the_account_key,
    window_resets_after_fifteen_minutes,
    success_resets_the_account_key_only,
    success_keeps_a_lock,
    fiftieth_failure_locks_the_ip_key,
    purge_drops_rows_an_hour_after_their_window,
    concurrent_failures_are_all_counted,
    concurrent_failures_past_the_limit,
);
