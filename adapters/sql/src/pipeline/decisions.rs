//! Recording and reading decisions (H2.1.2 step 10, H3.1, H7.6).

use super::{count, count_column, parse_name};
use crate::SqlStore;
use crate::connection::AnyConnection;
use crate::schema::pipeline::{
    allocation_claims, allocation_decision_records, allocation_decisions,
};
use crate::time::{date, instant, parse_date, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::ports::{
    ChosenAdviser, ClaimState, DecisionOutcome, DecisionPage, DecisionQuery, DecisionStore,
    DecisionSummary, HubspotWrite, HubspotWriteStatus, NewDecision, RecordDecisionError,
    StoreError, StoredDecision,
};

/// H7.6: `hubspot_last_error` is text(500).
const LAST_ERROR_MAX_CHARS: usize = 500;

pub(super) fn last_error_column(error: &str) -> String {
    error.chars().take(LAST_ERROR_MAX_CHARS).collect()
}

pub(super) type SummaryRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    String,
    i32,
);

type SummaryColumns = (
    allocation_decisions::id,
    allocation_decisions::deal_id,
    allocation_decisions::decided_at,
    allocation_decisions::outcome,
    allocation_decisions::service_package,
    allocation_decisions::household_type,
    allocation_decisions::agreement_start_date,
    allocation_decisions::chosen_email,
    allocation_decisions::chosen_name,
    allocation_decisions::chosen_owner_id,
    allocation_decisions::earliest_week,
    allocation_decisions::fallback,
    allocation_decisions::hubspot_write_status,
    allocation_decisions::replay_count,
);

pub(super) const SUMMARY_COLUMNS: SummaryColumns = (
    allocation_decisions::id,
    allocation_decisions::deal_id,
    allocation_decisions::decided_at,
    allocation_decisions::outcome,
    allocation_decisions::service_package,
    allocation_decisions::household_type,
    allocation_decisions::agreement_start_date,
    allocation_decisions::chosen_email,
    allocation_decisions::chosen_name,
    allocation_decisions::chosen_owner_id,
    allocation_decisions::earliest_week,
    allocation_decisions::fallback,
    allocation_decisions::hubspot_write_status,
    allocation_decisions::replay_count,
);

pub(super) fn summary_from_row(row: SummaryRow) -> Result<DecisionSummary, DieselError> {
    let (
        id,
        deal_id,
        decided_at,
        outcome,
        service_package,
        household_type,
        agreement_start_date,
        chosen_email,
        chosen_name,
        chosen_owner_id,
        earliest_week,
        fallback,
        hubspot_write,
        replay_count,
    ) = row;
    Ok(DecisionSummary {
        id,
        deal_id,
        decided_at: parse_instant(&decided_at)?,
        outcome: parse_name(&outcome, DecisionOutcome::parse, "outcome")?,
        service_package,
        household_type,
        agreement_start_date: agreement_start_date
            .as_deref()
            .map(parse_date)
            .transpose()?,
        chosen: chosen_email.map(|email| ChosenAdviser {
            email,
            name: chosen_name.unwrap_or_default(),
            hubspot_owner_id: chosen_owner_id,
        }),
        earliest_week: earliest_week.as_deref().map(parse_date).transpose()?,
        fallback,
        hubspot_write: parse_name(&hubspot_write, HubspotWriteStatus::parse, "hubspot write")?,
        replay_count: count(replay_count, "replay count")?,
    })
}

type RecordRow = (
    String,
    String,
    String,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
);

const RECORD_COLUMNS: (
    allocation_decision_records::explanation,
    allocation_decision_records::request_sha256,
    allocation_decision_records::hubspot_write_status,
    allocation_decision_records::hubspot_write_attempts,
    allocation_decision_records::hubspot_next_attempt_at,
    allocation_decision_records::hubspot_last_error,
    allocation_decision_records::hubspot_written_at,
) = (
    allocation_decision_records::explanation,
    allocation_decision_records::request_sha256,
    allocation_decision_records::hubspot_write_status,
    allocation_decision_records::hubspot_write_attempts,
    allocation_decision_records::hubspot_next_attempt_at,
    allocation_decision_records::hubspot_last_error,
    allocation_decision_records::hubspot_written_at,
);

fn stored_from_rows(summary: SummaryRow, record: RecordRow) -> Result<StoredDecision, DieselError> {
    let (explanation, request_sha256, status, attempts, next_attempt_at, last_error, written_at) =
        record;
    Ok(StoredDecision {
        summary: summary_from_row(summary)?,
        explanation,
        request_sha256,
        hubspot_write: HubspotWrite {
            status: parse_name(&status, HubspotWriteStatus::parse, "hubspot write")?,
            attempts: count(attempts, "hubspot write attempts")?,
            next_attempt_at: next_attempt_at.as_deref().map(parse_instant).transpose()?,
            last_error,
            written_at: written_at.as_deref().map(parse_instant).transpose()?,
        },
    })
}

/// What the history's adviser filter searches: the chosen email and name, lowercased here (not by
/// SQL `lower`, which is ASCII-only on SQLite).
pub(super) fn search_key(chosen: &ChosenAdviser) -> String {
    format!("{}\n{}", chosen.email, chosen.name).to_lowercase()
}

