use super::*;
use crate::ports::{
    ChatMessage, MockChatHub, MockConnectionStore, MockMessageStore, MockUserStore, Role,
    UserAccount,
};
use futures::executor::block_on;
use mockall::predicate::eq;

type TestChat = Chat<MockConnectionStore, MockMessageStore, MockUserStore, MockChatHub>;

fn now() -> DateTime<Utc> {
    "2025-11-20T00:00:00Z".parse().unwrap()
}

fn account(id: i64) -> UserAccount {
    UserAccount {
        id,
        username: format!("u{id}"),
        email: format!("u{id}@example.com"),
        password_hash: String::new(),
        role: Role::Employee,
        created_at: now(),
        updated_at: now(),
    }
}

fn alex() -> ChatActor {
    ChatActor {
        user_id: 1,
        username: "alex".into(),
        socket: Some(77),
    }
}

fn message(id: i64) -> ChatMessage {
    ChatMessage {
        id,
        sender_id: 1,
        receiver_id: 2,
        body: "hi".into(),
        created_at: now(),
        read_at: None,
        client_msg_id: Some("m1".into()),
    }
}

/// Users exist; the pair's connection is `connected`.
fn chat(connected: bool, messages: MockMessageStore, hub: MockChatHub) -> TestChat {
    let mut users = MockUserStore::new();
    users
        .expect_get_user()
        .returning(|id| Ok((id < 100).then(|| account(id))));
    let mut connections = MockConnectionStore::new();
    connections
        .expect_are_connected()
        .returning(move |_, _| Ok(connected));
    Chat::new(connections, messages, users, hub)
}

#[test]
fn p9_2_not_connected_stores_and_pushes_nothing() {
    let chat = chat(false, MockMessageStore::new(), MockChatHub::new());
    let err = block_on(chat.send(&alex(), 2, "hi".into(), None, now())).unwrap_err();
    assert_eq!(err, ChatError::Refused(ConnectionRefusal::NotConnected));
    let err = block_on(chat.send(&alex(), 404, "hi".into(), None, now())).unwrap_err();
    assert_eq!(err, ChatError::Refused(ConnectionRefusal::UserNotFound));
    let err = block_on(chat.send(&alex(), 1, "hi".into(), None, now())).unwrap_err();
    assert!(matches!(
        err,
        ChatError::Invalid {
            field: "target",
            ..
        }
    ));
}

#[test]
fn p9_3_invalid_bodies_are_refused_before_anything_is_read() {
    let chat = Chat::new(
        MockConnectionStore::new(),
        MockMessageStore::new(),
        MockUserStore::new(),
        MockChatHub::new(),
    );
    let err = block_on(chat.send(&alex(), 2, "   ".into(), None, now())).unwrap_err();
    assert_eq!(
        err,
        ChatError::Invalid {
            field: "body",
            code: "required"
        }
    );
    let err = block_on(chat.send(&alex(), 2, "x".into(), Some("a b".into()), now())).unwrap_err();
    assert_eq!(
        err,
        ChatError::Invalid {
            field: "client_msg_id",
            code: "invalid_format"
        }
    );
}

#[test]
fn p9_4_a_new_message_is_stored_then_pushed_to_both_users() {
    let mut messages = MockMessageStore::new();
    messages
        .expect_post_message()
        .times(1)
        .returning(|_, _| Ok(PostMessageOutcome::Created(message(5))));
    let mut hub = MockChatHub::new();
    for user in [1, 2] {
        hub.expect_publish()
            .withf(move |d| {
                d.user_id == user
                    && d.except_socket.is_none()
                    && matches!(&d.event, ChatEvent::Message { message, sender_name } if message.id == 5 && sender_name == "alex")
            })
            .times(1)
            .return_const(());
    }
    let chat = chat(true, messages, hub);
    let out = block_on(chat.send(&alex(), 2, "hi".into(), Some("m1".into()), now())).unwrap();
    assert_eq!(out, PostMessageOutcome::Created(message(5)));
}

#[test]
fn h4_6_a_replayed_client_msg_id_pushes_nothing() {
    let mut messages = MockMessageStore::new();
    messages
        .expect_post_message()
        .returning(|_, _| Ok(PostMessageOutcome::Replayed(message(5))));
    let chat = chat(true, messages, MockChatHub::new());
    let out = block_on(chat.send(&alex(), 2, "hi".into(), Some("m1".into()), now())).unwrap();
    assert_eq!(out, PostMessageOutcome::Replayed(message(5)));
}

#[test]
fn p9_2_a_removal_between_gate_and_write_is_not_connected() {
    let mut messages = MockMessageStore::new();
    messages
        .expect_post_message()
        .returning(|_, _| Err(ChatWriteError::NotConnected));
    let chat = chat(true, messages, MockChatHub::new());
    let err = block_on(chat.send(&alex(), 2, "hi".into(), None, now())).unwrap_err();
    assert_eq!(err, ChatError::Refused(ConnectionRefusal::NotConnected));
}

#[test]
fn p9_6_receipt_goes_to_the_other_user_and_the_callers_other_sockets() {
    let mut messages = MockMessageStore::new();
    messages
        .expect_mark_read()
        .with(eq(1), eq(2), eq(9), eq(now()))
        .times(1)
        .returning(|_, _, _, _| {
            Ok(MarkReadResult {
                updated: 2,
                unread_count: 0,
            })
        });
    let mut hub = MockChatHub::new();
    hub.expect_publish()
        .withf(|d| d.user_id == 2 && d.except_socket.is_none())
        .times(1)
        .return_const(());
    hub.expect_publish()
        .withf(|d| {
            d.user_id == 1
                && d.except_socket == Some(77)
                && d.event
                    == ChatEvent::Read {
                        reader: 1,
                        with: 2,
                        up_to: 9,
                        read_at: now(),
                    }
        })
        .times(1)
        .return_const(());
    let chat = chat(true, messages, hub);
    let result = block_on(chat.mark_read(&alex(), 2, 9, now())).unwrap();
    assert_eq!(result.updated, 2);
}

#[test]
fn p9_6_a_mark_read_that_changed_nothing_sends_no_receipt() {
    let mut messages = MockMessageStore::new();
    messages.expect_mark_read().returning(|_, _, _, _| {
        Ok(MarkReadResult {
            updated: 0,
            unread_count: 0,
        })
    });
    let chat = chat(true, messages, MockChatHub::new());
    assert_eq!(
        block_on(chat.mark_read(&alex(), 2, 9, now()))
            .unwrap()
            .updated,
        0
    );
}

#[test]
fn p9_7_history_is_gated() {
    let chat = chat(false, MockMessageStore::new(), MockChatHub::new());
    let err = block_on(chat.history(1, 2, HistoryCursor::Latest, 50)).unwrap_err();
    assert_eq!(err, ChatError::Refused(ConnectionRefusal::NotConnected));
}

#[test]
fn p9_9_typing_is_forwarded_to_the_target_only() {
    let mut hub = MockChatHub::new();
    hub.expect_publish()
        .withf(|d| {
            d.user_id == 2
                && d.event
                    == ChatEvent::Typing {
                        from: 1,
                        state: TypingState::Start,
                    }
        })
        .times(1)
        .return_const(());
    let chat = chat(true, MockMessageStore::new(), hub);
    block_on(chat.typing(&alex(), 2, TypingState::Start)).unwrap();
}
