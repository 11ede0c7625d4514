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

/// P8.3 rows 1–6.
fn send_once(
    conn: &mut AnyConnection,
    sender: i64,
    receiver: i64,
    now: DateTime<Utc>,
) -> Result<Result<SendRequestOutcome, Refusal<SendRequestError>>, DieselError> {
    let refuse = |e| Ok(Err(Refusal::Domain(e)));
    if sender == receiver {
        return refuse(SendRequestError::SelfRequest);
    }
    if !user_exists(conn, receiver)? {
        return refuse(SendRequestError::UserNotFound);
    }
    if find_connection(conn, sender, receiver)?.is_some() {
        return refuse(SendRequestError::AlreadyConnected);
    }
    if find_request(conn, receiver, sender)?.is_some() {
        return Ok(connect(conn, sender, receiver, now)?.map(SendRequestOutcome::Connected));
    }
    if let Some(pending) = find_request(conn, sender, receiver)? {
        return refuse(SendRequestError::DuplicateRequest {
            request_id: pending.id,
        });
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
    Ok(match request_by_id(conn, request_id)? {
        Some(r) if r.receiver_id == caller => Ok(r),
        Some(r) if r.sender_id == caller => Err(AnswerRequestError::NotReceiver),
        _ => Err(AnswerRequestError::NotFound),
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
                Ok(match request_by_id(conn, request_id)? {
                    Some(r) if r.sender_id == caller_id => Ok(delete_request(conn, r.id)?),
                    Some(r) if r.receiver_id == caller_id => Err(CancelRequestError::NotSender),
                    _ => Err(CancelRequestError::NotFound),
                })
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
                if caller_id == other_id {
                    return Ok(Err(RemoveConnectionError::SelfConnection));
                }
                if !user_exists(conn, other_id)? {
                    return Ok(Err(RemoveConnectionError::UserNotFound));
                }
                let Some(connection) = find_connection(conn, caller_id, other_id)? else {
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
