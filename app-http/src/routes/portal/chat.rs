//! Chat over HTTP (http-api.md H4.6; portal.md P9): conversations, history, send, mark read.
//! Sends push the same `message` frames as the WebSocket (P9.5).

use super::connections::{UserRef, refused, user_ref};
use crate::auth;
use crate::auth::session::CurrentSession;
use crate::body::JsonBody;
use crate::chat;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::portal::chat::{body_preview, history_query};
use domain::portal::connections::ConnectionRefusal;
use domain::ports::{ChatMessage, PostMessageOutcome};
use domain::usecase::portal::chat::{ChatActor, ChatError};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

#[derive(Debug)]
pub struct ChatApi;

/// `Message` (H4): also the `message` of a WebSocket `message` frame.
#[derive(Debug, Clone, PartialEq, Object, Serialize)]
pub struct MessageView {
    pub id: i64,
    pub from: i64,
    pub to: i64,
    pub sender_name: String,
    pub body: String,
    pub created_at: String,
    pub read_at: Option<String>,
    pub client_msg_id: Option<String>,
}

impl MessageView {
    pub fn new(m: &ChatMessage, sender_name: &str) -> MessageView {
        MessageView {
            id: m.id,
            from: m.sender_id,
            to: m.receiver_id,
            sender_name: sender_name.to_owned(),
            body: m.body.clone(),
            created_at: instant(m.created_at),
            read_at: m.read_at.map(instant),
            client_msg_id: m.client_msg_id.clone(),
        }
    }
}

#[derive(Debug, Object)]
pub struct LastMessage {
    pub id: i64,
    pub from: i64,
    /// The first 100 characters of the body.
    pub body_preview: String,
    pub created_at: String,
}

#[derive(Debug, Object)]
pub struct ConversationView {
    pub user: UserRef,
    pub last_message: Option<LastMessage>,
    pub unread_count: u64,
}

/// P9.8.
#[derive(Debug, Object)]
pub struct Conversations {
    pub conversations: Vec<ConversationView>,
    pub total_unread: u64,
}

/// P9.7: ascending ids.
#[derive(Debug, Object)]
pub struct History {
    pub messages: Vec<MessageView>,
    pub has_more_before: bool,
    pub has_more_after: bool,
}

/// `{"body", "client_msg_id"?}`.
#[derive(Debug, Object, Deserialize)]
pub struct SendMessageInput {
    /// 1..2000 characters, not only white space, no U+0000; stored exactly as given (P9.3).
    pub body: String,
    /// 1..64 characters of `[A-Za-z0-9_-]` (P2.17): a repeat returns the stored message.
    #[serde(default)]
    pub client_msg_id: Option<String>,
}

/// `{"up_to"}`.
#[derive(Debug, Object, Deserialize)]
pub struct MarkReadInput {
    pub up_to: i64,
}

/// `{"updated", "unread_count"}`.
#[derive(Debug, Object)]
pub struct MarkReadAnswer {
    pub updated: u64,
    pub unread_count: u64,
}

#[derive(Debug, ApiResponse)]
pub enum SendAnswer {
    /// Stored and pushed.
    #[oai(status = 201)]
    Created(Json<MessageView>),
    /// This `client_msg_id` was used before: the stored message; nothing new stored or pushed.
    #[oai(status = 200)]
    Replayed(Json<MessageView>),
}

