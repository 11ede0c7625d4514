//! Connection requests and connections (portal.md P8.3–P8.10) over the `ConnectionStore`: the
//! store decides inside its transaction; this maps its answers to the P8.12 refusals and adds the
//! users' public summaries for the lists. The P8.3 rate limit is the caller's (it is per process
//! state, checked after row 2).

use crate::portal::connections::ConnectionRefusal;
use crate::ports::{
    AnswerRequestError, CancelRequestError, ConnectionLists, ConnectionStore,
    RemoveConnectionError, SendRequestError, SendRequestOutcome, StoreError, UserConnection,
    UserStore, UserSummary,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A refused operation, or the store failing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    #[error("refused: {}", .0.code())]
    Refused(ConnectionRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ConnectionRefusal> for ConnectionError {
    fn from(r: ConnectionRefusal) -> Self {
        ConnectionError::Refused(r)
    }
}

impl From<SendRequestError> for ConnectionError {
    fn from(e: SendRequestError) -> Self {
        match e {
            SendRequestError::SelfRequest => ConnectionRefusal::SelfConnection.into(),
            SendRequestError::UserNotFound => ConnectionRefusal::UserNotFound.into(),
            SendRequestError::AlreadyConnected => ConnectionRefusal::AlreadyConnected.into(),
            SendRequestError::DuplicateRequest { request_id } => {
                ConnectionRefusal::RequestAlreadyPending { request_id }.into()
            }
            SendRequestError::Store(e) => e.into(),
        }
    }
}

impl From<AnswerRequestError> for ConnectionError {
    fn from(e: AnswerRequestError) -> Self {
        match e {
            AnswerRequestError::NotFound => ConnectionRefusal::RequestNotFound.into(),
            AnswerRequestError::NotReceiver => ConnectionRefusal::NotRequestReceiver.into(),
            AnswerRequestError::Store(e) => e.into(),
        }
    }
}

impl From<CancelRequestError> for ConnectionError {
    fn from(e: CancelRequestError) -> Self {
        match e {
            CancelRequestError::NotFound => ConnectionRefusal::RequestNotFound.into(),
            CancelRequestError::NotSender => ConnectionRefusal::NotRequestSender.into(),
            CancelRequestError::Store(e) => e.into(),
        }
    }
}

impl From<RemoveConnectionError> for ConnectionError {
    fn from(e: RemoveConnectionError) -> Self {
        match e {
            RemoveConnectionError::SelfConnection => ConnectionRefusal::SelfConnection.into(),
            RemoveConnectionError::UserNotFound => ConnectionRefusal::UserNotFound.into(),
            RemoveConnectionError::NotConnected => ConnectionRefusal::ConnectionNotFound.into(),
            RemoveConnectionError::Store(e) => e.into(),
        }
    }
}

/// The lists of P8.10 with every listed user's summary (headline, photo).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionOverview {
    pub lists: ConnectionLists,
    pub users: HashMap<i64, UserSummary>,
}

/// The connection use cases.
#[derive(Clone, Debug)]
pub struct Connections<C, U> {
    pub connections: C,
    pub users: U,
}

impl<C: ConnectionStore, U: UserStore> Connections<C, U> {
    pub fn new(connections: C, users: U) -> Self {
        Connections { connections, users }
    }

    /// P8.3 rows 1 and 2, checked before the rate limit (which the caller applies next).
    pub async fn check_target(&self, caller: i64, target: i64) -> Result<(), ConnectionError> {
        if caller == target {
            return Err(ConnectionRefusal::SelfConnection.into());
        }
        match self.users.get_user(target).await? {
            Some(_) => Ok(()),
            None => Err(ConnectionRefusal::UserNotFound.into()),
        }
    }

    /// P8.3 in one store transaction.
    pub async fn send(
        &self,
        caller: i64,
        target: i64,
        now: DateTime<Utc>,
    ) -> Result<SendRequestOutcome, ConnectionError> {
        Ok(self
            .connections
            .send_connection_request(caller, target, now)
            .await?)
    }

    /// P8.4.
    pub async fn accept(
        &self,
        caller: i64,
        request_id: i64,
        now: DateTime<Utc>,
    ) -> Result<UserConnection, ConnectionError> {
        Ok(self
            .connections
            .accept_connection_request(caller, request_id, now)
            .await?)
    }

    /// P8.5.
    pub async fn decline(&self, caller: i64, request_id: i64) -> Result<(), ConnectionError> {
        Ok(self
            .connections
            .decline_connection_request(caller, request_id)
            .await?)
    }

    /// P8.6.
    pub async fn cancel(&self, caller: i64, request_id: i64) -> Result<(), ConnectionError> {
        Ok(self
            .connections
            .cancel_connection_request(caller, request_id)
            .await?)
    }

    /// P8.7.
    pub async fn remove(&self, caller: i64, other: i64) -> Result<(), ConnectionError> {
        Ok(self.connections.remove_connection(caller, other).await?)
    }

    /// P8.10.
    pub async fn overview(&self, caller: i64) -> Result<ConnectionOverview, ConnectionError> {
        let lists = self.connections.connection_lists(caller).await?;
        let ids: Vec<i64> = lists
            .connections
            .iter()
            .map(|c| c.peer.id)
            .chain(lists.incoming.iter().map(|r| r.peer.id))
            .chain(lists.outgoing.iter().map(|r| r.peer.id))
            .collect();
        let users = summaries(&self.users, &ids).await?;
        Ok(ConnectionOverview { lists, users })
    }
}

/// The public summaries of `ids`, by id (one store call).
pub async fn summaries<U: UserStore>(
    users: &U,
    ids: &[i64],
) -> Result<HashMap<i64, UserSummary>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    Ok(users
        .user_summaries(&unique)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

#[cfg(test)]
#[path = "connections_tests.rs"]
mod tests;
