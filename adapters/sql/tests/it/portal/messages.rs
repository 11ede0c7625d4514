//! Chat messages (P1.8, P9; P11 scenario 18).

use super::{T0, at, rows, user};
use crate::harness::TestDb;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{
    ChatMessage, ChatWriteError, ConnectionStore, HistoryCursor, MessageStore, NewChatMessage,
    PostMessageOutcome,
};
use sql_store::SqlStore;

fn seconds(n: i64) -> DateTime<Utc> {
    at(T0) + TimeDelta::seconds(n)
}

fn text(sender_id: i64, receiver_id: i64, body: &str, key: Option<&str>) -> NewChatMessage {
    NewChatMessage {
        sender_id,
        receiver_id,
        body: body.into(),
        client_msg_id: key.map(Into::into),
    }
}

async fn connect(store: &SqlStore, a: i64, b: i64) {
    store.send_connection_request(a, b, at(T0)).await.unwrap();
    store.send_connection_request(b, a, at(T0)).await.unwrap();
}

async fn send(store: &SqlStore, from: i64, to: i64, body: &str, t: i64) -> ChatMessage {
    match store
        .post_message(text(from, to, body, None), seconds(t))
        .await
        .unwrap()
    {
        PostMessageOutcome::Created(m) => m,
        other => panic!("expected a new message, got {other:?}"),
    }
}

/// P9.2: writes are gated by the connection at that moment; messages survive removal (P8.9).
async fn posting_requires_a_connection(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    assert_eq!(
        store
            .post_message(text(alex, brett, "hello brett", None), at(T0))
            .await,
        Err(ChatWriteError::NotConnected)
    );
    assert_eq!(
        store
            .post_message(text(alex, alex, "note to self", None), at(T0))
            .await,
        Err(ChatWriteError::NotConnected)
    );
    connect(store, alex, brett).await;
    let m = send(store, alex, brett, "  hello brett  ", 1).await;
    assert_eq!((m.sender_id, m.receiver_id), (alex, brett));
    assert_eq!(m.body, "  hello brett  ", "stored exactly as accepted");
    assert_eq!((m.created_at, m.read_at), (seconds(1), None));
    assert_eq!(m.client_msg_id, None);

    store.remove_connection(brett, alex).await.unwrap();
    assert_eq!(
        store
            .post_message(text(alex, brett, "still there?", None), seconds(2))
            .await,
        Err(ChatWriteError::NotConnected)
    );
    assert_eq!(
        store.mark_read(brett, alex, m.id, seconds(2)).await,
        Err(ChatWriteError::NotConnected)
    );
    assert_eq!(rows(db, "messages").await, 1, "kept after removal");
    connect(store, alex, brett).await;
    let page = store
        .message_history(brett, alex, HistoryCursor::Latest, 50)
        .await
        .unwrap();
    assert_eq!(page.messages, [m], "visible again after reconnecting");
}

