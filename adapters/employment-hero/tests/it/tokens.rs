//! U2.4, U2.8: refresh when due or after a 401, single flight, rotation stored before use.

use crate::fake::{CLIENT_ID, CLIENT_SECRET, FakeEh, Route};
use crate::support::{cipher, client_with, config, connected, no_progress};
use domain::ports::{EhCredentialStatus, HrDirectory, HrError};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use wiremock::ResponseTemplate;

fn form(r: &wiremock::Request) -> std::collections::HashMap<String, String> {
    let body = String::from_utf8_lossy(&r.body);
    reqwest::Url::parse(&format!("http://f/?{body}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn u2_4_a_due_token_is_refreshed_first_and_the_rotated_token_is_stored() {
    let fake = FakeEh::start().await;
    fake.set_employees(3);
    let (store, old_access, old_refresh) = connected(&fake, 30); // inside the 60 s margin
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    eh.employees(&no_progress()).await.unwrap();
    assert_eq!(fake.calls(Route::Token), 1);
    let sent = form(&fake.requests("/oauth2/token").await[0]);
    assert_eq!(sent["grant_type"], "refresh_token");
    assert_eq!(sent["refresh_token"], old_refresh);
    assert_eq!(sent["client_id"], CLIENT_ID);
    assert_eq!(sent["client_secret"], CLIENT_SECRET);
    assert!(
        !sent.contains_key("code_verifier"),
        "EH_SEND_VERIFIER_ON_REFRESH is off"
    );
    let row = store.row().unwrap();
    let stored_refresh = cipher().decrypt(&row.refresh_token_enc).unwrap();
    assert_eq!(
        Some(stored_refresh.expose_secret().to_owned()),
        fake.current_refresh()
    );
    assert!(row.refreshing_since.is_none());
    assert!(
        !fake.journal().contains(&old_access),
        "the due token was never sent"
    );
    // The old refresh token is dead upstream; the stored one works.
    fake.advance(1_000);
    eh.employees(&no_progress()).await.unwrap();
    assert_eq!(fake.calls(Route::Token), 2);
}

#[tokio::test]
async fn u2_4_concurrent_callers_refresh_once() {
    let fake = FakeEh::start().await;
    fake.set_employees(5);
    let (store, _, _) = connected(&fake, 0);
    let eh = Arc::new(client_with(&fake, config(&fake), store));
    let calls = (0..8).map(|_| {
        let eh = Arc::clone(&eh);
        tokio::spawn(async move { eh.employees(&no_progress()).await })
    });
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().unwrap().items.len(), 5);
    }
    assert_eq!(fake.calls(Route::Token), 1);
}

#[tokio::test]
async fn s14_1_a_401_on_page_k_refreshes_once_and_asks_for_that_page_again() {
    let fake = FakeEh::start().await;
    fake.set_employees(250);
    fake.unauthorized_once_on_page(Route::Employees, 2);
    let (store, _, _) = connected(&fake, 900);
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    let listing = eh.employees(&no_progress()).await.unwrap();
    assert_eq!(listing.items.len(), 250);
    assert_eq!(fake.calls(Route::Token), 1);
    let pages: Vec<String> = fake
        .requests("/employees")
        .await
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page_index")
                .unwrap()
                .1
                .into_owned()
        })
        .collect();
    assert_eq!(pages, ["1", "2", "2", "3"]);
    // Persist first: the refresh was stored before the new token's first use.
    let log = store.log.lock().unwrap().clone();
    assert!(log.contains(&"finish_refresh"), "{log:?}");
    let journal = fake.journal();
    let new_access = cipher()
        .decrypt(&store.row().unwrap().access_token_enc)
        .unwrap();
    assert_eq!(
        journal
            .iter()
            .filter(|t| *t == new_access.expose_secret())
            .count(),
        2
    );
}

#[tokio::test]
async fn u2_8_a_second_401_after_refresh_needs_reauth() {
    let fake = FakeEh::start().await;
    fake.fault(Route::Employees, 1, 2, ResponseTemplate::new(401));
    let (store, _, _) = connected(&fake, 900);
    let eh = client_with(&fake, config(&fake), store);
    assert_eq!(
        eh.employees(&no_progress()).await.unwrap_err(),
        HrError::ReauthRequired
    );
    assert_eq!(fake.calls(Route::Employees), 2);
    assert_eq!(fake.calls(Route::Token), 1);
}