/// Inserts the row: every NOT NULL column through `allocation_decision_records`, then the
/// nullable history columns through `allocation_decisions` (two diesel views of one table).
fn insert_decision(conn: &mut AnyConnection, d: &NewDecision) -> Result<(), DieselError> {
    let w = &d.hubspot_write;
    diesel::insert_into(allocation_decision_records::table)
        .values((
            allocation_decision_records::id.eq(&d.id),
            allocation_decision_records::deal_id.eq(&d.deal_id),
            allocation_decision_records::decided_at.eq(instant(d.decided_at)),
            allocation_decision_records::outcome.eq(d.outcome.as_str()),
            allocation_decision_records::service_package.eq(&d.service_package),
            allocation_decision_records::chosen_owner_id
                .eq(d.chosen.as_ref().and_then(|c| c.hubspot_owner_id.clone())),
            allocation_decision_records::fallback.eq(d.fallback),
            allocation_decision_records::explanation.eq(&d.explanation),
            allocation_decision_records::request_sha256.eq(&d.request_sha256),
            allocation_decision_records::hubspot_write_status.eq(w.status.as_str()),
            allocation_decision_records::hubspot_write_attempts.eq(count_column(w.attempts)),
            allocation_decision_records::hubspot_next_attempt_at.eq(w.next_attempt_at.map(instant)),
            allocation_decision_records::hubspot_last_error
                .eq(w.last_error.as_deref().map(last_error_column)),
            allocation_decision_records::hubspot_written_at.eq(w.written_at.map(instant)),
        ))
        .execute(conn)?;
    diesel::update(allocation_decisions::table.find(&d.id))
        .set((
            allocation_decisions::household_type.eq(&d.household_type),
            allocation_decisions::agreement_start_date.eq(d.agreement_start_date.map(date)),
            allocation_decisions::chosen_email.eq(d.chosen.as_ref().map(|c| c.email.clone())),
            allocation_decisions::chosen_name.eq(d.chosen.as_ref().map(|c| c.name.clone())),
            allocation_decisions::chosen_search.eq(d.chosen.as_ref().map(search_key)),
            allocation_decisions::earliest_week.eq(d.earliest_week.map(date)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Step 10 of H2.1.2: the claim moves to the outcome only while it still carries this decision
/// id, and the decision is inserted in the same transaction.
fn record_in(
    conn: &mut AnyConnection,
    d: &NewDecision,
) -> Result<Result<(), RecordDecisionError>, DieselError> {
    let held = diesel::update(
        allocation_claims::table
            .filter(allocation_claims::deal_id.eq(&d.deal_id))
            .filter(allocation_claims::decision_id.eq(&d.id))
            .filter(allocation_claims::state.eq(ClaimState::InProgress.as_str())),
    )
    .set((
        allocation_claims::state.eq(ClaimState::Decided(d.outcome).as_str()),
        allocation_claims::decided_at.eq(Some(instant(d.decided_at))),
    ))
    .execute(conn)?;
    if held == 0 {
        return Ok(Err(RecordDecisionError::ClaimLost));
    }
    match insert_decision(conn, d) {
        Ok(()) => Ok(Ok(())),
        // The id is the claim's decision id, so it exists only if that round was recorded.
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(Err(RecordDecisionError::ClaimLost))
        }
        Err(e) => Err(e),
    }
}

#[async_trait]
impl DecisionStore for SqlStore {
    async fn record_decision(&self, decision: &NewDecision) -> Result<(), RecordDecisionError> {
        let decision = decision.clone();
        self.db
            .write(move |conn| record_in(conn, &decision))
            .await?
    }

    async fn get_decision(&self, id: &str) -> Result<Option<StoredDecision>, StoreError> {
        let id = id.to_owned();
        self.db
            .read(move |conn| {
                let Some(summary) = allocation_decisions::table
                    .select(SUMMARY_COLUMNS)
                    .find(&id)
                    .first::<SummaryRow>(conn)
                    .optional()?
                else {
                    return Ok(None);
                };
                let record = allocation_decision_records::table
                    .select(RECORD_COLUMNS)
                    .find(&id)
                    .first::<RecordRow>(conn)?;
                stored_from_rows(summary, record).map(Some)
            })
            .await
    }

    async fn list_decisions(
        &self,
        query: DecisionQuery,
        now: DateTime<Utc>,
    ) -> Result<DecisionPage, StoreError> {
        self.db
            .read(move |conn| super::history::page(conn, &query, now))
            .await
    }

    async fn add_replay(&self, id: &str) -> Result<Option<u32>, StoreError> {
        let id = id.to_owned();
        // One statement, outside a SERIALIZABLE transaction: concurrent replays of one decision
        // (a duplicate storm) queue on the row lock instead of failing to serialize.
        let replays = self
            .db
            .run(move |conn| {
                let update = diesel::update(allocation_decisions::table.find(&id))
                    .set(
                        allocation_decisions::replay_count
                            .eq(allocation_decisions::replay_count + 1),
                    )
                    .returning(allocation_decisions::replay_count);
                match conn {
                    AnyConnection::Postgres(c) => update.get_result::<i32>(c).optional(),
                    AnyConnection::Sqlite(c) => update.get_result::<i32>(c).optional(),
                }
            })
            .await?;
        replays
            .map(|n| count(n, "replay count").map_err(|e| StoreError::InvalidData(e.to_string())))
            .transpose()
    }
}
