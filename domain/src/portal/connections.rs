//! The connection state machine of portal.md P8 as a pure model: the pair states (P8.1), the
//! decisions of send, accept, decline, cancel and remove (P8.3–P8.7) and their refusal codes
//! (P8.12). The SQL store calls these decisions inside its transactions; the property tests
//! here (and the store's agreement test) check the P8.13 invariants.

use std::collections::{BTreeMap, BTreeSet};

/// A refusal of a connection operation, or of a chat action on a pair (P8.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionRefusal {
    SelfConnection,
    UserNotFound,
    AlreadyConnected,
    RequestAlreadyPending { request_id: i64 },
    RequestNotFound,
    NotRequestReceiver,
    NotRequestSender,
    ConnectionNotFound,
    NotConnected,
    RateLimited,
}

impl ConnectionRefusal {
    /// The stable code (H0.11).
    pub fn code(self) -> &'static str {
        match self {
            ConnectionRefusal::SelfConnection => "connection_self",
            ConnectionRefusal::UserNotFound => "user_not_found",
            ConnectionRefusal::AlreadyConnected => "already_connected",
            ConnectionRefusal::RequestAlreadyPending { .. } => "request_already_pending",
            ConnectionRefusal::RequestNotFound => "request_not_found",
            ConnectionRefusal::NotRequestReceiver => "not_request_receiver",
            ConnectionRefusal::NotRequestSender => "not_request_sender",
            ConnectionRefusal::ConnectionNotFound => "connection_not_found",
            ConnectionRefusal::NotConnected => "not_connected",
            ConnectionRefusal::RateLimited => "rate_limited",
        }
    }

    /// The HTTP status of P8.12.
    pub fn status(self) -> u16 {
        match self {
            ConnectionRefusal::SelfConnection => 400,
            ConnectionRefusal::UserNotFound
            | ConnectionRefusal::RequestNotFound
            | ConnectionRefusal::ConnectionNotFound => 404,
            ConnectionRefusal::AlreadyConnected
            | ConnectionRefusal::RequestAlreadyPending { .. } => 409,
            ConnectionRefusal::NotRequestReceiver
            | ConnectionRefusal::NotRequestSender
            | ConnectionRefusal::NotConnected => 403,
            ConnectionRefusal::RateLimited => 429,
        }
    }

    /// The message text of P8.12.
    pub fn message(self) -> &'static str {
        match self {
            ConnectionRefusal::SelfConnection => "You can't connect with yourself.",
            ConnectionRefusal::UserNotFound => "No such user.",
            ConnectionRefusal::AlreadyConnected => "You're already connected.",
            ConnectionRefusal::RequestAlreadyPending { .. } => {
                "You've already sent a request to this person."
            }
            ConnectionRefusal::RequestNotFound => "No such connection request.",
            ConnectionRefusal::NotRequestReceiver => {
                "Only the person who received this request can answer it."
            }
            ConnectionRefusal::NotRequestSender => {
                "Only the person who sent this request can cancel it."
            }
            ConnectionRefusal::ConnectionNotFound => "You're not connected with this person.",
            ConnectionRefusal::NotConnected => {
                "You can only chat with people you're connected with."
            }
            ConnectionRefusal::RateLimited => "Too many requests. Try again later.",
        }
    }
}

/// The state of a pair as seen from `a` (P8.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairState {
    None,
    Connected,
    /// A request a → b.
    Outgoing {
        request_id: i64,
    },
    /// A request b → a.
    Incoming {
        request_id: i64,
    },
}

/// What a successful send does (P8.3 rows 4 and 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendDecision {
    /// Row 4: connect and delete every request between the pair.
    Connect,
    /// Row 6: insert a request.
    Request,
}

/// P8.3 rows 1, 2, 3, 5 and the choice between 4 and 6.
pub fn decide_send(
    sender: i64,
    target: i64,
    target_exists: bool,
    state: PairState,
) -> Result<SendDecision, ConnectionRefusal> {
    if sender == target {
        return Err(ConnectionRefusal::SelfConnection);
    }
    if !target_exists {
        return Err(ConnectionRefusal::UserNotFound);
    }
    match state {
        PairState::Connected => Err(ConnectionRefusal::AlreadyConnected),
        PairState::Incoming { .. } => Ok(SendDecision::Connect),
        PairState::Outgoing { request_id } => {
            Err(ConnectionRefusal::RequestAlreadyPending { request_id })
        }
        PairState::None => Ok(SendDecision::Request),
    }
}

/// Whom a request involves, for the authority checks of P8.4–P8.6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestParties {
    pub sender: i64,
    pub receiver: i64,
}

/// P8.4 / P8.5: only the receiver answers; a third party learns nothing (S7.2).
pub fn check_answer(caller: i64, request: Option<RequestParties>) -> Result<(), ConnectionRefusal> {
    match request {
        Some(r) if r.receiver == caller => Ok(()),
        Some(r) if r.sender == caller => Err(ConnectionRefusal::NotRequestReceiver),
        _ => Err(ConnectionRefusal::RequestNotFound),
    }
}

