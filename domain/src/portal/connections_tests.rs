use super::*;
use proptest::prelude::*;

const USERS: [i64; 4] = [1, 2, 3, 4];

/// Any user, or one that does not exist.
fn user() -> impl Strategy<Value = i64> {
    prop_oneof![4 => proptest::sample::select(USERS.to_vec()), 1 => Just(99)]
}

/// Request ids the sequence may have created, and some it cannot have.
fn request_id() -> impl Strategy<Value = i64> {
    0i64..12
}

pub fn op() -> impl Strategy<Value = ConnectionOp> {
    prop_oneof![
        3 => (user(), user()).prop_map(|(from, to)| ConnectionOp::Send { from, to }),
        2 => (user(), request_id()).prop_map(|(caller, request_id)| ConnectionOp::Accept { caller, request_id }),
        1 => (user(), request_id()).prop_map(|(caller, request_id)| ConnectionOp::Decline { caller, request_id }),
        1 => (user(), request_id()).prop_map(|(caller, request_id)| ConnectionOp::Cancel { caller, request_id }),
        1 => (user(), user()).prop_map(|(caller, other)| ConnectionOp::Remove { caller, other }),
    ]
}

const P8_12_CODES: [&str; 8] = [
    "connection_self",
    "user_not_found",
    "already_connected",
    "request_already_pending",
    "request_not_found",
    "not_request_receiver",
    "not_request_sender",
    "connection_not_found",
];

fn check_invariants(model: &ConnectionModel) {
    for a in USERS {
        for b in USERS {
            if a == b {
                continue;
            }
            let ab = model.state(a, b);
            let ba = model.state(b, a);
            // Symmetry: A sees B exactly as B sees A, mirrored.
            match ab {
                PairState::Connected => assert_eq!(ba, PairState::Connected),
                PairState::None => assert_eq!(ba, PairState::None),
                PairState::Outgoing { request_id } => {
                    assert_eq!(ba, PairState::Incoming { request_id })
                }
                PairState::Incoming { request_id } => {
                    assert_eq!(ba, PairState::Outgoing { request_id })
                }
            }
            assert_eq!(model.are_connected(a, b), ab == PairState::Connected);
            let between: Vec<_> = model
                .requests()
                .filter(|(_, r)| {
                    (r.sender, r.receiver) == (a, b) || (r.sender, r.receiver) == (b, a)
                })
                .collect();
            // Never a connection and a request; never requests both ways.
            if ab == PairState::Connected {
                assert!(
                    between.is_empty(),
                    "{a}-{b} connected with requests {between:?}"
                );
            }
            assert!(between.len() <= 1, "{a}-{b} has {between:?}");
        }
    }
}

proptest! {
    /// P8.13 on the model: random sequences of operations by random users.
    #[test]
    fn p8_13_invariants_hold_after_any_sequence(ops in proptest::collection::vec(op(), 1..60)) {
        let mut model = ConnectionModel::new(USERS);
        for op in ops {
            if let Err(refusal) = model.apply(op) {
                prop_assert!(P8_12_CODES.contains(&refusal.code()), "{op:?} → {refusal:?}");
            }
            check_invariants(&model);
        }
    }
}

#[test]
fn p8_3_reciprocal_send_connects_and_clears_requests() {
    let mut m = ConnectionModel::new(USERS);
    assert_eq!(
        m.apply(ConnectionOp::Send { from: 1, to: 2 }),
        Ok(ConnectionOutcome::Requested { request_id: 1 })
    );
    assert_eq!(
        m.apply(ConnectionOp::Send { from: 1, to: 2 }),
        Err(ConnectionRefusal::RequestAlreadyPending { request_id: 1 })
    );
    assert_eq!(
        m.apply(ConnectionOp::Send { from: 2, to: 1 }),
        Ok(ConnectionOutcome::Connected)
    );
    assert_eq!(m.requests().count(), 0);
    assert_eq!(
        m.apply(ConnectionOp::Send { from: 1, to: 2 }),
        Err(ConnectionRefusal::AlreadyConnected)
    );
    assert_eq!(
        m.apply(ConnectionOp::Send { from: 1, to: 1 }),
        Err(ConnectionRefusal::SelfConnection)
    );
    assert_eq!(
        m.apply(ConnectionOp::Send { from: 1, to: 99 }),
        Err(ConnectionRefusal::UserNotFound)
    );
}

#[test]
fn p8_4_to_p8_6_authority() {
    let mut m = ConnectionModel::new(USERS);
    m.apply(ConnectionOp::Send { from: 3, to: 1 }).unwrap();
    let accept = |caller| ConnectionOp::Accept {
        caller,
        request_id: 1,
    };
    assert_eq!(m.apply(accept(2)), Err(ConnectionRefusal::RequestNotFound));
    assert_eq!(
        m.apply(accept(3)),
        Err(ConnectionRefusal::NotRequestReceiver)
    );
    assert_eq!(
        m.apply(ConnectionOp::Cancel {
            caller: 1,
            request_id: 1
        }),
        Err(ConnectionRefusal::NotRequestSender)
    );
    assert_eq!(
        m.apply(ConnectionOp::Decline {
            caller: 1,
            request_id: 1
        }),
        Ok(ConnectionOutcome::Done)
    );
    assert_eq!(m.apply(accept(1)), Err(ConnectionRefusal::RequestNotFound));
    assert_eq!(
        m.apply(ConnectionOp::Remove {
            caller: 1,
            other: 3
        }),
        Err(ConnectionRefusal::ConnectionNotFound)
    );
}

#[test]
fn p8_12_statuses() {
    assert_eq!(ConnectionRefusal::SelfConnection.status(), 400);
    assert_eq!(ConnectionRefusal::NotConnected.status(), 403);
    assert_eq!(
        ConnectionRefusal::RequestAlreadyPending { request_id: 1 }.status(),
        409
    );
    assert_eq!(ConnectionRefusal::RateLimited.status(), 429);
}
