//! The allocation pipeline (H2.1, H2.2, H3.1, H7.5–H7.7, S9): claims, decisions and their owner
//! write outbox, webhook receipts, Box folders and worker leases.

mod box_folders;
mod claims;
mod decisions;
mod history;
mod leases;
mod outbox;
mod receipts;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use domain::ports::{
    AllocationClaims, ChosenAdviser, ClaimOutcome, DecisionOutcome, DecisionStore, HubspotWrite,
    NewDecision,
};
use sql_store::SqlStore;

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// `ALLOCATION_DEDUPE_DAYS` default (S9.2).
pub const WINDOW: TimeDelta = TimeDelta::days(7);
/// A claim older than this is a crashed worker's (H2.1.3).
pub const STALE: TimeDelta = TimeDelta::seconds(120);

pub fn adviser(email: &str, name: &str, owner: Option<&str>) -> ChosenAdviser {
    ChosenAdviser {
        email: email.into(),
        name: name.into(),
        hubspot_owner_id: owner.map(Into::into),
    }
}

/// An `allocated` decision with a pending owner write, for `decision_id` of `deal_id`.
pub fn allocated(decision_id: &str, deal_id: &str, decided_at: DateTime<Utc>) -> NewDecision {
    NewDecision {
        id: decision_id.into(),
        deal_id: deal_id.into(),
        decided_at,
        outcome: DecisionOutcome::Allocated,
        service_package: "Series A".into(),
        household_type: Some("Single".into()),
        agreement_start_date: Some(day("2025-03-26")),
        chosen: Some(adviser("cat.chung@example.com", "Cat Chung", Some("103"))),
        earliest_week: Some(day("2025-03-31")),
        fallback: false,
        explanation: r#"{"id":"x","outcome":"allocated","result":{"advisers":[]}}"#.into(),
        request_sha256: "a".repeat(64),
        hubspot_write: HubspotWrite::pending(decided_at + TimeDelta::minutes(1)),
    }
}

/// A decision of another outcome: nobody chosen, nothing to write.
pub fn unallocated(
    decision_id: &str,
    deal_id: &str,
    decided_at: DateTime<Utc>,
    outcome: DecisionOutcome,
) -> NewDecision {
    NewDecision {
        outcome,
        chosen: None,
        earliest_week: None,
        hubspot_write: HubspotWrite::not_applicable(),
        ..allocated(decision_id, deal_id, decided_at)
    }
}

/// Claims the deal at `now` (it must be free) and returns the new decision id.
pub async fn claim(store: &SqlStore, deal_id: &str, now: DateTime<Utc>) -> String {
    match store.claim(deal_id, now, WINDOW, STALE).await.unwrap() {
        ClaimOutcome::Compute { decision_id, .. } => decision_id,
        other => panic!("expected to compute {deal_id}, got {other:?}"),
    }
}

/// Claims the deal and records `decide(decision_id)` for it; returns the decision id.
pub async fn decide(
    store: &SqlStore,
    deal_id: &str,
    now: DateTime<Utc>,
    decide: impl FnOnce(&str) -> NewDecision,
) -> String {
    let id = claim(store, deal_id, now).await;
    store.record_decision(&decide(&id)).await.unwrap();
    id
}
