//! Connection requests and connections (P1.6, P1.7, P8). Each operation reads the pair's state
//! and changes it in one write transaction (P8.2), so two users asking each other at the same
//! moment serialise and the second takes the reciprocal branch.

use super::peers::{connected_peers, pending};
use super::{Refusal, settle, write_settling_races};
use crate::schema::accounts::users;
use crate::schema::portal::{connection_requests, connections};
use crate::time::{instant, parse_instant};
use crate::{AnyConnection, SqlStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::portal::connections::{
    ConnectionRefusal, PairState, RequestParties, SendDecision, check_answer, check_cancel,
    check_remove, decide_send,
};
use domain::ports::{
    AnswerRequestError, CancelRequestError, ConnectionLists, ConnectionRequest, ConnectionStore,
    Relationship, RemoveConnectionError, SendRequestError, SendRequestOutcome, StoreError,
    UserConnection,
};

/// The pair as stored: smaller id first (P1.7).
fn sorted(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

fn user_exists(conn: &mut AnyConnection, id: i64) -> Result<bool, DieselError> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::id.eq(id)))).get_result(conn)
}

pub(super) fn find_connection(
    conn: &mut AnyConnection,
    a: i64,
    b: i64,
) -> Result<Option<UserConnection>, DieselError> {
    let (low, high) = sorted(a, b);
    connections::table
        .select((
            connections::id,
            connections::user_low_id,
            connections::user_high_id,
            connections::created_at,
        ))
        .filter(connections::user_low_id.eq(low))
        .filter(connections::user_high_id.eq(high))
        .first::<(i64, i64, i64, String)>(conn)
        .optional()?
        .map(|(id, user_low_id, user_high_id, created_at)| {
            Ok(UserConnection {
                id,
                user_low_id,
                user_high_id,
                created_at: parse_instant(&created_at)?,
            })
        })
        .transpose()
}

fn find_request(
    conn: &mut AnyConnection,
    sender_id: i64,
    receiver_id: i64,
) -> Result<Option<ConnectionRequest>, DieselError> {
    load_requests(
        conn,
        connection_requests::table
            .filter(connection_requests::sender_id.eq(sender_id))
            .filter(connection_requests::receiver_id.eq(receiver_id))
            .into_boxed(),
    )
    .map(|mut found| found.pop())
}

fn request_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<ConnectionRequest>, DieselError> {
    load_requests(
        conn,
        connection_requests::table
            .filter(connection_requests::id.eq(id))
            .into_boxed(),
    )
    .map(|mut found| found.pop())
}

fn load_requests(
    conn: &mut AnyConnection,
    query: connection_requests::BoxedQuery<'static, crate::connection::MultiBackend>,
) -> Result<Vec<ConnectionRequest>, DieselError> {
    query
        .select((
            connection_requests::id,
            connection_requests::sender_id,
            connection_requests::receiver_id,
            connection_requests::created_at,
        ))
        .load::<(i64, i64, i64, String)>(conn)?
        .into_iter()
        .map(|(id, sender_id, receiver_id, created_at)| {
            Ok(ConnectionRequest {
                id,
                sender_id,
                receiver_id,
                created_at: parse_instant(&created_at)?,
            })
        })
        .collect()
}

/// Deletes every request between the pair, in either direction.
fn delete_requests_between(conn: &mut AnyConnection, a: i64, b: i64) -> Result<(), DieselError> {
    diesel::delete(
        connection_requests::table.filter(
            (connection_requests::sender_id
                .eq(a)
                .and(connection_requests::receiver_id.eq(b)))
            .or(connection_requests::sender_id
                .eq(b)
                .and(connection_requests::receiver_id.eq(a))),
        ),
    )
    .execute(conn)
    .map(drop)
}

/// Connects the pair (if not yet) and deletes every request between them (P8.3 row 4, P8.4).
fn connect<E>(
    conn: &mut AnyConnection,
    a: i64,
    b: i64,
    now: DateTime<Utc>,
) -> Result<Result<UserConnection, Refusal<E>>, DieselError> {
    if find_connection(conn, a, b)?.is_none() {
        let (low, high) = sorted(a, b);
        let inserted = diesel::insert_into(connections::table)
            .values((
                connections::user_low_id.eq(low),
                connections::user_high_id.eq(high),
                connections::created_at.eq(instant(now)),
            ))
            .execute(conn);
        if let Err(raced) = settle(inserted)? {
            return Ok(Err(raced));
        }
    }
    delete_requests_between(conn, a, b)?;
    find_connection(conn, a, b)?
        .ok_or(DieselError::NotFound)
        .map(Ok)
}