#[OpenApi]
impl ChatApi {
    /// One entry per current connection, with unread counts (P9.8).
    #[oai(
        path = "/api/portal/chat/conversations",
        method = "get",
        tag = "ApiTags::PortalChat"
    )]
    async fn conversations(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<Conversations>> {
        let me = auth::require_session(&state, request).await?;
        let list = chat::chat(&state)
            .conversations(me.user_id)
            .await
            .map_err(chat_error)?;
        let conversations = list
            .conversations
            .iter()
            .map(|c| ConversationView {
                user: UserRef::of(&c.peer, &list.users),
                last_message: c.last_message.as_ref().map(|m| LastMessage {
                    id: m.id,
                    from: m.sender_id,
                    body_preview: body_preview(&m.body),
                    created_at: instant(m.created_at),
                }),
                unread_count: c.unread_count,
            })
            .collect();
        Ok(Json(Conversations {
            conversations,
            total_unread: list.total_unread,
        }))
    }

    /// A page of the history with another user, in ascending id order (P9.7).
    #[oai(
        path = "/api/portal/chat/conversations/:user_id/messages",
        method = "get",
        tag = "ApiTags::PortalChat"
    )]
    async fn history(
        &self,
        state: Data<&AppState>,
        request: &Request,
        user_id: Path<i64>,
        before: Query<Option<i64>>,
        after: Query<Option<i64>>,
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<History>> {
        let me = auth::require_session(&state, request).await?;
        let (cursor, limit) = history_query(before.0, after.0, limit.0)
            .map_err(|(field, code)| ApiError::field(field, code))?;
        let page = chat::chat(&state)
            .history(me.user_id, user_id.0, cursor, limit)
            .await
            .map_err(chat_error)?;
        let other = user_ref(&state, user_id.0).await?;
        let name = |id: i64| {
            if id == me.user_id {
                me.username.as_str()
            } else {
                other.username.as_str()
            }
        };
        Ok(Json(History {
            messages: page
                .messages
                .iter()
                .map(|m| MessageView::new(m, name(m.sender_id)))
                .collect(),
            has_more_before: page.has_more_before,
            has_more_after: page.has_more_after,
        }))
    }

    /// Sends a message (P9.2–P9.5); 60 per minute per user (P9.12).
    #[oai(
        path = "/api/portal/chat/conversations/:user_id/messages",
        method = "post",
        tag = "ApiTags::PortalChat"
    )]
    async fn send_message(
        &self,
        state: Data<&AppState>,
        request: &Request,
        user_id: Path<i64>,
        body: JsonBody<SendMessageInput>,
    ) -> ApiResult<SendAnswer> {
        let me = auth::require_session(&state, request).await?;
        let now = state.clock.now();
        if let Err(retry) = state.chat.limits.message(me.user_id, now) {
            return Err(refused(ConnectionRefusal::RateLimited).retry_after(retry));
        }
        let actor = actor(&me);
        let input = body.0;
        let outcome = chat::chat(&state)
            .send(&actor, user_id.0, input.body, input.client_msg_id, now)
            .await
            .map_err(chat_error)?;
        Ok(match outcome {
            PostMessageOutcome::Created(m) => {
                SendAnswer::Created(Json(MessageView::new(&m, &me.username)))
            }
            PostMessageOutcome::Replayed(m) => {
                SendAnswer::Replayed(Json(MessageView::new(&m, &me.username)))
            }
        })
    }

    /// Marks the other user's messages read up to `up_to` (P9.6).
    #[oai(
        path = "/api/portal/chat/conversations/:user_id/read",
        method = "post",
        tag = "ApiTags::PortalChat"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        request: &Request,
        user_id: Path<i64>,
        body: JsonBody<MarkReadInput>,
    ) -> ApiResult<Json<MarkReadAnswer>> {
        let me = auth::require_session(&state, request).await?;
        let actor = actor(&me);
        let result = chat::chat(&state)
            .mark_read(&actor, user_id.0, body.0.up_to, state.clock.now())
            .await
            .map_err(chat_error)?;
        Ok(Json(MarkReadAnswer {
            updated: result.updated,
            unread_count: result.unread_count,
        }))
    }
}

/// The HTTP caller: no socket to skip.
fn actor(me: &CurrentSession) -> ChatActor {
    ChatActor {
        user_id: me.user_id,
        username: me.username.clone(),
        socket: None,
    }
}

fn chat_error(e: ChatError) -> ApiError {
    match e {
        ChatError::Refused(r) => refused(r),
        ChatError::Invalid {
            field: "target",
            code,
        } => ApiError::field("user_id", code),
        ChatError::Invalid { field, code } => ApiError::field(field, code),
        ChatError::Store(e) => e.into(),
    }
}
