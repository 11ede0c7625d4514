//! Recording and reading decisions (H2.1.2 step 10, H3.1, H7.6).

use super::{adviser, allocated, at, claim, decide, unallocated};
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{
    AllocationClaims, ClaimState, DecisionOutcome, DecisionStore, HubspotWrite, HubspotWriteStatus,
    RecordDecisionError, StoredDecision,
};

async fn a_decision_round_trips_with_its_claim(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-03-12T00:30:00.250Z");
    let id = claim(store, "5550001", now).await;
    let decision = allocated(&id, "5550001", now + TimeDelta::seconds(1));
    store.record_decision(&decision).await.unwrap();

    let claim = store.peek("5550001").await.unwrap().unwrap();
    assert_eq!(claim.state, ClaimState::Decided(DecisionOutcome::Allocated));
    assert_eq!(claim.decided_at, Some(decision.decided_at));

    let stored = store.get_decision(&id).await.unwrap().unwrap();
    let StoredDecision {
        summary,
        explanation,
        request_sha256,
        hubspot_write,
    } = stored;
    assert_eq!(explanation, decision.explanation, "kept as written");
    assert_eq!(request_sha256, decision.request_sha256);
    assert_eq!(hubspot_write, decision.hubspot_write);
    assert_eq!(summary.id, id);
    assert_eq!(summary.deal_id, "5550001");
    assert_eq!(summary.decided_at, decision.decided_at);
    assert_eq!(summary.outcome, DecisionOutcome::Allocated);
    assert_eq!(summary.service_package, "Series A");
    assert_eq!(summary.household_type.as_deref(), Some("Single"));
    assert_eq!(summary.agreement_start_date, decision.agreement_start_date);
    assert_eq!(summary.chosen, decision.chosen);
    assert_eq!(summary.earliest_week, decision.earliest_week);
    assert!(!summary.fallback);
    assert_eq!(summary.hubspot_write, HubspotWriteStatus::Pending);
    assert_eq!(summary.replay_count, 0);

    assert_eq!(store.get_decision("no-such-id").await.unwrap(), None);
}

async fn other_outcomes_and_failed_writes_round_trip(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-03-12T00:30:00Z");
    let none = decide(store, "1", now, |id| {
        let mut d = unallocated(id, "1", now, DecisionOutcome::NoEligibleAdviser);
        d.household_type = None;
        d.agreement_start_date = None;
        d.fallback = true;
        d
    })
    .await;
    let stored = store.get_decision(&none).await.unwrap().unwrap();
    assert_eq!(stored.summary.outcome, DecisionOutcome::NoEligibleAdviser);
    assert_eq!(stored.summary.chosen, None);
    assert_eq!(stored.summary.household_type, None);
    assert_eq!(stored.summary.agreement_start_date, None);
    assert!(stored.summary.fallback);
    assert_eq!(stored.hubspot_write, HubspotWrite::not_applicable());

    // H2.1.5: an adviser without an owner id is failed at once; the error is cut to 500 chars.
    let no_owner = decide(store, "2", now, |id| {
        let mut d = allocated(id, "2", now);
        d.chosen = Some(adviser("dan@example.com", "Dan", None));
        d.hubspot_write = HubspotWrite {
            status: HubspotWriteStatus::Failed,
            attempts: 0,
            next_attempt_at: None,
            last_error: Some(format!("adviser_has_no_owner_id{}", "!".repeat(600))),
            written_at: None,
        };
        d
    })
    .await;
    let stored = store.get_decision(&no_owner).await.unwrap().unwrap();
    assert_eq!(stored.summary.chosen.unwrap().hubspot_owner_id, None);
    assert_eq!(stored.hubspot_write.status, HubspotWriteStatus::Failed);
    let error = stored.hubspot_write.last_error.unwrap();
    assert!(error.starts_with("adviser_has_no_owner_id"));
    assert_eq!(error.chars().count(), 500);
}

async fn recording_needs_the_claim(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-03-12T00:30:00Z");
    let unclaimed = allocated("never-claimed", "9", now);
    assert_eq!(
        store.record_decision(&unclaimed).await.unwrap_err(),
        RecordDecisionError::ClaimLost,
        "no claim row"
    );

    let id = claim(store, "9", now).await;
    let wrong_deal = allocated(&id, "10", now);
    assert_eq!(
        store.record_decision(&wrong_deal).await.unwrap_err(),
        RecordDecisionError::ClaimLost
    );
    store
        .record_decision(&allocated(&id, "9", now))
        .await
        .unwrap();
    let again = unallocated(&id, "9", now, DecisionOutcome::UpstreamUnavailable);
    assert_eq!(
        store.record_decision(&again).await.unwrap_err(),
        RecordDecisionError::ClaimLost,
        "a round is recorded once"
    );
    let stored = store.get_decision(&id).await.unwrap().unwrap();
    assert_eq!(stored.summary.outcome, DecisionOutcome::Allocated);
    assert_eq!(store.get_decision("never-claimed").await.unwrap(), None);
}

async fn replays_are_counted(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-03-12T00:30:00Z");
    let id = decide(store, "3", now, |id| allocated(id, "3", now)).await;
    assert_eq!(store.add_replay(&id).await.unwrap(), Some(1));
    assert_eq!(store.add_replay(&id).await.unwrap(), Some(2));
    assert_eq!(store.add_replay("no-such-id").await.unwrap(), None);

    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (store, id) = (db.store.clone(), id.clone());
            tokio::spawn(async move { store.add_replay(&id).await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let stored = store.get_decision(&id).await.unwrap().unwrap();
    assert_eq!(stored.summary.replay_count, 12, "no increment is lost");
}

/// S9.6 I3 at the port: what `record_decision` acknowledged is committed, so a store opened
/// afresh (as after a restart) reads it back. The lead's test covers `kill -9` itself.
async fn a_recorded_decision_is_read_back_after_reopening(db: &TestDb) {
    let now = at("2025-03-12T00:30:00Z");
    let id = decide(&db.store, "4", now, |id| allocated(id, "4", now)).await;
    let expected = db.store.get_decision(&id).await.unwrap().unwrap();

    let reopened = db.reopen();
    assert_eq!(reopened.get_decision(&id).await.unwrap(), Some(expected));
    let claim = reopened.peek("4").await.unwrap().unwrap();
    assert_eq!(
        (claim.state, claim.decision_id),
        (ClaimState::Decided(DecisionOutcome::Allocated), id)
    );
}

crate::on_both_backends!(
    a_decision_round_trips_with_its_claim,
    other_outcomes_and_failed_writes_round_trip,
    recording_needs_the_claim,
    replays_are_counted,
    a_recorded_decision_is_read_back_after_reopening,
);