/// The pair as stored (P8.1), from `a`'s side.
fn pair_state(conn: &mut AnyConnection, a: i64, b: i64) -> Result<PairState, DieselError> {
    if find_connection(conn, a, b)?.is_some() {
        return Ok(PairState::Connected);
    }
    if let Some(r) = find_request(conn, b, a)? {
        return Ok(PairState::Incoming { request_id: r.id });
    }
    Ok(match find_request(conn, a, b)? {
        Some(r) => PairState::Outgoing { request_id: r.id },
        None => PairState::None,
    })
}

/// A refusal the domain's decision cannot give for this operation: a bug, reported as such.
fn unexpected(refusal: ConnectionRefusal) -> StoreError {
    StoreError::InvalidData(format!("unexpected connection refusal {}", refusal.code()))
}

fn send_error(refusal: ConnectionRefusal) -> SendRequestError {
    match refusal {
        ConnectionRefusal::SelfConnection => SendRequestError::SelfRequest,
        ConnectionRefusal::UserNotFound => SendRequestError::UserNotFound,
        ConnectionRefusal::AlreadyConnected => SendRequestError::AlreadyConnected,
        ConnectionRefusal::RequestAlreadyPending { request_id } => {
            SendRequestError::DuplicateRequest { request_id }
        }
        other => SendRequestError::Store(unexpected(other)),
    }
}

fn answer_error(refusal: ConnectionRefusal) -> AnswerRequestError {
    match refusal {
        ConnectionRefusal::NotRequestReceiver => AnswerRequestError::NotReceiver,
        ConnectionRefusal::RequestNotFound => AnswerRequestError::NotFound,
        other => AnswerRequestError::Store(unexpected(other)),
    }
}

fn parties(request: &ConnectionRequest) -> RequestParties {
    RequestParties {
        sender: request.sender_id,
        receiver: request.receiver_id,
    }
}

/// P8.3: the domain decides (`decide_send`) over the pair as stored; this applies it.
fn send_once(
    conn: &mut AnyConnection,
    sender: i64,
    receiver: i64,
    now: DateTime<Utc>,
) -> Result<Result<SendRequestOutcome, Refusal<SendRequestError>>, DieselError> {
    let (exists, state) = if sender == receiver {
        (true, PairState::None)
    } else {
        (
            user_exists(conn, receiver)?,
            pair_state(conn, sender, receiver)?,
        )
    };
    match decide_send(sender, receiver, exists, state) {
        Err(refusal) => return Ok(Err(Refusal::Domain(send_error(refusal)))),
        Ok(SendDecision::Connect) => {
            return Ok(connect(conn, sender, receiver, now)?.map(SendRequestOutcome::Connected));
        }
        Ok(SendDecision::Request) => {}
    }
    let inserted = diesel::insert_into(connection_requests::table)
        .values((
            connection_requests::sender_id.eq(sender),
            connection_requests::receiver_id.eq(receiver),
            connection_requests::created_at.eq(instant(now)),
        ))
        .execute(conn);
    if let Err(raced) = settle(inserted)? {
        return Ok(Err(raced));
    }
    find_request(conn, sender, receiver)?
        .ok_or(DieselError::NotFound)
        .map(|request| Ok(SendRequestOutcome::Requested(request)))
}

/// The request `caller` may answer (P8.4, P8.5): unknown or a third party's → `NotFound`; the
/// sender → `NotReceiver`.
fn answerable(
    conn: &mut AnyConnection,
    caller: i64,
    request_id: i64,
) -> Result<Result<ConnectionRequest, AnswerRequestError>, DieselError> {
    let request = request_by_id(conn, request_id)?;
    Ok(match check_answer(caller, request.as_ref().map(parties)) {
        Ok(()) => request.ok_or(AnswerRequestError::NotFound),
        Err(refusal) => Err(answer_error(refusal)),
    })
}

fn delete_request(conn: &mut AnyConnection, id: i64) -> Result<(), DieselError> {
    diesel::delete(connection_requests::table.filter(connection_requests::id.eq(id)))
        .execute(conn)
        .map(drop)
}

#[async_trait]
impl ConnectionStore for SqlStore {
    async fn send_connection_request(
        &self,
        sender_id: i64,
        receiver_id: i64,
        now: DateTime<Utc>,
    ) -> Result<SendRequestOutcome, SendRequestError> {
        write_settling_races(&self.db, move |conn| {
            send_once(conn, sender_id, receiver_id, now)
        })
        .await?
    }

