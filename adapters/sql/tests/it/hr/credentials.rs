//! The EH credential and its single-flight refresh marker (H7.8, U2.4).

use super::at;
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{EhCredentialStatus, EhCredentialStore, NewEhCredentials, RefreshedTokens};

fn new_credentials(tag: &str, expires_at: &str) -> NewEhCredentials {
    NewEhCredentials {
        access_token_enc: format!("v1:access-{tag}"),
        refresh_token_enc: format!("v1:refresh-{tag}"),
        code_verifier_enc: format!("v1:verifier-{tag}"),
        expires_at: at(expires_at),
        organisation_id: Some("org-1".into()),
        organisation_name: Some("Acme".into()),
    }
}

fn tokens(tag: &str, expires_at: &str) -> RefreshedTokens {
    RefreshedTokens {
        access_token_enc: format!("v1:access-{tag}"),
        refresh_token_enc: format!("v1:refresh-{tag}"),
        expires_at: at(expires_at),
    }
}

async fn credentials_save_and_replace(db: &TestDb) {
    let store = &db.store;
    let t = at("2025-03-01T00:00:00Z");
    assert!(store.get_credentials().await.unwrap().is_none());
    assert!(
        !store
            .begin_refresh(t, TimeDelta::seconds(60))
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_refresh(tokens("x", "2025-03-01T00:15:00Z"), t)
            .await
            .unwrap()
    );
    assert!(!store.mark_reauth_required(t).await.unwrap());
    assert!(!store.save_organisation("o".into(), None, t).await.unwrap());
    assert!(
        store.get_credentials().await.unwrap().is_none(),
        "nothing created"
    );

    store
        .save_credentials(new_credentials("a", "2025-03-01T00:15:00Z"), t)
        .await
        .unwrap();
    let got = store.get_credentials().await.unwrap().unwrap();
    assert_eq!(got.access_token_enc, "v1:access-a");
    assert_eq!(got.refresh_token_enc, "v1:refresh-a");
    assert_eq!(got.code_verifier_enc, "v1:verifier-a");
    assert_eq!(got.expires_at, at("2025-03-01T00:15:00Z"));
    assert_eq!(got.organisation_name.as_deref(), Some("Acme"));
    assert_eq!(got.status, EhCredentialStatus::Active);
    assert_eq!((got.refreshing_since, got.updated_at), (None, t));

    let t2 = at("2025-03-02T00:00:00Z");
    assert!(
        store
            .begin_refresh(t2, TimeDelta::seconds(60))
            .await
            .unwrap()
    );
    assert!(store.mark_reauth_required(t2).await.unwrap());
    let reconnect = NewEhCredentials {
        organisation_id: None,
        organisation_name: None,
        ..new_credentials("b", "2025-03-02T00:15:00Z")
    };
    store.save_credentials(reconnect, t2).await.unwrap();
    let got = store.get_credentials().await.unwrap().unwrap();
    assert_eq!(got.access_token_enc, "v1:access-b");
    assert_eq!(
        got.status,
        EhCredentialStatus::Active,
        "a reconnect reactivates"
    );
    assert_eq!(got.refreshing_since, None);
    assert_eq!(got.organisation_id, None);

    assert!(
        store
            .save_organisation("org-2".into(), Some("Beta".into()), t2)
            .await
            .unwrap()
    );
    let got = store.get_credentials().await.unwrap().unwrap();
    assert_eq!(got.organisation_id.as_deref(), Some("org-2"));
    assert_eq!(got.organisation_name.as_deref(), Some("Beta"));
}

async fn refresh_marker_protocol(db: &TestDb) {
    let store = &db.store;
    let stale = TimeDelta::seconds(60);
    let t0 = at("2025-03-01T00:00:00Z");
    store
        .save_credentials(new_credentials("a", "2025-03-01T00:15:00Z"), t0)
        .await
        .unwrap();
    let t1 = at("2025-03-01T00:14:00Z");
    assert!(store.begin_refresh(t1, stale).await.unwrap());
    assert_eq!(
        store
            .get_credentials()
            .await
            .unwrap()
            .unwrap()
            .refreshing_since,
        Some(t1)
    );
    let t1_late = t1 + TimeDelta::milliseconds(59_999);
    assert!(!store.begin_refresh(t1_late, stale).await.unwrap(), "held");
    // The holder died: after `stale_after` another caller may take over.
    let t2 = t1 + stale;
    assert!(
        store.begin_refresh(t2, stale).await.unwrap(),
        "stale marker"
    );
    assert!(
        !store.abandon_refresh(t1).await.unwrap(),
        "not the first holder's any more"
    );
    assert_eq!(
        store
            .get_credentials()
            .await
            .unwrap()
            .unwrap()
            .refreshing_since,
        Some(t2)
    );
    assert!(store.abandon_refresh(t2).await.unwrap());
    assert_eq!(
        store
            .get_credentials()
            .await
            .unwrap()
            .unwrap()
            .refreshing_since,
        None
    );

    let t3 = at("2025-03-01T00:14:30Z");
    assert!(store.begin_refresh(t3, stale).await.unwrap());
    assert!(
        store
            .finish_refresh(tokens("b", "2025-03-01T00:29:30Z"), t3)
            .await
            .unwrap()
    );
    let got = store.get_credentials().await.unwrap().unwrap();
    assert_eq!(got.access_token_enc, "v1:access-b");
    assert_eq!(
        got.refresh_token_enc, "v1:refresh-b",
        "the rotated token is stored"
    );
    assert_eq!(
        got.code_verifier_enc, "v1:verifier-a",
        "the verifier is kept"
    );
    assert_eq!(got.expires_at, at("2025-03-01T00:29:30Z"));
    assert_eq!((got.refreshing_since, got.updated_at), (None, t3));

    let t4 = at("2025-03-01T00:29:00Z");
    assert!(store.begin_refresh(t4, stale).await.unwrap());
    assert!(store.mark_reauth_required(t4).await.unwrap());
    let got = store.get_credentials().await.unwrap().unwrap();
    assert_eq!(got.status, EhCredentialStatus::ReauthRequired);
    assert_eq!(got.refreshing_since, None);
    assert!(
        !store.begin_refresh(t4, stale).await.unwrap(),
        "a refused credential is not refreshed again"
    );
}

async fn begin_refresh_is_single_flight(db: &TestDb) {
    let now = at("2025-03-01T00:14:00Z");
    db.store
        .save_credentials(new_credentials("a", "2025-03-01T00:15:00Z"), now)
        .await
        .unwrap();
    // Ten callers, as ten processes would: each with its own pool.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = db.reopen();
        tasks.push(tokio::spawn(async move {
            store.begin_refresh(now, TimeDelta::seconds(60)).await
        }));
    }
    let mut claimed = 0;
    for task in tasks {
        if task.await.unwrap().unwrap() {
            claimed += 1;
        }
    }
    assert_eq!(claimed, 1);
    assert_eq!(
        db.store
            .get_credentials()
            .await
            .unwrap()
            .unwrap()
            .refreshing_since,
        Some(now)
    );
}

crate::on_both_backends!(
    credentials_save_and_replace,
    refresh_marker_protocol,
    begin_refresh_is_single_flight,
);
