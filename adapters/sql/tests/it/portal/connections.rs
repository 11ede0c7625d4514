//! Connection requests and connections (P1.6, P1.7, P8; P11 scenarios 15–17).

use super::{T0, at, rows, user};
use crate::harness::TestDb;
use chrono::{TimeDelta, Utc};
use domain::ports::{
    AnswerRequestError, CancelRequestError, ConnectionStore, Relationship, RemoveConnectionError,
    SendRequestError, SendRequestOutcome,
};

fn seconds(n: i64) -> chrono::DateTime<Utc> {
    at(T0) + TimeDelta::seconds(n)
}

fn requested(outcome: SendRequestOutcome) -> domain::ports::ConnectionRequest {
    match outcome {
        SendRequestOutcome::Requested(r) => r,
        other => panic!("expected a request, got {other:?}"),
    }
}

/// P8.3 rows 1, 2, 5, 6 (scenario 15).
async fn send_request_rules(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    assert_eq!(
        store.send_connection_request(alex, alex, at(T0)).await,
        Err(SendRequestError::SelfRequest)
    );
    assert_eq!(
        store.send_connection_request(alex, 9999, at(T0)).await,
        Err(SendRequestError::UserNotFound)
    );
    let request = requested(
        store
            .send_connection_request(alex, brett, seconds(1))
            .await
            .unwrap(),
    );
    assert_eq!(
        (request.sender_id, request.receiver_id, request.created_at),
        (alex, brett, seconds(1))
    );
    assert_eq!(
        store.send_connection_request(alex, brett, seconds(2)).await,
        Err(SendRequestError::DuplicateRequest {
            request_id: request.id
        })
    );
    assert_eq!(rows(db, "connection_requests").await, 1);
    assert_eq!(
        store.relationship(alex, brett).await.unwrap(),
        Relationship::OutgoingPending {
            request_id: request.id
        }
    );
    assert_eq!(
        store.relationship(brett, alex).await.unwrap(),
        Relationship::IncomingPending {
            request_id: request.id
        }
    );
    assert!(!store.are_connected(alex, brett).await.unwrap());
}

/// P8.3 rows 3, 4 (scenario 16).
async fn reciprocal_request_connects(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    store
        .send_connection_request(alex, brett, seconds(1))
        .await
        .unwrap();
    let outcome = store
        .send_connection_request(brett, alex, seconds(2))
        .await
        .unwrap();
    let SendRequestOutcome::Connected(connection) = outcome else {
        panic!("expected the reciprocal request to connect, got {outcome:?}");
    };
    assert_eq!(
        (connection.user_low_id, connection.user_high_id),
        (alex.min(brett), alex.max(brett))
    );
    assert_eq!(connection.created_at, seconds(2));
    assert_eq!(connection.other(alex), brett);
    assert_eq!(rows(db, "connection_requests").await, 0);
    assert!(store.are_connected(alex, brett).await.unwrap());
    assert!(store.are_connected(brett, alex).await.unwrap());
    for (a, b) in [(alex, brett), (brett, alex)] {
        assert_eq!(
            store.send_connection_request(a, b, seconds(3)).await,
            Err(SendRequestError::AlreadyConnected)
        );
    }
    assert_eq!(
        store.relationship(alex, brett).await.unwrap(),
        Relationship::Connected
    );
}