    async fn accept_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
        now: DateTime<Utc>,
    ) -> Result<UserConnection, AnswerRequestError> {
        write_settling_races(&self.db, move |conn| {
            match answerable(conn, caller_id, request_id)? {
                Ok(request) => connect(conn, request.sender_id, request.receiver_id, now),
                Err(e) => Ok(Err(Refusal::Domain(e))),
            }
        })
        .await?
    }

    async fn decline_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
    ) -> Result<(), AnswerRequestError> {
        self.db
            .write(move |conn| {
                Ok(match answerable(conn, caller_id, request_id)? {
                    Ok(request) => Ok(delete_request(conn, request.id)?),
                    Err(e) => Err(e),
                })
            })
            .await?
    }

    async fn cancel_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
    ) -> Result<(), CancelRequestError> {
        self.db
            .write(move |conn| {
                let request = request_by_id(conn, request_id)?;
                Ok(
                    match (
                        check_cancel(caller_id, request.as_ref().map(parties)),
                        request,
                    ) {
                        (Ok(()), Some(r)) => Ok(delete_request(conn, r.id)?),
                        (Err(ConnectionRefusal::NotRequestSender), _) => {
                            Err(CancelRequestError::NotSender)
                        }
                        (Err(ConnectionRefusal::RequestNotFound) | Ok(()), _) => {
                            Err(CancelRequestError::NotFound)
                        }
                        (Err(other), _) => Err(CancelRequestError::Store(unexpected(other))),
                    },
                )
            })
            .await?
    }

    async fn remove_connection(
        &self,
        caller_id: i64,
        other_id: i64,
    ) -> Result<(), RemoveConnectionError> {
        self.db
            .write(move |conn| {
                let (exists, connection) = if caller_id == other_id {
                    (true, None)
                } else {
                    (
                        user_exists(conn, other_id)?,
                        find_connection(conn, caller_id, other_id)?,
                    )
                };
                let refusal = match check_remove(caller_id, other_id, exists, connection.is_some())
                {
                    Ok(()) => None,
                    Err(ConnectionRefusal::SelfConnection) => {
                        Some(RemoveConnectionError::SelfConnection)
                    }
                    Err(ConnectionRefusal::UserNotFound) => {
                        Some(RemoveConnectionError::UserNotFound)
                    }
                    Err(ConnectionRefusal::ConnectionNotFound) => {
                        Some(RemoveConnectionError::NotConnected)
                    }
                    Err(other) => Some(RemoveConnectionError::Store(unexpected(other))),
                };
                if let Some(refused) = refusal {
                    return Ok(Err(refused));
                }
                let Some(connection) = connection else {
                    return Ok(Err(RemoveConnectionError::NotConnected));
                };
                diesel::delete(connections::table.filter(connections::id.eq(connection.id)))
                    .execute(conn)?;
                delete_requests_between(conn, caller_id, other_id)?;
                Ok(Ok(()))
            })
            .await?
    }

    async fn connection_lists(&self, user_id: i64) -> Result<ConnectionLists, StoreError> {
        self.db
            .read(move |conn| {
                Ok(ConnectionLists {
                    connections: connected_peers(conn, user_id)?,
                    incoming: pending(conn, user_id, true)?,
                    outgoing: pending(conn, user_id, false)?,
                })
            })
            .await
    }

    async fn are_connected(&self, a: i64, b: i64) -> Result<bool, StoreError> {
        if a == b {
            return Ok(false);
        }
        self.db
            .run(move |conn| find_connection(conn, a, b).map(|c| c.is_some()))
            .await
    }

    async fn relationship(&self, user_id: i64, other_id: i64) -> Result<Relationship, StoreError> {
        if user_id == other_id {
            return Ok(Relationship::None);
        }
        self.db
            .read(move |conn| {
                if find_connection(conn, user_id, other_id)?.is_some() {
                    return Ok(Relationship::Connected);
                }
                if let Some(r) = find_request(conn, user_id, other_id)? {
                    return Ok(Relationship::OutgoingPending { request_id: r.id });
                }
                if let Some(r) = find_request(conn, other_id, user_id)? {
                    return Ok(Relationship::IncomingPending { request_id: r.id });
                }
                Ok(Relationship::None)
            })
            .await
    }

    async fn relationships(&self, user_id: i64) -> Result<Vec<(i64, Relationship)>, StoreError> {
        self.db
            .read(move |conn| {
                let mut all: Vec<(i64, Relationship)> = connected_peers(conn, user_id)?
                    .into_iter()
                    .map(|c| (c.peer.id, Relationship::Connected))
                    .collect();
                all.extend(pending(conn, user_id, false)?.into_iter().map(|r| {
                    (
                        r.peer.id,
                        Relationship::OutgoingPending { request_id: r.id },
                    )
                }));
                all.extend(pending(conn, user_id, true)?.into_iter().map(|r| {
                    (
                        r.peer.id,
                        Relationship::IncomingPending { request_id: r.id },
                    )
                }));
                all.sort_by_key(|(id, _)| *id);
                Ok(all)
            })
            .await
    }
}
