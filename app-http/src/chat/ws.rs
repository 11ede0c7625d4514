//! `GET /api/portal/chat/ws` (http-api.md H5; security.md S5.3, S5.4). The handshake checks
//! Origin (403), then the session (401), then the socket cap (429), all before upgrading. Each
//! frame then re-checks the session (P9.11), passes the socket's token bucket (P9.12), is parsed
//! strictly (H5.4) and is authorised again by the use cases (P9.2).

use super::frames::{self, ClientFrame};
use super::hub::SocketGuard;
use crate::auth::{origin, session};
use crate::error::ApiError;
use crate::state::AppState;
use chrono::TimeDelta;
use domain::portal::chat::{RollingWindow, TokenBucket};
use domain::ports::{PostMessageOutcome, TypingState};
use domain::usecase::portal::chat::{ChatActor, ChatError};
use futures::{SinkExt, StreamExt};
use poem::http::StatusCode;
use poem::web::Data;
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketConfig, WebSocketStream};
use poem::{IntoResponse, Request, Response, handler};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// H5.2: the largest frame.
pub const MAX_FRAME_BYTES: usize = 16_384;
/// H5.6: ping period, and the time a pong may take.
const PING_EVERY: Duration = Duration::from_secs(30);
/// P9.11: the session timer.
const SESSION_EVERY: Duration = Duration::from_secs(60);

#[handler]
pub async fn chat_socket(
    req: &Request,
    ws: poem::Result<WebSocket>,
    state: Data<&AppState>,
) -> Response {
    let state: AppState = state.clone();
    match handshake(&state, req).await {
        Err(e) => e.into_response(),
        Ok((actor, id_hash)) => {
            let Some((guard, frames_in)) = state.chat.sockets.register(actor.user_id) else {
                return ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Too many open chat connections.",
                )
                .retry_after(30)
                .into_response();
            };
            let ws = match ws {
                Ok(ws) => ws,
                Err(e) => return e.into_response(),
            };
            // Frames above the H5.2 cap are refused by us (1009); the codec's own cap only
            // bounds memory. A small initial read buffer (the default is 128 KiB) keeps idle
            // sockets cheap; it grows for the rare large frame.
            let config = WebSocketConfig::default()
                .max_message_size(Some(4 * MAX_FRAME_BYTES))
                .max_frame_size(Some(4 * MAX_FRAME_BYTES))
                .read_buffer_size(4096);
            ws.config(config)
                .on_upgrade(move |socket| async move {
                    let actor = ChatActor {
                        socket: Some(guard.socket_id),
                        ..actor
                    };
                    run(state, socket, actor, id_hash, guard, frames_in).await;
                })
                .into_response()
        }
    }
}

/// H5.1 steps 1 and 2.
async fn handshake(state: &AppState, req: &Request) -> Result<(ChatActor, String), ApiError> {
    let presented = req
        .headers()
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .and_then(origin::normalise);
    if !presented.is_some_and(|o| origin::allowed(&state.settings).contains(&o)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "This origin may not open a chat connection.",
        ));
    }
    let Some(current) = session::current(state, req).await? else {
        return Err(ApiError::unauthenticated());
    };
    let actor = ChatActor {
        user_id: current.user_id,
        username: current.username,
        socket: None,
    };
    Ok((actor, current.id_hash))
}

/// Why the loop ends.
enum Step {
    Continue,
    Close(u16, &'static str),
}

struct Socket {
    state: AppState,
    actor: ChatActor,
    id_hash: String,
    bucket: TokenBucket,
    dropped: RollingWindow,
    invalid: RollingWindow,
}

async fn run(
    state: AppState,
    socket: WebSocketStream,
    actor: ChatActor,
    id_hash: String,
    guard: SocketGuard,
    mut frames_in: mpsc::Receiver<Arc<str>>,
) {
    let now = state.clock.now();
    let mut me = Socket {
        state,
        actor,
        id_hash,
        bucket: TokenBucket::new(20, 20, now),
        dropped: RollingWindow::new(100, TimeDelta::seconds(10)),
        invalid: RollingWindow::new(20, TimeDelta::seconds(60)),
    };
    let (mut sink, mut stream) = socket.split();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut session_timer =
        tokio::time::interval_at(tokio::time::Instant::now() + SESSION_EVERY, SESSION_EVERY);
    let mut awaiting_pong = false;
    let mut closing = me.state.chat.closing();
    loop {
        let (replies, step) = tokio::select! {
            incoming = stream.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => break,
                Some(Ok(Message::Text(text))) => me.on_text(&text).await,
                Some(Ok(Message::Binary(_))) => (vec![], Step::Close(1003, "binary frames are not accepted")),
                Some(Ok(Message::Pong(_))) => { awaiting_pong = false; (vec![], Step::Continue) }
                Some(Ok(Message::Ping(_))) => (vec![], Step::Continue),
                Some(Err(e)) => (vec![], read_error(&e)),
            },
            Some(frame) = frames_in.recv() => (vec![frame.to_string()], Step::Continue),
            _ = ping.tick() => {
                if awaiting_pong {
                    (vec![], Step::Close(1001, "no pong"))
                } else {
                    awaiting_pong = true;
                    if sink.send(Message::Ping(Vec::new())).await.is_err() { break }
                    (vec![], Step::Continue)
                }
            }
            _ = session_timer.tick() => (vec![], me.session_step().await),
            // Only shutdown ever changes it.
            Ok(()) = closing.changed() => (vec![], Step::Close(1001, "server shutting down")),
        };
        let mut failed = false;
        for reply in replies {
            if sink.send(Message::Text(reply)).await.is_err() {
                failed = true;
                break;
            }
        }
        if failed {
            break;
        }
        if let Step::Close(code, reason) = step {
            let _ = sink
                .send(Message::Close(Some((CloseCode::from(code), reason.into()))))
                .await;
            break;
        }
    }
    let _ = sink.close().await;
    drop(guard);
}

