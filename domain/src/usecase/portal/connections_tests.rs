use super::*;
use crate::ports::{ConnectedPeer, MockConnectionStore, MockUserStore, Peer, Role};
use futures::executor::block_on;

fn now() -> DateTime<Utc> {
    "2025-11-20T00:00:00Z".parse().unwrap()
}

fn summary(id: i64) -> UserSummary {
    UserSummary {
        id,
        username: format!("u{id}"),
        role: Role::Employee,
        headline: None,
        photo: None,
    }
}

#[test]
fn p8_12_store_answers_map_to_the_codes() {
    let mut store = MockConnectionStore::new();
    store
        .expect_send_connection_request()
        .returning(|_, _, _| Err(SendRequestError::DuplicateRequest { request_id: 4 }));
    store
        .expect_accept_connection_request()
        .returning(|_, _, _| Err(AnswerRequestError::NotReceiver));
    store
        .expect_cancel_connection_request()
        .returning(|_, _| Err(CancelRequestError::NotSender));
    store
        .expect_remove_connection()
        .returning(|_, _| Err(RemoveConnectionError::NotConnected));
    let uc = Connections::new(store, MockUserStore::new());
    let refused = |e: ConnectionError| match e {
        ConnectionError::Refused(r) => r.code(),
        ConnectionError::Store(_) => "store",
    };
    assert_eq!(
        refused(block_on(uc.send(1, 2, now())).unwrap_err()),
        "request_already_pending"
    );
    assert_eq!(
        refused(block_on(uc.accept(1, 4, now())).unwrap_err()),
        "not_request_receiver"
    );
    assert_eq!(
        refused(block_on(uc.cancel(2, 4)).unwrap_err()),
        "not_request_sender"
    );
    assert_eq!(
        refused(block_on(uc.remove(1, 2)).unwrap_err()),
        "connection_not_found"
    );
}

#[test]
fn p8_3_rows_1_and_2_are_checked_before_the_rate_limit() {
    let mut users = MockUserStore::new();
    users.expect_get_user().returning(|_| Ok(None));
    let uc = Connections::new(MockConnectionStore::new(), users);
    assert_eq!(
        block_on(uc.check_target(1, 1)),
        Err(ConnectionRefusal::SelfConnection.into())
    );
    assert_eq!(
        block_on(uc.check_target(1, 9999)),
        Err(ConnectionRefusal::UserNotFound.into())
    );
}

#[test]
fn p8_10_overview_carries_each_listed_users_summary() {
    let mut store = MockConnectionStore::new();
    store.expect_connection_lists().returning(|_| {
        Ok(ConnectionLists {
            connections: vec![ConnectedPeer {
                peer: Peer {
                    id: 2,
                    username: "u2".into(),
                },
                connected_at: now(),
            }],
            incoming: vec![crate::ports::PendingRequest {
                id: 9,
                peer: Peer {
                    id: 3,
                    username: "u3".into(),
                },
                created_at: now(),
            }],
            outgoing: vec![],
        })
    });
    let mut users = MockUserStore::new();
    users
        .expect_user_summaries()
        .withf(|ids| ids == [2, 3])
        .returning(|ids| Ok(ids.iter().map(|&id| summary(id)).collect()));
    let uc = Connections::new(store, users);
    let overview = block_on(uc.overview(1)).unwrap();
    assert_eq!(overview.users.len(), 2);
}
