//! P8.13: random sequences of send, accept, decline, cancel and remove by random users run
//! against the SQL store and the domain's `ConnectionModel`; answers and pair states must agree
//! after every step. Each case uses four fresh users, so the cases share one database.

use super::{T0, at, user};
use crate::harness::TestDb;
use domain::portal::connections::{
    ConnectionModel, ConnectionOp, ConnectionOutcome, ConnectionRefusal, PairState,
};
use domain::ports::{
    AnswerRequestError, CancelRequestError, ConnectionStore, Relationship, RemoveConnectionError,
    SendRequestError, SendRequestOutcome,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Model users 1..=4; 5 stands for a user that does not exist.
const MISSING: i64 = 5;
const NO_SUCH_ID: i64 = 9_000_000_000;

/// `(kind, actor, target or request index)`.
fn steps() -> impl Strategy<Value = Vec<(u8, i64, i64)>> {
    proptest::collection::vec((0u8..5, 1i64..MISSING, 0i64..=MISSING + 6), 1..25)
}

fn model_op(kind: u8, actor: i64, arg: i64) -> ConnectionOp {
    let target = arg % MISSING + 1;
    match kind {
        0 => ConnectionOp::Send {
            from: actor,
            to: target,
        },
        1 => ConnectionOp::Accept {
            caller: actor,
            request_id: arg,
        },
        2 => ConnectionOp::Decline {
            caller: actor,
            request_id: arg,
        },
        3 => ConnectionOp::Cancel {
            caller: actor,
            request_id: arg,
        },
        _ => ConnectionOp::Remove {
            caller: actor,
            other: target,
        },
    }
}

struct Ids {
    users: Vec<i64>,
    /// Database ids of the requests the model numbered 1, 2, ...
    requests: Vec<i64>,
}

impl Ids {
    fn user(&self, model: i64) -> i64 {
        self.users
            .get(model as usize - 1)
            .copied()
            .unwrap_or(NO_SUCH_ID)
    }
    fn request(&self, model: i64) -> i64 {
        usize::try_from(model - 1)
            .ok()
            .and_then(|i| self.requests.get(i).copied())
            .unwrap_or(NO_SUCH_ID)
    }
}

fn send_code(e: SendRequestError) -> ConnectionRefusal {
    match e {
        SendRequestError::SelfRequest => ConnectionRefusal::SelfConnection,
        SendRequestError::UserNotFound => ConnectionRefusal::UserNotFound,
        SendRequestError::AlreadyConnected => ConnectionRefusal::AlreadyConnected,
        SendRequestError::DuplicateRequest { .. } => {
            ConnectionRefusal::RequestAlreadyPending { request_id: 0 }
        }
        SendRequestError::Store(e) => panic!("store failure: {e}"),
    }
}

fn answer_code(e: AnswerRequestError) -> ConnectionRefusal {
    match e {
        AnswerRequestError::NotFound => ConnectionRefusal::RequestNotFound,
        AnswerRequestError::NotReceiver => ConnectionRefusal::NotRequestReceiver,
        AnswerRequestError::Store(e) => panic!("store failure: {e}"),
    }
}

/// Runs one op on the store; request ids in the answer are dropped (they differ by design).
async fn run_on_store(
    db: &TestDb,
    ids: &mut Ids,
    op: ConnectionOp,
) -> Result<ConnectionOutcome, ConnectionRefusal> {
    let s = &db.store;
    let now = at(T0);
    match op {
        ConnectionOp::Send { from, to } => match s
            .send_connection_request(ids.user(from), ids.user(to), now)
            .await
        {
            Ok(SendRequestOutcome::Requested(r)) => {
                ids.requests.push(r.id);
                Ok(ConnectionOutcome::Requested {
                    request_id: ids.requests.len() as i64,
                })
            }
            Ok(SendRequestOutcome::Connected(_)) => Ok(ConnectionOutcome::Connected),
            Err(e) => Err(send_code(e)),
        },
        ConnectionOp::Accept { caller, request_id } => s
            .accept_connection_request(ids.user(caller), ids.request(request_id), now)
            .await
            .map(|_| ConnectionOutcome::Connected)
            .map_err(answer_code),
        ConnectionOp::Decline { caller, request_id } => s
            .decline_connection_request(ids.user(caller), ids.request(request_id))
            .await
            .map(|()| ConnectionOutcome::Done)
            .map_err(answer_code),
        ConnectionOp::Cancel { caller, request_id } => s
            .cancel_connection_request(ids.user(caller), ids.request(request_id))
            .await
            .map(|()| ConnectionOutcome::Done)
            .map_err(|e| match e {
                CancelRequestError::NotFound => ConnectionRefusal::RequestNotFound,
                CancelRequestError::NotSender => ConnectionRefusal::NotRequestSender,
                CancelRequestError::Store(e) => panic!("store failure: {e}"),
            }),
        ConnectionOp::Remove { caller, other } => s
            .remove_connection(ids.user(caller), ids.user(other))
            .await
            .map(|()| ConnectionOutcome::Done)
            .map_err(|e| match e {
                RemoveConnectionError::SelfConnection => ConnectionRefusal::SelfConnection,
                RemoveConnectionError::UserNotFound => ConnectionRefusal::UserNotFound,
                RemoveConnectionError::NotConnected => ConnectionRefusal::ConnectionNotFound,
                RemoveConnectionError::Store(e) => panic!("store failure: {e}"),
            }),
    }
}

/// The model's answer with the pending request's id blanked, as the store's is.
fn comparable(
    r: Result<ConnectionOutcome, ConnectionRefusal>,
) -> Result<ConnectionOutcome, ConnectionRefusal> {
    r.map_err(|e| match e {
        ConnectionRefusal::RequestAlreadyPending { .. } => {
            ConnectionRefusal::RequestAlreadyPending { request_id: 0 }
        }
        other => other,
    })
}

async fn states_agree(db: &TestDb, ids: &Ids, model: &ConnectionModel) {
    for a in 1..MISSING {
        for b in 1..MISSING {
            if a == b {
                continue;
            }
            let stored = db
                .store
                .relationship(ids.user(a), ids.user(b))
                .await
                .unwrap();
            let expected = match model.state(a, b) {
                PairState::None => Relationship::None,
                PairState::Connected => Relationship::Connected,
                PairState::Outgoing { request_id } => Relationship::OutgoingPending {
                    request_id: ids.request(request_id),
                },
                PairState::Incoming { request_id } => Relationship::IncomingPending {
                    request_id: ids.request(request_id),
                },
            };
            assert_eq!(stored, expected, "pair {a}-{b}");
            let connected = db
                .store
                .are_connected(ids.user(a), ids.user(b))
                .await
                .unwrap();
            assert_eq!(connected, model.are_connected(a, b), "chat gate {a}-{b}");
        }
    }
}

static CASES: AtomicUsize = AtomicUsize::new(0);

async fn store_agrees_with_the_model(db: &TestDb) {
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    tokio::task::block_in_place(|| {
        runner.run(&steps(), |steps| {
            handle.block_on(async {
                let case = CASES.fetch_add(1, Ordering::SeqCst);
                let mut users = Vec::new();
                for n in 1..MISSING {
                    users.push(user(db, &format!("u{case}x{n}")).await);
                }
                let mut ids = Ids {
                    users,
                    requests: Vec::new(),
                };
                let mut model = ConnectionModel::new(1..MISSING);
                for (kind, actor, arg) in steps {
                    let op = model_op(kind, actor, arg);
                    let expected = comparable(model.apply(op));
                    let got = run_on_store(db, &mut ids, op).await;
                    assert_eq!(got, expected, "{op:?}");
                    states_agree(db, &ids, &model).await;
                }
            });
            Ok(())
        })
    })
    .unwrap();
}

crate::on_both_backends!(store_agrees_with_the_model);