#[tokio::test]
async fn s14_1_a_refused_refresh_token_marks_the_credential_reauth_required() {
    let fake = FakeEh::start().await;
    let (store, _, _) = connected(&fake, 0);
    fake.issue(); // rotated elsewhere: the stored refresh token is now stale
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    assert_eq!(
        eh.employees(&no_progress()).await.unwrap_err(),
        HrError::ReauthRequired
    );
    assert_eq!(
        store.row().unwrap().status,
        EhCredentialStatus::ReauthRequired
    );
    // From now on nothing is sent until an admin reconnects.
    assert_eq!(
        eh.leave_requests(&no_progress()).await.unwrap_err(),
        HrError::ReauthRequired
    );
    assert_eq!(fake.calls(Route::Token), 1);
}

#[tokio::test]
async fn s14_1_a_refresh_timing_out_after_rotation_ends_in_reauth_required() {
    let fake = FakeEh::start().await;
    let (store, _, _) = connected(&fake, 0);
    // The first refresh "reaches" EH (which rotates) but the answer never arrives in time.
    let rotated = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
    fake.fault(Route::Token, 1, 1, rotated);
    fake.fault(
        Route::Token,
        2,
        2,
        ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_grant"})),
    );
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    assert_eq!(
        eh.employees(&no_progress()).await.unwrap_err(),
        HrError::ReauthRequired
    );
    assert_eq!(
        fake.calls(Route::Token),
        2,
        "one more refresh after a timeout"
    );
    assert_eq!(
        store.row().unwrap().status,
        EhCredentialStatus::ReauthRequired
    );
}

#[tokio::test]
async fn u2_4_a_refresh_that_cannot_be_stored_is_never_used() {
    let fake = FakeEh::start().await;
    fake.set_employees(1);
    let (store, _, _) = connected(&fake, 0);
    store.fail_finish.store(true, Ordering::SeqCst);
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    let err = eh.employees(&no_progress()).await.unwrap_err();
    assert!(matches!(err, HrError::Store(_)), "{err:?}");
    assert_eq!(fake.calls(Route::Token), 1);
    assert!(
        fake.journal().is_empty(),
        "no API call with an unstored token"
    );
}

#[tokio::test]
async fn u2_4_a_refresh_by_another_process_is_waited_for_and_used() {
    let fake = FakeEh::start().await;
    fake.set_employees(1);
    let (store, _, _) = connected(&fake, 0);
    let mut row = store.row().unwrap();
    row.refreshing_since = Some(domain::ports::Clock::now(&*fake.clock()));
    store.set(row);
    let eh = client_with(&fake, config(&fake), Arc::clone(&store));
    let other = {
        let (fake, store) = (fake.clone(), Arc::clone(&store));
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let (access, refresh) = fake.issue();
            let mut row = store.row().unwrap();
            row.access_token_enc = cipher().encrypt(&access).unwrap();
            row.refresh_token_enc = cipher().encrypt(&refresh).unwrap();
            row.expires_at =
                domain::ports::Clock::now(&*fake.clock()) + chrono::TimeDelta::seconds(900);
            row.refreshing_since = None;
            store.set(row);
        })
    };
    eh.employees(&no_progress()).await.unwrap();
    other.await.unwrap();
    assert_eq!(fake.calls(Route::Token), 0);
}

#[tokio::test]
async fn u2_4_the_verifier_is_sent_on_refresh_when_configured() {
    let fake = FakeEh::start().await;
    let (store, _, _) = connected(&fake, 0);
    let config = employment_hero::EhConfig {
        send_verifier_on_refresh: true,
        ..config(&fake)
    };
    client_with(&fake, config, store)
        .employees(&no_progress())
        .await
        .unwrap();
    let sent = form(&fake.requests("/oauth2/token").await[0]);
    assert!(sent["code_verifier"].contains("SECRETVERIFIER"));
}

#[tokio::test]
async fn without_a_stored_connection_reauth_is_required() {
    let fake = FakeEh::start().await;
    let store = Arc::new(crate::store::MemoryCredentials::default());
    let eh = client_with(&fake, config(&fake), store);
    assert_eq!(
        eh.employees(&no_progress()).await.unwrap_err(),
        HrError::ReauthRequired
    );
    assert!(fake.requests("").await.is_empty());
}
