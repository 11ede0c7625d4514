//! Connections (http-api.md H4.5; portal.md P8.3–P8.10): list, send, accept, decline, cancel,
//! remove. The rules are the domain's; this maps JSON and the P8.12 refusals.

use crate::auth;
use crate::body::JsonBody;
use crate::chat;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::portal::connections::ConnectionRefusal;
use domain::ports::{ConnectionRequest, Peer, SendRequestOutcome, UserConnection, UserSummary};
use domain::usecase::portal::connections::{ConnectionError, summaries};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug)]
pub struct ConnectionsApi;

/// `UserRef` (H4): another user as the portal shows them; never an email.
#[derive(Debug, Clone, PartialEq, Object, Serialize)]
pub struct UserRef {
    pub id: i64,
    pub username: String,
    pub headline: Option<String>,
    /// `/api/portal/users/{id}/photo?v=<first 8 hex of the file name>`, or null.
    pub photo_url: Option<String>,
}

impl UserRef {
    /// From the user's summary, or from the peer alone when the summary is missing.
    pub fn of(peer: &Peer, users: &HashMap<i64, UserSummary>) -> UserRef {
        match users.get(&peer.id) {
            Some(s) => UserRef {
                id: s.id,
                username: s.username.clone(),
                headline: s.headline.clone(),
                photo_url: crate::routes::portal::users::photo_url(s.id, s.photo.as_ref()),
            },
            None => UserRef {
                id: peer.id,
                username: peer.username.clone(),
                headline: None,
                photo_url: None,
            },
        }
    }
}

/// A connection from the caller's side.
#[derive(Debug, Object)]
pub struct ConnectionView {
    pub user: UserRef,
    pub connected_at: String,
}

#[derive(Debug, Object)]
pub struct IncomingRequest {
    pub id: i64,
    pub from: UserRef,
    pub created_at: String,
}

#[derive(Debug, Object)]
pub struct OutgoingRequest {
    pub id: i64,
    pub to: UserRef,
    pub created_at: String,
}

/// P8.10.
#[derive(Debug, Object)]
pub struct ConnectionLists {
    pub connections: Vec<ConnectionView>,
    pub incoming: Vec<IncomingRequest>,
    pub outgoing: Vec<OutgoingRequest>,
}

/// `{"user_id"}`.
#[derive(Debug, Object, Deserialize)]
pub struct ConnectionRequestInput {
    pub user_id: i64,
}

/// `{"result": "requested", "request"}`.
#[derive(Debug, Object)]
pub struct Requested {
    /// Always `requested`.
    pub result: String,
    pub request: OutgoingRequest,
}

/// `{"result": "connected", "connection"}`.
#[derive(Debug, Object)]
pub struct Connected {
    /// Always `connected`.
    pub result: String,
    pub connection: ConnectionView,
}

#[derive(Debug, ApiResponse)]
pub enum SendAnswer {
    /// P8.3 row 6: a new request.
    #[oai(status = 201)]
    Requested(Json<Requested>),
    /// P8.3 row 4: the other user had asked; now connected.
    #[oai(status = 200)]
    Connected(Json<Connected>),
}

