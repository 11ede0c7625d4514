//! The per-deal claim (H2.1.3, H7.5) and its acceptance under concurrency (S14.2).

use super::{STALE, WINDOW, allocated, at, claim, decide, unallocated};
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{
    AllocationClaims, ClaimOutcome, ClaimState, DecisionOutcome, DecisionStore, RecordDecisionError,
};
use sql_store::SqlStore;

async fn first_claim_computes_and_peek_reads_it(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-03-12T00:30:00.123Z");
    assert_eq!(store.peek("5550001").await.unwrap(), None);

    let outcome = store.claim("5550001", now, WINDOW, STALE).await.unwrap();
    let ClaimOutcome::Compute {
        decision_id,
        previous: None,
    } = outcome
    else {
        panic!("a first claim computes, got {outcome:?}");
    };
    let row = store.peek("5550001").await.unwrap().unwrap();
    assert_eq!(row.state, ClaimState::InProgress);
    assert_eq!(row.decision_id, decision_id);
    assert_eq!(row.claimed_at, now);
    assert_eq!(row.decided_at, None);
    assert_eq!(
        store.peek("5550002").await.unwrap(),
        None,
        "other deals are free"
    );
}

async fn a_fresh_claim_waits_and_a_stale_one_is_taken_over(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:30:00Z");
    let first = claim(store, "42", t0).await;

    let waiting = store
        .claim("42", t0 + STALE - TimeDelta::milliseconds(1), WINDOW, STALE)
        .await
        .unwrap();
    assert_eq!(
        waiting,
        ClaimOutcome::InProgress {
            decision_id: first.clone()
        }
    );

    let later = t0 + STALE;
    let ClaimOutcome::Compute {
        decision_id: second,
        previous,
    } = store.claim("42", later, WINDOW, STALE).await.unwrap()
    else {
        panic!("a stale claim is taken over");
    };
    assert_eq!(previous, Some(ClaimState::InProgress));
    assert_ne!(second, first);
    assert_eq!(store.peek("42").await.unwrap().unwrap().claimed_at, later);

    // The crashed worker wakes up: it must not overwrite its successor.
    assert_eq!(
        store
            .record_decision(&allocated(&first, "42", later))
            .await
            .unwrap_err(),
        RecordDecisionError::ClaimLost
    );
    assert_eq!(store.get_decision(&first).await.unwrap(), None);
    store
        .record_decision(&allocated(&second, "42", later))
        .await
        .unwrap();
    let row = store.peek("42").await.unwrap().unwrap();
    assert_eq!(row.state, ClaimState::Decided(DecisionOutcome::Allocated));
    assert_eq!(row.decision_id, second);
    assert_eq!(row.decided_at, Some(later));
}

async fn an_allocation_replays_inside_the_window_then_starts_a_new_round(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:30:00Z");
    let id = decide(store, "42", t0, |id| allocated(id, "42", t0)).await;

    for later in [t0 + TimeDelta::hours(72), t0 + WINDOW] {
        assert_eq!(
            store.claim("42", later, WINDOW, STALE).await.unwrap(),
            ClaimOutcome::Replay {
                decision_id: id.clone()
            }
        );
    }
    let round = t0 + WINDOW + TimeDelta::seconds(1);
    let ClaimOutcome::Compute {
        decision_id,
        previous,
    } = store.claim("42", round, WINDOW, STALE).await.unwrap()
    else {
        panic!("after the window a new round computes");
    };
    assert_eq!(
        previous,
        Some(ClaimState::Decided(DecisionOutcome::Allocated))
    );
    assert_ne!(decision_id, id);
    let row = store.peek("42").await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.decided_at),
        (ClaimState::InProgress, None),
        "the new round starts clean"
    );
}

async fn unallocated_outcomes_are_taken_over_at_once(db: &TestDb) {
    let store = &db.store;
    let t0 = at("2025-03-12T00:30:00Z");
    for (deal, outcome) in [
        ("1", DecisionOutcome::NoEligibleAdviser),
        ("2", DecisionOutcome::UpstreamUnavailable),
    ] {
        decide(store, deal, t0, |id| unallocated(id, deal, t0, outcome)).await;
        assert_eq!(
            store.peek(deal).await.unwrap().unwrap().state,
            ClaimState::Decided(outcome)
        );
        let next = store
            .claim(deal, t0 + TimeDelta::seconds(1), WINDOW, STALE)
            .await
            .unwrap();
        assert!(
            matches!(next, ClaimOutcome::Compute { previous: Some(ClaimState::Decided(o)), .. } if o == outcome),
            "{outcome:?} is re-evaluated, got {next:?}"
        );
    }
}

/// 20 deliveries at once, through the test's store and two stores opened as other processes
/// would: exactly one computes, and once it has recorded, every delivery replays.
async fn concurrent_claims_compute_once_then_replay(db: &TestDb) {
    let stores = [db.store.clone(), db.reopen(), db.reopen()];
    let now = at("2025-03-12T00:30:00Z");
    let claim_all = |now| {
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store: SqlStore = stores[i % stores.len()].clone();
                tokio::spawn(async move { store.claim("777", now, WINDOW, STALE).await })
            })
            .collect();
        async move {
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.unwrap().unwrap());
            }
            outcomes
        }
    };

    let outcomes = claim_all(now).await;
    let computing: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            ClaimOutcome::Compute { decision_id, .. } => Some(decision_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(computing.len(), 1, "exactly one computes: {outcomes:?}");
    let id = computing[0].clone();
    let waiting = outcomes
        .iter()
        .filter(|o| {
            **o == ClaimOutcome::InProgress {
                decision_id: id.clone(),
            }
        })
        .count();
    assert_eq!(waiting, 19, "the rest wait for it: {outcomes:?}");

    stores[1]
        .record_decision(&allocated(&id, "777", now + TimeDelta::seconds(2)))
        .await
        .unwrap();
    let replays = claim_all(now + TimeDelta::seconds(3)).await;
    assert!(
        replays.iter().all(|o| *o
            == ClaimOutcome::Replay {
                decision_id: id.clone()
            }),
        "{replays:?}"
    );
}

crate::on_both_backends!(
    first_claim_computes_and_peek_reads_it,
    a_fresh_claim_waits_and_a_stale_one_is_taken_over,
    an_allocation_replays_inside_the_window_then_starts_a_new_round,
    unallocated_outcomes_are_taken_over_at_once,
    concurrent_claims_compute_once_then_replay,
);
