//! Box folder claims (H2.2.2, H7.7).

use super::{STALE, at};
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{
    BoxFolder, BoxFolderClaim, BoxFolderState, BoxFolderWriteError, BoxFolders, MetadataStatus,
};
use sql_store::SqlStore;

fn folder() -> BoxFolder {
    BoxFolder {
        folder_id: "987".into(),
        folder_name: "Ann & Bob Lee".into(),
        metadata: MetadataStatus::Applied,
    }
}

async fn claimed(store: &SqlStore, deal: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    match store.claim_box_folder(deal, now, STALE).await.unwrap() {
        BoxFolderClaim::Claimed { claim_id, .. } => claim_id,
        other => panic!("expected a claim, got {other:?}"),
    }
}

async fn a_created_folder_is_answered_as_existing(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    assert_eq!(store.get_box_folder("123").await.unwrap(), None);
    let claim = claimed(store, "123", t0).await;
    let row = store.get_box_folder("123").await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.folder, row.claimed_at, row.created_at),
        (BoxFolderState::InProgress, None, t0, None)
    );
    assert_eq!(
        store
            .claim_box_folder("123", t0 + TimeDelta::seconds(5), STALE)
            .await
            .unwrap(),
        BoxFolderClaim::InProgress
    );

    let done = t0 + TimeDelta::seconds(3);
    store
        .mark_box_folder_created("123", &claim, &folder(), done)
        .await
        .unwrap();
    let row = store.get_box_folder("123").await.unwrap().unwrap();
    assert_eq!(row.state, BoxFolderState::Created);
    assert_eq!(row.folder, Some(folder()));
    assert_eq!(row.created_at, Some(done));
    for later in [t0 + TimeDelta::seconds(4), t0 + TimeDelta::days(400)] {
        assert_eq!(
            store.claim_box_folder("123", later, STALE).await.unwrap(),
            BoxFolderClaim::Existing(folder()),
            "kept forever"
        );
    }
    assert_eq!(
        store
            .mark_box_folder_failed("123", &claim)
            .await
            .unwrap_err(),
        BoxFolderWriteError::ClaimLost,
        "created is final"
    );
}

async fn failed_and_stale_claims_are_taken_over(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:00:00Z");
    let first = claimed(store, "5", t0).await;
    store.mark_box_folder_failed("5", &first).await.unwrap();
    assert_eq!(
        store.get_box_folder("5").await.unwrap().unwrap().state,
        BoxFolderState::Failed
    );

    let t1 = t0 + TimeDelta::seconds(1);
    let BoxFolderClaim::Claimed {
        claim_id: second,
        previous,
    } = store.claim_box_folder("5", t1, STALE).await.unwrap()
    else {
        panic!("failed is taken over at once");
    };
    assert_eq!(previous, Some(BoxFolderState::Failed));

    let t2 = t1 + STALE;
    let BoxFolderClaim::Claimed {
        claim_id: third,
        previous,
    } = store.claim_box_folder("5", t2, STALE).await.unwrap()
    else {
        panic!("a stale claim is taken over");
    };
    assert_eq!(previous, Some(BoxFolderState::InProgress));
    assert_eq!(
        store.get_box_folder("5").await.unwrap().unwrap().claimed_at,
        t2
    );

    // The stale delivery finishes late: it cannot overwrite its successor.
    for stale in [&first, &second] {
        assert_eq!(
            store
                .mark_box_folder_created("5", stale, &folder(), t2)
                .await
                .unwrap_err(),
            BoxFolderWriteError::ClaimLost
        );
        assert_eq!(
            store.mark_box_folder_failed("5", stale).await.unwrap_err(),
            BoxFolderWriteError::ClaimLost
        );
    }
    let skipped = BoxFolder {
        metadata: MetadataStatus::Skipped,
        ..folder()
    };
    store
        .mark_box_folder_created("5", &third, &skipped, t2)
        .await
        .unwrap();
    assert_eq!(
        store.get_box_folder("5").await.unwrap().unwrap().folder,
        Some(skipped)
    );
    assert_eq!(
        store
            .mark_box_folder_failed("nope", &third)
            .await
            .unwrap_err(),
        BoxFolderWriteError::ClaimLost
    );
}

async fn concurrent_folder_claims_create_once(db: &TestDb) {
    let stores = [db.store.clone(), db.reopen()];
    let now = at("2025-03-12T00:00:00Z");
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = stores[i % 2].clone();
            tokio::spawn(async move { store.claim_box_folder("77", now, STALE).await.unwrap() })
        })
        .collect();
    let mut claims = 0;
    for task in tasks {
        match task.await.unwrap() {
            BoxFolderClaim::Claimed { .. } => claims += 1,
            BoxFolderClaim::InProgress => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(claims, 1);
}

crate::on_both_backends!(
    a_created_folder_is_answered_as_existing,
    failed_and_stale_claims_are_taken_over,
    concurrent_folder_claims_create_once,
);