#[derive(Debug, ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi]
impl ConnectionsApi {
    /// The caller's connections and pending requests (P8.10).
    #[oai(
        path = "/api/portal/connections",
        method = "get",
        tag = "ApiTags::PortalConnections"
    )]
    async fn list_connections(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<ConnectionLists>> {
        let me = auth::require_session(&state, request).await?;
        let overview = chat::connections(&state)
            .overview(me.user_id)
            .await
            .map_err(connection_error)?;
        let (lists, users) = (overview.lists, overview.users);
        Ok(Json(ConnectionLists {
            connections: lists
                .connections
                .iter()
                .map(|c| ConnectionView {
                    user: UserRef::of(&c.peer, &users),
                    connected_at: instant(c.connected_at),
                })
                .collect(),
            incoming: lists
                .incoming
                .iter()
                .map(|r| IncomingRequest {
                    id: r.id,
                    from: UserRef::of(&r.peer, &users),
                    created_at: instant(r.created_at),
                })
                .collect(),
            outgoing: lists
                .outgoing
                .iter()
                .map(|r| OutgoingRequest {
                    id: r.id,
                    to: UserRef::of(&r.peer, &users),
                    created_at: instant(r.created_at),
                })
                .collect(),
        }))
    }

    /// Sends a connection request, or connects when the other user had asked (P8.3).
    #[oai(
        path = "/api/portal/connections/requests",
        method = "post",
        tag = "ApiTags::PortalConnections"
    )]
    async fn send_request(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<ConnectionRequestInput>,
    ) -> ApiResult<SendAnswer> {
        let me = auth::require_session(&state, request).await?;
        let target = body.0.user_id;
        let uc = chat::connections(&state);
        uc.check_target(me.user_id, target)
            .await
            .map_err(connection_error)?;
        let now = state.clock.now();
        if let Err(retry) = state.chat.limits.connection_request(me.user_id, now) {
            return Err(refused(ConnectionRefusal::RateLimited).retry_after(retry));
        }
        match uc
            .send(me.user_id, target, now)
            .await
            .map_err(connection_error)?
        {
            SendRequestOutcome::Requested(r) => {
                let to = user_ref(&state, target).await?;
                Ok(SendAnswer::Requested(Json(Requested {
                    result: "requested".into(),
                    request: outgoing(&r, to),
                })))
            }
            SendRequestOutcome::Connected(c) => Ok(SendAnswer::Connected(Json(
                connected(&state, me.user_id, &c).await?,
            ))),
        }
    }

    /// Accepts a request the caller received (P8.4).
    #[oai(
        path = "/api/portal/connections/requests/:id/accept",
        method = "post",
        tag = "ApiTags::PortalConnections"
    )]
    async fn accept_request(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<Json<Connected>> {
        let me = auth::require_session(&state, request).await?;
        let connection = chat::connections(&state)
            .accept(me.user_id, id.0, state.clock.now())
            .await
            .map_err(connection_error)?;
        Ok(Json(connected(&state, me.user_id, &connection).await?))
    }

    /// Declines a request the caller received (P8.5).
    #[oai(
        path = "/api/portal/connections/requests/:id/decline",
        method = "post",
        tag = "ApiTags::PortalConnections"
    )]
    async fn decline_request(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<Done> {
        let me = auth::require_session(&state, request).await?;
        done(chat::connections(&state).decline(me.user_id, id.0).await)
    }

    /// Cancels a request the caller sent (P8.6).
    #[oai(
        path = "/api/portal/connections/requests/:id",
        method = "delete",
        tag = "ApiTags::PortalConnections"
    )]
    async fn cancel_request(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<Done> {
        let me = auth::require_session(&state, request).await?;
        done(chat::connections(&state).cancel(me.user_id, id.0).await)
    }

    /// Removes a connection; either party may (P8.7). Messages are kept (P8.9).
    #[oai(
        path = "/api/portal/connections/:user_id",
        method = "delete",
        tag = "ApiTags::PortalConnections"
    )]
    async fn remove_connection(
        &self,
        state: Data<&AppState>,
        request: &Request,
        user_id: Path<i64>,
    ) -> ApiResult<Done> {
        let me = auth::require_session(&state, request).await?;
        done(
            chat::connections(&state)
                .remove(me.user_id, user_id.0)
                .await,
        )
    }
}

fn outgoing(r: &ConnectionRequest, to: UserRef) -> OutgoingRequest {
    OutgoingRequest {
        id: r.id,
        to,
        created_at: instant(r.created_at),
    }
}

/// `UserRef` of one user.
pub async fn user_ref(state: &AppState, id: i64) -> ApiResult<UserRef> {
    let users = summaries(&state.store, &[id]).await?;
    let peer = Peer {
        id,
        username: String::new(),
    };
    Ok(UserRef::of(&peer, &users))
}

async fn connected(state: &AppState, me: i64, c: &UserConnection) -> ApiResult<Connected> {
    Ok(Connected {
        result: "connected".into(),
        connection: ConnectionView {
            user: user_ref(state, c.other(me)).await?,
            connected_at: instant(c.created_at),
        },
    })
}

/// P8.12 as an API error.
pub fn refused(r: ConnectionRefusal) -> ApiError {
    let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let error = ApiError::new(status, r.code(), r.message());
    match r {
        ConnectionRefusal::RequestAlreadyPending { request_id } => {
            error.with_details(json!({ "request_id": request_id }))
        }
        _ => error,
    }
}

fn done(result: Result<(), ConnectionError>) -> ApiResult<Done> {
    result.map(|()| Done::NoContent).map_err(connection_error)
}

fn connection_error(e: ConnectionError) -> ApiError {
    match e {
        ConnectionError::Refused(r) => refused(r),
        ConnectionError::Store(e) => e.into(),
    }
}
