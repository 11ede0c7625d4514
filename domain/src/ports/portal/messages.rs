//! Chat messages (portal.md P1.8, P9). Messages are never edited or deleted.

use super::connections::Peer;
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    /// Monotonic: the pagination cursor (P9.7).
    pub id: i64,
    pub sender_id: i64,
    pub receiver_id: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub client_msg_id: Option<String>,
}

/// A validated message (P9.3, P2.17); the sender is the authenticated user (P9.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewChatMessage {
    pub sender_id: i64,
    pub receiver_id: i64,
    pub body: String,
    pub client_msg_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostMessageOutcome {
    /// Stored now: deliver it (P9.5).
    Created(ChatMessage),
    /// The sender already used this `client_msg_id`: the stored message, nothing new stored or
    /// to deliver (H4.6).
    Replayed(ChatMessage),
}

impl PostMessageOutcome {
    pub fn message(&self) -> &ChatMessage {
        match self {
            PostMessageOutcome::Created(m) | PostMessageOutcome::Replayed(m) => m,
        }
    }
}

/// A chat write refused by the connection gate (P9.2), checked in the write's own transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatWriteError {
    #[error("not connected")]
    NotConnected,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a history page starts (P9.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryCursor {
    /// The newest messages.
    Latest,
    /// The newest messages with a smaller id.
    Before(i64),
    /// The oldest messages with a larger id.
    After(i64),
}

/// A page in ascending id order, and whether the pair has messages beyond each end of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryPage {
    pub messages: Vec<ChatMessage>,
    pub has_more_before: bool,
    pub has_more_after: bool,
}

/// One current connection's chat (P9.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    pub peer: Peer,
    pub last_message: Option<ChatMessage>,
    /// Messages from the peer to the user still unread.
    pub unread_count: u64,
}

/// A mark-read's effect (H4.6 answer, P9.6 receipt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarkReadResult {
    pub updated: u64,
    /// What stays unread from the other user afterwards.
    pub unread_count: u64,
}

/// Chat storage. History reads are gated by the caller (`ConnectionStore::are_connected`);
/// writes check the gate themselves, atomically.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message at `now` if the pair is connected (P9.2, P9.4). A `client_msg_id` the
    /// sender used before returns the stored message instead, also after a concurrent duplicate.
    async fn post_message(
        &self,
        message: NewChatMessage,
        now: DateTime<Utc>,
    ) -> Result<PostMessageOutcome, ChatWriteError>;

    /// Both directions between the pair, at most `limit` messages (P9.7).
    async fn message_history(
        &self,
        user_id: i64,
        other_id: i64,
        cursor: HistoryCursor,
        limit: u32,
    ) -> Result<HistoryPage, StoreError>;

    /// One entry per current connection: by last message id desc, then connections without
    /// messages by case-folded username (P9.8).
    async fn conversations(&self, user_id: i64) -> Result<Vec<Conversation>, StoreError>;

    /// Marks read, at `now`, every unread message from `other_id` to `reader_id` with
    /// `id <= up_to` (P9.6), if the pair is connected. Idempotent.
    async fn mark_read(
        &self,
        reader_id: i64,
        other_id: i64,
        up_to: i64,
        now: DateTime<Utc>,
    ) -> Result<MarkReadResult, ChatWriteError>;

    /// Unread messages to the user from current connections only (P9.6).
    async fn unread_total(&self, user_id: i64) -> Result<u64, StoreError>;
}

#[async_trait]
impl<T: MessageStore + ?Sized> MessageStore for Arc<T> {
    async fn post_message(
        &self,
        message: NewChatMessage,
        now: DateTime<Utc>,
    ) -> Result<PostMessageOutcome, ChatWriteError> {
        (**self).post_message(message, now).await
    }
    async fn message_history(
        &self,
        user_id: i64,
        other_id: i64,
        cursor: HistoryCursor,
        limit: u32,
    ) -> Result<HistoryPage, StoreError> {
        (**self)
            .message_history(user_id, other_id, cursor, limit)
            .await
    }
    async fn conversations(&self, user_id: i64) -> Result<Vec<Conversation>, StoreError> {
        (**self).conversations(user_id).await
    }
    async fn mark_read(
        &self,
        reader_id: i64,
        other_id: i64,
        up_to: i64,
        now: DateTime<Utc>,
    ) -> Result<MarkReadResult, ChatWriteError> {
        (**self).mark_read(reader_id, other_id, up_to, now).await
    }
    async fn unread_total(&self, user_id: i64) -> Result<u64, StoreError> {
        (**self).unread_total(user_id).await
    }
}