/// H5.2: oversized frames → 1009, invalid UTF-8 → 1007, anything else → 1011.
fn read_error(e: &std::io::Error) -> Step {
    let text = e.to_string();
    if text.contains("Space limit") || text.contains("too long") {
        Step::Close(1009, "frame too large")
    } else if text.contains("UTF-8") || text.contains("utf-8") {
        Step::Close(1007, "invalid UTF-8")
    } else {
        tracing::debug!(error = %e, "chat socket read failed");
        Step::Close(1011, "socket error")
    }
}

impl Socket {
    /// P9.11: the bound session is still live.
    async fn session_step(&mut self) -> Step {
        match session::by_hash(&self.state, self.id_hash.clone()).await {
            Ok(Some(s)) if s.user_id == self.actor.user_id => Step::Continue,
            Ok(_) => Step::Close(4401, "session ended"),
            Err(_) => Step::Continue,
        }
    }

    async fn on_text(&mut self, text: &str) -> (Vec<String>, Step) {
        if text.len() > MAX_FRAME_BYTES {
            return (vec![], Step::Close(1009, "frame too large"));
        }
        if let Step::Close(code, reason) = self.session_step().await {
            return (vec![], Step::Close(code, reason));
        }
        let now = self.state.clock.now();
        if !self.bucket.try_take(now) {
            if self.dropped.record_exceeds(now) {
                return (vec![], Step::Close(1008, "too many frames"));
            }
            let error = frames::error("rate_limited", "Too many frames; slow down.", None);
            return (vec![error], Step::Continue);
        }
        let Some(frame) = frames::parse(text) else {
            if self.invalid.record_exceeds(now) {
                return (vec![], Step::Close(1008, "too many invalid frames"));
            }
            let reference = frames::frame_type(text);
            let error = frames::error(
                "invalid_frame",
                "The frame is not a valid chat frame.",
                reference.as_deref(),
            );
            return (vec![error], Step::Continue);
        };
        (self.on_frame(frame).await, Step::Continue)
    }

    /// H5.3: the replies for this socket only (deliveries come through the hub).
    async fn on_frame(&mut self, frame: ClientFrame) -> Vec<String> {
        let chat = super::chat(&self.state);
        let now = self.state.clock.now();
        let result = match frame {
            ClientFrame::Send {
                to,
                body,
                client_msg_id,
            } => {
                let reference = client_msg_id.clone().unwrap_or_else(|| "send".into());
                if self
                    .state
                    .chat
                    .limits
                    .message(self.actor.user_id, now)
                    .is_err()
                {
                    return vec![refusal(
                        "rate_limited",
                        "Too many messages; slow down.",
                        &reference,
                    )];
                }
                match chat.send(&self.actor, to, body, client_msg_id, now).await {
                    // The hub delivers a new message to this socket too.
                    Ok(PostMessageOutcome::Created(_)) => Ok(vec![]),
                    // A replay goes to this socket only (H5.3).
                    Ok(PostMessageOutcome::Replayed(m)) => {
                        Ok(vec![frames::event(&domain::ports::ChatEvent::Message {
                            message: m,
                            sender_name: self.actor.username.clone(),
                        })])
                    }
                    Err(e) => Err((e, reference)),
                }
            }
            ClientFrame::Typing { to, state } => {
                let state = TypingState::from(state);
                let throttled = state == TypingState::Start
                    && !self
                        .state
                        .chat
                        .limits
                        .typing_start(self.actor.user_id, to, now);
                if throttled {
                    // P9.9: extra starts are dropped silently; the gate still applies.
                    chat.gate(self.actor.user_id, to)
                        .await
                        .map(|()| vec![])
                        .map_err(|e| (e, "typing".into()))
                } else {
                    chat.typing(&self.actor, to, state)
                        .await
                        .map(|()| vec![])
                        .map_err(|e| (e, "typing".into()))
                }
            }
            ClientFrame::Read { with, up_to } => chat
                .mark_read(&self.actor, with, up_to, now)
                .await
                .map(|_| vec![])
                .map_err(|e| (e, "read".into())),
        };
        result.unwrap_or_else(|(e, reference)| vec![error_frame(&e, &reference)])
    }
}

fn refusal(code: &str, message: &str, reference: &str) -> String {
    frames::error(code, message, Some(reference))
}

/// H5.5 error codes for a refused action.
fn error_frame(e: &ChatError, reference: &str) -> String {
    match e {
        ChatError::Refused(r) => refusal(r.code(), r.message(), reference),
        ChatError::Invalid { .. } => refusal(
            "validation_failed",
            "One or more fields are invalid.",
            reference,
        ),
        ChatError::Store(err) => {
            tracing::error!(error = %err, "chat store failure");
            refusal(
                "internal_error",
                "Something went wrong on our side.",
                reference,
            )
        }
    }
}