/// P8.4–P8.6 (scenario 17).
async fn accept_decline_cancel_authority(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let brett = user(db, "brett").await;
    let casey = user(db, "casey").await;
    let dana = user(db, "dana").await;
    let r = requested(
        store
            .send_connection_request(casey, alex, seconds(1))
            .await
            .unwrap(),
    );
    assert_eq!(
        store
            .accept_connection_request(brett, r.id, seconds(2))
            .await,
        Err(AnswerRequestError::NotFound),
        "a third party"
    );
    assert_eq!(
        store
            .accept_connection_request(casey, r.id, seconds(2))
            .await,
        Err(AnswerRequestError::NotReceiver)
    );
    assert_eq!(
        store.decline_connection_request(casey, r.id).await,
        Err(AnswerRequestError::NotReceiver)
    );
    assert_eq!(
        store.decline_connection_request(brett, r.id).await,
        Err(AnswerRequestError::NotFound)
    );
    assert_eq!(
        store.cancel_connection_request(alex, r.id).await,
        Err(CancelRequestError::NotSender)
    );
    assert_eq!(
        store.cancel_connection_request(brett, r.id).await,
        Err(CancelRequestError::NotFound)
    );
    store.decline_connection_request(alex, r.id).await.unwrap();
    assert_eq!(rows(db, "connection_requests").await, 0);
    assert_eq!(
        store.decline_connection_request(alex, r.id).await,
        Err(AnswerRequestError::NotFound)
    );

    // No cooldown: casey asks again and alex accepts.
    let r2 = requested(
        store
            .send_connection_request(casey, alex, seconds(3))
            .await
            .unwrap(),
    );
    let connection = store
        .accept_connection_request(alex, r2.id, seconds(4))
        .await
        .unwrap();
    assert_eq!(connection.created_at, seconds(4));
    assert_eq!(connection.other(casey), alex);
    assert!(store.are_connected(casey, alex).await.unwrap());
    assert_eq!(
        store
            .accept_connection_request(alex, r2.id, seconds(5))
            .await,
        Err(AnswerRequestError::NotFound)
    );

    let r3 = requested(
        store
            .send_connection_request(dana, brett, seconds(6))
            .await
            .unwrap(),
    );
    store.cancel_connection_request(dana, r3.id).await.unwrap();
    assert_eq!(
        store.cancel_connection_request(dana, r3.id).await,
        Err(CancelRequestError::NotFound)
    );
    assert_eq!(rows(db, "connection_requests").await, 0);
    assert_eq!(rows(db, "connections").await, 1);
}

/// P8.7.
async fn remove_connection_rules(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    assert_eq!(
        store.remove_connection(alex, alex).await,
        Err(RemoveConnectionError::SelfConnection)
    );
    assert_eq!(
        store.remove_connection(alex, 9999).await,
        Err(RemoveConnectionError::UserNotFound)
    );
    assert_eq!(
        store.remove_connection(alex, brett).await,
        Err(RemoveConnectionError::NotConnected)
    );
    store
        .send_connection_request(alex, brett, seconds(1))
        .await
        .unwrap();
    assert_eq!(
        store.remove_connection(alex, brett).await,
        Err(RemoveConnectionError::NotConnected),
        "a pending request is not a connection"
    );
    store
        .send_connection_request(brett, alex, seconds(2))
        .await
        .unwrap();
    store.remove_connection(brett, alex).await.unwrap();
    assert!(!store.are_connected(alex, brett).await.unwrap());
    assert_eq!(
        store.remove_connection(alex, brett).await,
        Err(RemoveConnectionError::NotConnected)
    );
    assert_eq!(rows(db, "connections").await, 0);
    assert_eq!(
        store.relationship(alex, brett).await.unwrap(),
        Relationship::None
    );
    // The pair can connect again.
    store
        .send_connection_request(alex, brett, seconds(3))
        .await
        .unwrap();
    store
        .send_connection_request(brett, alex, seconds(4))
        .await
        .unwrap();
    assert!(store.are_connected(alex, brett).await.unwrap());
}

