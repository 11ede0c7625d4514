//! The chat hub (portal.md P9.5, P0.9): pushes events to the open sockets of a user, in this
//! process or, with a multi-instance adapter, in every process. Delivery is best effort: a
//! message is already committed when it is published (P9.4), and clients catch up from history.

use super::messages::ChatMessage;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A typing indicator's state (P9.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypingState {
    Start,
    Stop,
}

impl TypingState {
    pub fn as_str(self) -> &'static str {
        match self {
            TypingState::Start => "start",
            TypingState::Stop => "stop",
        }
    }
}

/// What a socket receives (http-api.md H5.5), before it is written as a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatEvent {
    /// A stored message, with its sender's username (`sender_name`).
    Message {
        message: ChatMessage,
        sender_name: String,
    },
    Typing {
        from: i64,
        state: TypingState,
    },
    /// A read receipt (P9.6).
    Read {
        reader: i64,
        with: i64,
        up_to: i64,
        read_at: DateTime<Utc>,
    },
}

/// One event for every socket of `user_id`, except the socket `except_socket` (the caller's own
/// socket, for receipts that go to "the caller's other sockets").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatDelivery {
    pub user_id: i64,
    pub except_socket: Option<u64>,
    pub event: ChatEvent,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ChatHub: Send + Sync {
    /// Best effort; never fails the caller.
    async fn publish(&self, delivery: ChatDelivery);
}

#[async_trait]
impl<T: ChatHub + ?Sized> ChatHub for Arc<T> {
    async fn publish(&self, delivery: ChatDelivery) {
        (**self).publish(delivery).await
    }
}
