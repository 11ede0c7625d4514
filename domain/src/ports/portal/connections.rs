//! Connection requests and connections (portal.md P1.6, P1.7, P8). Every write is one write
//! transaction that reads the pair's state and changes it, so concurrent operations serialise
//! (P8.2) and the pair invariants of P8.13 hold in the database.

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Another user as the portal lists them: the id, and the username the lists are ordered by.
/// Headlines and photos come from the profiles (`UserStore::user_summaries`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub id: i64,
    pub username: String,
}

/// A pending request (only pending requests exist, P1.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionRequest {
    pub id: i64,
    pub sender_id: i64,
    pub receiver_id: i64,
    pub created_at: DateTime<Utc>,
}

/// A connection, stored as the sorted pair (P1.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserConnection {
    pub id: i64,
    pub user_low_id: i64,
    pub user_high_id: i64,
    pub created_at: DateTime<Utc>,
}

impl UserConnection {
    /// The member of the pair who is not `me`.
    pub fn other(&self, me: i64) -> i64 {
        if self.user_low_id == me {
            self.user_high_id
        } else {
            self.user_low_id
        }
    }
}

/// P8.3 rows 4 and 6.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendRequestOutcome {
    /// A new pending request.
    Requested(ConnectionRequest),
    /// The target had already asked: connected, every request between the pair deleted.
    Connected(UserConnection),
}

/// P8.3 rows 1, 2, 3 and 5.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendRequestError {
    #[error("cannot connect with oneself")]
    SelfRequest,
    #[error("no such user")]
    UserNotFound,
    #[error("already connected")]
    AlreadyConnected,
    #[error("a request to this user is already pending")]
    DuplicateRequest { request_id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Accepting or declining (P8.4, P8.5).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerRequestError {
    /// Unknown id, or the caller is neither sender nor receiver (S7.2).
    #[error("no such connection request")]
    NotFound,
    /// The caller sent it.
    #[error("only the receiver can answer a request")]
    NotReceiver,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Cancelling (P8.6).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CancelRequestError {
    #[error("no such connection request")]
    NotFound,
    /// The caller received it.
    #[error("only the sender can cancel a request")]
    NotSender,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Removing a connection (P8.7).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RemoveConnectionError {
    #[error("cannot disconnect from oneself")]
    SelfConnection,
    #[error("no such user")]
    UserNotFound,
    #[error("not connected")]
    NotConnected,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The pair state from one user's side (P8.1, P8.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relationship {
    None,
    Connected,
    OutgoingPending { request_id: i64 },
    IncomingPending { request_id: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectedPeer {
    pub peer: Peer,
    pub connected_at: DateTime<Utc>,
}

/// A request seen from one side: `peer` is the sender of an incoming request and the receiver
/// of an outgoing one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRequest {
    pub id: i64,
    pub peer: Peer,
    pub created_at: DateTime<Utc>,
}

/// P8.10: connections by case-folded username (then id); requests newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionLists {
    pub connections: Vec<ConnectedPeer>,
    pub incoming: Vec<PendingRequest>,
    pub outgoing: Vec<PendingRequest>,
}

/// The connection graph (P8).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// P8.3 rows 1–6 in one write transaction (the rate limit is the caller's).
    async fn send_connection_request(
        &self,
        sender_id: i64,
        receiver_id: i64,
        now: DateTime<Utc>,
    ) -> Result<SendRequestOutcome, SendRequestError>;

    /// P8.4: creates the connection if absent and deletes every request between the pair.
    async fn accept_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
        now: DateTime<Utc>,
    ) -> Result<UserConnection, AnswerRequestError>;

    /// P8.5: deletes the request.
    async fn decline_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
    ) -> Result<(), AnswerRequestError>;

    /// P8.6: deletes the request.
    async fn cancel_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
    ) -> Result<(), CancelRequestError>;

    /// P8.7: deletes the connection and every request between the pair. Messages stay (P8.9).
    async fn remove_connection(
        &self,
        caller_id: i64,
        other_id: i64,
    ) -> Result<(), RemoveConnectionError>;

    async fn connection_lists(&self, user_id: i64) -> Result<ConnectionLists, StoreError>;

    /// The chat gate (P9.2): read at the moment of asking.
    async fn are_connected(&self, a: i64, b: i64) -> Result<bool, StoreError>;

    /// `user_id`'s side of the pair with `other_id`.
    async fn relationship(&self, user_id: i64, other_id: i64) -> Result<Relationship, StoreError>;

    /// Every user `user_id` has a relationship other than `None` with (the directory, P8.11).
    async fn relationships(&self, user_id: i64) -> Result<Vec<(i64, Relationship)>, StoreError>;
}

#[async_trait]
impl<T: ConnectionStore + ?Sized> ConnectionStore for Arc<T> {
    async fn send_connection_request(
        &self,
        sender_id: i64,
        receiver_id: i64,
        now: DateTime<Utc>,
    ) -> Result<SendRequestOutcome, SendRequestError> {
        (**self)
            .send_connection_request(sender_id, receiver_id, now)
            .await
    }
    async fn accept_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
        now: DateTime<Utc>,
    ) -> Result<UserConnection, AnswerRequestError> {
        (**self)
            .accept_connection_request(caller_id, request_id, now)
            .await
    }
    async fn decline_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
    ) -> Result<(), AnswerRequestError> {
        (**self)
            .decline_connection_request(caller_id, request_id)
            .await
    }
    async fn cancel_connection_request(
        &self,
        caller_id: i64,
        request_id: i64,
    ) -> Result<(), CancelRequestError> {
        (**self)
            .cancel_connection_request(caller_id, request_id)
            .await
    }
    async fn remove_connection(
        &self,
        caller_id: i64,
        other_id: i64,
    ) -> Result<(), RemoveConnectionError> {
        (**self).remove_connection(caller_id, other_id).await
    }
    async fn connection_lists(&self, user_id: i64) -> Result<ConnectionLists, StoreError> {
        (**self).connection_lists(user_id).await
    }
    async fn are_connected(&self, a: i64, b: i64) -> Result<bool, StoreError> {
        (**self).are_connected(a, b).await
    }
    async fn relationship(&self, user_id: i64, other_id: i64) -> Result<Relationship, StoreError> {
        (**self).relationship(user_id, other_id).await
    }
    async fn relationships(&self, user_id: i64) -> Result<Vec<(i64, Relationship)>, StoreError> {
        (**self).relationships(user_id).await
    }
}