/// P8.6: only the sender cancels.
pub fn check_cancel(caller: i64, request: Option<RequestParties>) -> Result<(), ConnectionRefusal> {
    match request {
        Some(r) if r.sender == caller => Ok(()),
        Some(r) if r.receiver == caller => Err(ConnectionRefusal::NotRequestSender),
        _ => Err(ConnectionRefusal::RequestNotFound),
    }
}

/// P8.7 row order.
pub fn check_remove(
    caller: i64,
    other: i64,
    other_exists: bool,
    connected: bool,
) -> Result<(), ConnectionRefusal> {
    if caller == other {
        Err(ConnectionRefusal::SelfConnection)
    } else if !other_exists {
        Err(ConnectionRefusal::UserNotFound)
    } else if !connected {
        Err(ConnectionRefusal::ConnectionNotFound)
    } else {
        Ok(())
    }
}

/// One operation of the model (P8.13's random sequences).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionOp {
    Send { from: i64, to: i64 },
    Accept { caller: i64, request_id: i64 },
    Decline { caller: i64, request_id: i64 },
    Cancel { caller: i64, request_id: i64 },
    Remove { caller: i64, other: i64 },
}

/// A successful operation's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionOutcome {
    /// 201 `requested` with the new request's id.
    Requested { request_id: i64 },
    /// 200 `connected`.
    Connected,
    /// 204.
    Done,
}

/// The connection graph in memory: the reference the database must agree with.
#[derive(Clone, Debug, Default)]
pub struct ConnectionModel {
    users: BTreeSet<i64>,
    /// Sorted pairs.
    connections: BTreeSet<(i64, i64)>,
    requests: BTreeMap<i64, RequestParties>,
    next_request_id: i64,
}

fn sorted(a: i64, b: i64) -> (i64, i64) {
    if a < b { (a, b) } else { (b, a) }
}

impl ConnectionModel {
    pub fn new(users: impl IntoIterator<Item = i64>) -> ConnectionModel {
        ConnectionModel {
            users: users.into_iter().collect(),
            next_request_id: 1,
            ..ConnectionModel::default()
        }
    }

    /// `a`'s side of the pair (P8.1).
    pub fn state(&self, a: i64, b: i64) -> PairState {
        if self.connections.contains(&sorted(a, b)) {
            return PairState::Connected;
        }
        for (&id, r) in &self.requests {
            if r.sender == a && r.receiver == b {
                return PairState::Outgoing { request_id: id };
            }
            if r.sender == b && r.receiver == a {
                return PairState::Incoming { request_id: id };
            }
        }
        PairState::None
    }

    /// The chat gate (P9.2).
    pub fn are_connected(&self, a: i64, b: i64) -> bool {
        self.connections.contains(&sorted(a, b))
    }

    /// The pending requests `(id, sender, receiver)`.
    pub fn requests(&self) -> impl Iterator<Item = (i64, RequestParties)> + '_ {
        self.requests.iter().map(|(&id, &r)| (id, r))
    }

    fn drop_requests_between(&mut self, a: i64, b: i64) {
        self.requests
            .retain(|_, r| sorted(r.sender, r.receiver) != sorted(a, b));
    }

    fn connect(&mut self, a: i64, b: i64) {
        self.connections.insert(sorted(a, b));
        self.drop_requests_between(a, b);
    }

    /// Applies one operation as P8.3–P8.7 say.
    pub fn apply(&mut self, op: ConnectionOp) -> Result<ConnectionOutcome, ConnectionRefusal> {
        match op {
            ConnectionOp::Send { from, to } => {
                let exists = self.users.contains(&to);
                match decide_send(from, to, exists, self.state(from, to))? {
                    SendDecision::Connect => {
                        self.connect(from, to);
                        Ok(ConnectionOutcome::Connected)
                    }
                    SendDecision::Request => {
                        let request_id = self.next_request_id;
                        self.next_request_id += 1;
                        let parties = RequestParties {
                            sender: from,
                            receiver: to,
                        };
                        self.requests.insert(request_id, parties);
                        Ok(ConnectionOutcome::Requested { request_id })
                    }
                }
            }
            ConnectionOp::Accept { caller, request_id } => {
                let request = self.requests.get(&request_id).copied();
                check_answer(caller, request)?;
                if let Some(r) = request {
                    self.connect(r.sender, r.receiver);
                }
                Ok(ConnectionOutcome::Connected)
            }
            ConnectionOp::Decline { caller, request_id } => {
                check_answer(caller, self.requests.get(&request_id).copied())?;
                self.requests.remove(&request_id);
                Ok(ConnectionOutcome::Done)
            }
            ConnectionOp::Cancel { caller, request_id } => {
                check_cancel(caller, self.requests.get(&request_id).copied())?;
                self.requests.remove(&request_id);
                Ok(ConnectionOutcome::Done)
            }
            ConnectionOp::Remove { caller, other } => {
                let exists = self.users.contains(&other);
                check_remove(caller, other, exists, self.are_connected(caller, other))?;
                self.connections.remove(&sorted(caller, other));
                self.drop_requests_between(caller, other);
                Ok(ConnectionOutcome::Done)
            }
        }
    }
}

#[cfg(test)]
#[path = "connections_tests.rs"]
mod tests;
