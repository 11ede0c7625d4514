//! One-time OAuth states (H2.9, H7.9).

use super::at;
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{OAuthState, OAuthStateInsertError, OAuthStateStore};

fn oauth_state(hash: &str, session: &str, created: &str) -> OAuthState {
    let created_at = at(created);
    OAuthState {
        state_hash: hash.into(),
        session_id_hash: session.into(),
        code_verifier_enc: format!("v1:verifier-{hash}"),
        created_at,
        expires_at: created_at + TimeDelta::minutes(10),
    }
}

async fn oauth_state_is_taken_once(db: &TestDb) {
    let store = &db.store;
    let state = oauth_state("s1", "sess-a", "2025-03-01T00:00:00Z");
    store.insert_oauth_state(state.clone()).await.unwrap();
    assert_eq!(
        store.insert_oauth_state(state.clone()).await,
        Err(OAuthStateInsertError::DuplicateState)
    );
    let during = at("2025-03-01T00:05:00Z");
    assert_eq!(
        store
            .take_oauth_state("s1", "sess-b", during)
            .await
            .unwrap(),
        None,
        "another session's state"
    );
    assert_eq!(
        store
            .take_oauth_state("nope", "sess-a", during)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .take_oauth_state("s1", "sess-a", during)
            .await
            .unwrap(),
        Some(state.clone()),
        "a foreign attempt did not burn it"
    );
    assert_eq!(
        store
            .take_oauth_state("s1", "sess-a", during)
            .await
            .unwrap(),
        None,
        "single use"
    );

    store
        .insert_oauth_state(oauth_state("s2", "sess-a", "2025-03-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        store
            .take_oauth_state("s2", "sess-a", at("2025-03-01T00:10:00Z"))
            .await
            .unwrap(),
        None,
        "expired at exactly 10 minutes"
    );
}

async fn oauth_state_concurrent_takes_give_one(db: &TestDb) {
    db.store
        .insert_oauth_state(oauth_state("s1", "sess", "2025-03-01T00:00:00Z"))
        .await
        .unwrap();
    let now = at("2025-03-01T00:01:00Z");
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = db.reopen();
        tasks.push(tokio::spawn(async move {
            store.take_oauth_state("s1", "sess", now).await
        }));
    }
    let mut taken = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().is_some() {
            taken += 1;
        }
    }
    assert_eq!(taken, 1);
}

async fn oauth_states_purge_expired(db: &TestDb) {
    let store = &db.store;
    for (hash, created) in [
        ("old-used", "2025-03-01T00:00:00Z"),
        ("old", "2025-03-01T00:01:00Z"),
        ("fresh", "2025-03-01T00:05:00Z"),
    ] {
        store
            .insert_oauth_state(oauth_state(hash, "sess", created))
            .await
            .unwrap();
    }
    store
        .take_oauth_state("old-used", "sess", at("2025-03-01T00:02:00Z"))
        .await
        .unwrap()
        .unwrap();
    let purged = store
        .purge_expired_oauth_states(at("2025-03-01T00:11:00Z"))
        .await
        .unwrap();
    assert_eq!(purged, 2);
    assert!(
        store
            .take_oauth_state("fresh", "sess", at("2025-03-01T00:11:00Z"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .purge_expired_oauth_states(at("2025-03-01T00:11:00Z"))
            .await
            .unwrap(),
        0
    );
}

crate::on_both_backends!(
    oauth_state_is_taken_once,
    oauth_state_concurrent_takes_give_one,
    oauth_states_purge_expired,
);