/// H4.6: a `client_msg_id` the sender used before replays the stored message.
async fn client_msg_id_dedupes_per_sender(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    connect(store, alex, brett).await;
    let first = store
        .post_message(text(alex, brett, "hi", Some("m1")), seconds(1))
        .await
        .unwrap();
    let PostMessageOutcome::Created(stored) = first else {
        panic!("expected a new message");
    };
    assert_eq!(stored.client_msg_id.as_deref(), Some("m1"));
    let replay = store
        .post_message(text(alex, brett, "hi again", Some("m1")), seconds(2))
        .await
        .unwrap();
    assert_eq!(replay, PostMessageOutcome::Replayed(stored.clone()));
    let other_sender = store
        .post_message(text(brett, alex, "hi", Some("m1")), seconds(3))
        .await
        .unwrap();
    assert!(matches!(other_sender, PostMessageOutcome::Created(_)));
    assert_eq!(rows(db, "messages").await, 2);

    // Concurrent duplicates (a client retrying over two sockets): one row.
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            db.reopen()
        };
        tasks.push(tokio::spawn(async move {
            store
                .post_message(text(alex, brett, "once", Some("m2")), seconds(4))
                .await
                .unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let created = outcomes
        .iter()
        .filter(|o| matches!(o, PostMessageOutcome::Created(_)))
        .count();
    assert_eq!(created, 1, "{outcomes:?}");
    let ids: Vec<i64> = outcomes.iter().map(|o| o.message().id).collect();
    assert!(ids.iter().all(|id| *id == ids[0]));
    assert_eq!(rows(db, "messages").await, 3);
}

/// P9.7 (scenario 18): pages in ascending order, newest first, by id cursor.
async fn history_pages_by_id(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let brett = user(db, "brett").await;
    let casey = user(db, "casey").await;
    connect(store, alex, brett).await;
    connect(store, alex, casey).await;
    let mut ids = Vec::new();
    for i in 0..121 {
        // Both directions belong to the conversation; casey's messages do not.
        let (from, to) = if i % 3 == 0 {
            (brett, alex)
        } else {
            (alex, brett)
        };
        ids.push(send(store, from, to, &format!("m{i}"), i).await.id);
        if i % 40 == 0 {
            send(store, casey, alex, "elsewhere", i).await;
        }
    }
    let page_ids =
        |page: &domain::ports::HistoryPage| page.messages.iter().map(|m| m.id).collect::<Vec<_>>();

    let newest = store
        .message_history(brett, alex, HistoryCursor::Latest, 50)
        .await
        .unwrap();
    assert_eq!(page_ids(&newest), ids[71..]);
    assert!(newest.has_more_before && !newest.has_more_after);

    let older = store
        .message_history(brett, alex, HistoryCursor::Before(ids[71]), 50)
        .await
        .unwrap();
    assert_eq!(page_ids(&older), ids[21..71], "the 50 before, no overlap");
    assert!(older.has_more_before && older.has_more_after);
    let oldest = store
        .message_history(alex, brett, HistoryCursor::Before(ids[21]), 50)
        .await
        .unwrap();
    assert_eq!(page_ids(&oldest), ids[..21]);
    assert!(!oldest.has_more_before && oldest.has_more_after);

    let after = store
        .message_history(alex, brett, HistoryCursor::After(ids[9]), 10)
        .await
        .unwrap();
    assert_eq!(page_ids(&after), ids[10..20], "the oldest after the cursor");
    assert!(after.has_more_before && after.has_more_after);
    let tail = store
        .message_history(alex, brett, HistoryCursor::After(ids[115]), 10)
        .await
        .unwrap();
    assert_eq!(page_ids(&tail), ids[116..]);
    assert!(tail.has_more_before && !tail.has_more_after);
    let beyond = store
        .message_history(alex, brett, HistoryCursor::After(ids[120]), 10)
        .await
        .unwrap();
    assert!(beyond.messages.is_empty() && beyond.has_more_before && !beyond.has_more_after);

    let dana = user(db, "dana").await;
    let nothing = store
        .message_history(alex, dana, HistoryCursor::Latest, 50)
        .await
        .unwrap();
    assert_eq!(nothing, Default::default());
}

/// P9.6, P9.8: unread counts, mark read, conversations.
async fn conversations_unread_and_mark_read(db: &TestDb) {
    let store = &db.store;
    let brett = user(db, "brett").await;
    let alex = user(db, "alex").await;
    let casey = user(db, "Casey").await;
    let dana = user(db, "dana").await;
    let erin = user(db, "erin").await;
    for other in [alex, casey, dana, erin] {
        connect(store, brett, other).await;
    }
    let hello = send(store, alex, brett, "hello brett", 1).await;
    let second = send(store, alex, brett, &"x".repeat(150), 2).await;
    let reply = send(store, brett, casey, "hi casey", 3).await;
    send(store, erin, brett, "from erin", 4).await;
    store.remove_connection(erin, brett).await.unwrap();

    let list = store.conversations(brett).await.unwrap();
    let summary: Vec<(&str, Option<i64>, u64)> = list
        .iter()
        .map(|c| {
            (
                c.peer.username.as_str(),
                c.last_message.as_ref().map(|m| m.id),
                c.unread_count,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("Casey", Some(reply.id), 0),
            ("alex", Some(second.id), 2),
            ("dana", None, 0),
        ],
        "current connections only, by last message, then by username"
    );
    assert_eq!(list[1].last_message.as_ref().unwrap().body, second.body);
    assert_eq!(
        store.unread_total(brett).await.unwrap(),
        2,
        "erin's is not counted"
    );
    assert_eq!(store.unread_total(alex).await.unwrap(), 0);

    let marked = store
        .mark_read(brett, alex, hello.id, seconds(10))
        .await
        .unwrap();
    assert_eq!((marked.updated, marked.unread_count), (1, 1));
    let again = store
        .mark_read(brett, alex, hello.id, seconds(11))
        .await
        .unwrap();
    assert_eq!((again.updated, again.unread_count), (0, 1), "idempotent");
    // Only the receiver's messages: alex marking brett's side changes nothing of hers.
    let by_sender = store
        .mark_read(alex, brett, second.id + 1000, seconds(12))
        .await
        .unwrap();
    assert_eq!((by_sender.updated, by_sender.unread_count), (0, 0));
    let all = store
        .mark_read(brett, alex, second.id + 1000, seconds(13))
        .await
        .unwrap();
    assert_eq!(
        (all.updated, all.unread_count),
        (1, 0),
        "up_to beyond the latest"
    );
    let page = store
        .message_history(brett, alex, HistoryCursor::Latest, 10)
        .await
        .unwrap();
    let read_at: Vec<_> = page.messages.iter().map(|m| m.read_at).collect();
    assert_eq!(read_at, [Some(seconds(10)), Some(seconds(13))]);
    assert_eq!(store.unread_total(brett).await.unwrap(), 0);
}

crate::on_both_backends!(
    posting_requires_a_connection,
    client_msg_id_dedupes_per_sender,
    history_pages_by_id,
    conversations_unread_and_mark_read,
);