/// P8.10, P8.11.
async fn lists_and_relationships(db: &TestDb) {
    let store = &db.store;
    let me = user(db, "me").await;
    let zed = user(db, "Zed").await;
    let amy = user(db, "amy").await;
    let bob = user(db, "Bob").await;
    let cat = user(db, "cat").await;
    let dan = user(db, "dan").await;
    // Connected with Zed, amy and Bob; cat and dan asked me; I asked nobody yet.
    for (i, other) in [zed, amy, bob].into_iter().enumerate() {
        let t = seconds(i64::try_from(i).unwrap());
        store.send_connection_request(other, me, t).await.unwrap();
        store.send_connection_request(me, other, t).await.unwrap();
    }
    let from_cat = requested(
        store
            .send_connection_request(cat, me, seconds(10))
            .await
            .unwrap(),
    );
    let from_dan = requested(
        store
            .send_connection_request(dan, me, seconds(11))
            .await
            .unwrap(),
    );
    let eve = user(db, "eve").await;
    let to_eve = requested(
        store
            .send_connection_request(me, eve, seconds(12))
            .await
            .unwrap(),
    );

    let lists = store.connection_lists(me).await.unwrap();
    let names: Vec<&str> = lists
        .connections
        .iter()
        .map(|c| c.peer.username.as_str())
        .collect();
    assert_eq!(names, ["amy", "Bob", "Zed"], "case-folded username order");
    assert_eq!(lists.connections[0].connected_at, seconds(1));
    let incoming: Vec<i64> = lists.incoming.iter().map(|r| r.id).collect();
    assert_eq!(incoming, [from_dan.id, from_cat.id], "newest first");
    assert_eq!(lists.incoming[0].peer.id, dan);
    assert_eq!(lists.incoming[0].peer.username, "dan");
    assert_eq!(lists.outgoing.len(), 1);
    assert_eq!(lists.outgoing[0].peer.id, eve);

    let zed_lists = store.connection_lists(zed).await.unwrap();
    assert_eq!(zed_lists.connections.len(), 1, "symmetric");
    assert_eq!(zed_lists.connections[0].peer.id, me);
    assert!(zed_lists.incoming.is_empty() && zed_lists.outgoing.is_empty());

    let mut expected = vec![
        (zed, Relationship::Connected),
        (amy, Relationship::Connected),
        (bob, Relationship::Connected),
        (
            cat,
            Relationship::IncomingPending {
                request_id: from_cat.id,
            },
        ),
        (
            dan,
            Relationship::IncomingPending {
                request_id: from_dan.id,
            },
        ),
        (
            eve,
            Relationship::OutgoingPending {
                request_id: to_eve.id,
            },
        ),
    ];
    expected.sort_by_key(|(id, _)| *id);
    assert_eq!(store.relationships(me).await.unwrap(), expected);
    assert_eq!(
        store.relationship(cat, dan).await.unwrap(),
        Relationship::None
    );
    assert!(!store.are_connected(me, me).await.unwrap());
}

/// P8.3 last paragraph (scenario 16): two users asking each other at the same moment end
/// connected with no request left, whichever transaction wins.
async fn reciprocal_race_ends_connected(db: &TestDb) {
    let other_pool = db.reopen();
    for i in 0..25 {
        let a = user(db, &format!("a{i}")).await;
        let b = user(db, &format!("b{i}")).await;
        let (first, second) = (db.store.clone(), other_pool.clone());
        let ab = tokio::spawn(async move { first.send_connection_request(a, b, at(T0)).await });
        let ba = tokio::spawn(async move { second.send_connection_request(b, a, at(T0)).await });
        let outcomes = [ab.await.unwrap().unwrap(), ba.await.unwrap().unwrap()];
        let connected = outcomes
            .iter()
            .filter(|o| matches!(o, SendRequestOutcome::Connected(_)))
            .count();
        assert_eq!(connected, 1, "iteration {i}: {outcomes:?}");
        assert!(db.store.are_connected(a, b).await.unwrap());
        assert_eq!(
            db.store.relationship(a, b).await.unwrap(),
            Relationship::Connected
        );
    }
    assert_eq!(rows(db, "connection_requests").await, 0);
    assert_eq!(rows(db, "connections").await, 25);
}

crate::on_both_backends!(
    send_request_rules,
    reciprocal_request_connects,
    accept_decline_cancel_authority,
    remove_connection_rules,
    lists_and_relationships,
    reciprocal_race_ends_connected,
);
