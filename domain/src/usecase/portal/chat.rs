//! Chat (portal.md P9) over the connection, message and user stores and the `ChatHub`: every
//! action re-reads the connection gate (P9.2), a message is committed before it is published
//! (P9.4), a replayed `client_msg_id` publishes nothing, and a mark read that changed rows sends
//! its receipt (P9.6). The rate limits (P9.12) are the caller's: they are per-process state.

use crate::portal::chat::{check_body, check_client_msg_id};
use crate::portal::connections::ConnectionRefusal;
use crate::ports::{
    ChatDelivery, ChatEvent, ChatHub, ChatWriteError, ConnectionStore, Conversation, HistoryCursor,
    HistoryPage, MarkReadResult, MessageStore, NewChatMessage, PostMessageOutcome, StoreError,
    TypingState, UserStore, UserSummary,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Why a chat action was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// `not_connected` or `user_not_found` (P9.2).
    #[error("refused: {}", .0.code())]
    Refused(ConnectionRefusal),
    /// 400 `validation_failed`: `field` is `target`, `body`, `client_msg_id` or `up_to`.
    #[error("invalid {field}: {code}")]
    Invalid {
        field: &'static str,
        code: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ChatWriteError> for ChatError {
    fn from(e: ChatWriteError) -> Self {
        match e {
            ChatWriteError::NotConnected => ChatError::Refused(ConnectionRefusal::NotConnected),
            ChatWriteError::Store(e) => e.into(),
        }
    }
}

/// Who acts: always the authenticated user (P9.1), and the socket it acts from, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatActor {
    pub user_id: i64,
    pub username: String,
    pub socket: Option<u64>,
}

/// The conversations of P9.8 with the peers' summaries and the total unread count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConversationList {
    pub conversations: Vec<Conversation>,
    pub users: HashMap<i64, UserSummary>,
    pub total_unread: u64,
}

/// The chat use cases.
#[derive(Clone, Debug)]
pub struct Chat<C, M, U, H> {
    pub connections: C,
    pub messages: M,
    pub users: U,
    pub hub: H,
}

impl<C: ConnectionStore, M: MessageStore, U: UserStore, H: ChatHub> Chat<C, M, U, H> {
    pub fn new(connections: C, messages: M, users: U, hub: H) -> Self {
        Chat {
            connections,
            messages,
            users,
            hub,
        }
    }

    /// P9.2: not oneself, the other user exists, and the pair is connected now.
    pub async fn gate(&self, caller: i64, other: i64) -> Result<(), ChatError> {
        if caller == other {
            return Err(ChatError::Invalid {
                field: "target",
                code: "invalid_value",
            });
        }
        if self.users.get_user(other).await?.is_none() {
            return Err(ChatError::Refused(ConnectionRefusal::UserNotFound));
        }
        if !self.connections.are_connected(caller, other).await? {
            return Err(ChatError::Refused(ConnectionRefusal::NotConnected));
        }
        Ok(())
    }

    /// P9.2–P9.5: validate, gate, store, then publish to both users' sockets. A replay returns
    /// the stored message and publishes nothing.
    pub async fn send(
        &self,
        actor: &ChatActor,
        to: i64,
        body: String,
        client_msg_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<PostMessageOutcome, ChatError> {
        check_body(&body).map_err(|code| ChatError::Invalid {
            field: "body",
            code,
        })?;
        if let Some(id) = &client_msg_id {
            check_client_msg_id(id).map_err(|code| ChatError::Invalid {
                field: "client_msg_id",
                code,
            })?;
        }
        self.gate(actor.user_id, to).await?;
        let new = NewChatMessage {
            sender_id: actor.user_id,
            receiver_id: to,
            body,
            client_msg_id,
        };
        let outcome = self.messages.post_message(new, now).await?;
        if let PostMessageOutcome::Created(message) = &outcome {
            for user_id in [to, actor.user_id] {
                let event = ChatEvent::Message {
                    message: message.clone(),
                    sender_name: actor.username.clone(),
                };
                self.hub
                    .publish(ChatDelivery {
                        user_id,
                        except_socket: None,
                        event,
                    })
                    .await;
            }
        }
        Ok(outcome)
    }

    /// P9.7, gated.
    pub async fn history(
        &self,
        caller: i64,
        other: i64,
        cursor: HistoryCursor,
        limit: u32,
    ) -> Result<HistoryPage, ChatError> {
        self.gate(caller, other).await?;
        Ok(self
            .messages
            .message_history(caller, other, cursor, limit)
            .await?)
    }

    /// P9.6: marks read and, when rows changed, sends the receipt to the other user and to the
    /// caller's other sockets.
    pub async fn mark_read(
        &self,
        actor: &ChatActor,
        other: i64,
        up_to: i64,
        now: DateTime<Utc>,
    ) -> Result<MarkReadResult, ChatError> {
        // P2.16: message ids start at 1 (HTTP and WebSocket alike).
        if up_to < 1 {
            return Err(ChatError::Invalid {
                field: "up_to",
                code: "invalid_value",
            });
        }
        self.gate(actor.user_id, other).await?;
        let result = self
            .messages
            .mark_read(actor.user_id, other, up_to, now)
            .await?;
        if result.updated > 0 {
            let event = ChatEvent::Read {
                reader: actor.user_id,
                with: other,
                up_to,
                read_at: now,
            };
            for (user_id, except_socket) in [(other, None), (actor.user_id, actor.socket)] {
                self.hub
                    .publish(ChatDelivery {
                        user_id,
                        except_socket,
                        event: event.clone(),
                    })
                    .await;
            }
        }
        Ok(result)
    }

    /// P9.9: gated and forwarded, never stored. The one-start-per-second throttle is the caller's.
    pub async fn typing(
        &self,
        actor: &ChatActor,
        to: i64,
        state: TypingState,
    ) -> Result<(), ChatError> {
        self.gate(actor.user_id, to).await?;
        self.hub
            .publish(ChatDelivery {
                user_id: to,
                except_socket: None,
                event: ChatEvent::Typing {
                    from: actor.user_id,
                    state,
                },
            })
            .await;
        Ok(())
    }

    /// P9.8 with the peers' summaries and the H4.6 `total_unread`.
    pub async fn conversations(&self, caller: i64) -> Result<ConversationList, ChatError> {
        let conversations = self.messages.conversations(caller).await?;
        let ids: Vec<i64> = conversations.iter().map(|c| c.peer.id).collect();
        let users = super::connections::summaries(&self.users, &ids).await?;
        let total_unread = conversations.iter().map(|c| c.unread_count).sum();
        Ok(ConversationList {
            conversations,
            users,
            total_unread,
        })
    }
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
