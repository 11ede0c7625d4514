//! The per-deal allocation claim (H2.1.3, H7.5).

use super::{RACE_RETRIES, Race, first_locked, parse_name, race_or};
use crate::SqlStore;
use crate::connection::AnyConnection;
use crate::schema::pipeline::allocation_claims;
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    AllocationClaim, AllocationClaims, ClaimCheck, ClaimOutcome, ClaimState, StoreError,
};

type ClaimRow = (String, String, String, String, Option<String>);

const CLAIM_COLUMNS: (
    allocation_claims::deal_id,
    allocation_claims::state,
    allocation_claims::decision_id,
    allocation_claims::claimed_at,
    allocation_claims::decided_at,
) = (
    allocation_claims::deal_id,
    allocation_claims::state,
    allocation_claims::decision_id,
    allocation_claims::claimed_at,
    allocation_claims::decided_at,
);

fn claim_from_row(row: ClaimRow) -> Result<AllocationClaim, DieselError> {
    let (deal_id, state, decision_id, claimed_at, decided_at) = row;
    Ok(AllocationClaim {
        deal_id,
        state: parse_name(&state, ClaimState::parse, "claim state")?,
        decision_id,
        claimed_at: parse_instant(&claimed_at)?,
        decided_at: decided_at.as_deref().map(parse_instant).transpose()?,
    })
}

/// The H2.1.3 table inside the write transaction: the row is read (locked on PostgreSQL),
/// checked, and taken when open.
fn claim_in(
    conn: &mut AnyConnection,
    deal_id: &str,
    now: DateTime<Utc>,
    dedupe_window: TimeDelta,
    stale_after: TimeDelta,
) -> Result<Result<ClaimOutcome, Race>, DieselError> {
    let existing = first_locked!(
        conn,
        allocation_claims::table
            .select(CLAIM_COLUMNS)
            .filter(allocation_claims::deal_id.eq(deal_id)),
        ClaimRow
    )?
    .map(claim_from_row)
    .transpose()?;
    let previous = existing.as_ref().map(|c| c.state);
    match existing.map(|c| c.check(now, dedupe_window, stale_after)) {
        Some(ClaimCheck::Replay { decision_id }) => {
            return Ok(Ok(ClaimOutcome::Replay { decision_id }));
        }
        Some(ClaimCheck::InProgress { decision_id }) => {
            return Ok(Ok(ClaimOutcome::InProgress { decision_id }));
        }
        Some(ClaimCheck::Open) | None => {}
    }
    let decision_id = uuid::Uuid::new_v4().to_string();
    let values = (
        allocation_claims::state.eq(ClaimState::InProgress.as_str()),
        allocation_claims::decision_id.eq(&decision_id),
        allocation_claims::claimed_at.eq(instant(now)),
        allocation_claims::decided_at.eq(None::<String>),
    );
    let written = match previous {
        Some(_) => diesel::update(allocation_claims::table.find(deal_id))
            .set(values)
            .execute(conn),
        None => diesel::insert_into(allocation_claims::table)
            .values((allocation_claims::deal_id.eq(deal_id), values))
            .execute(conn),
    };
    Ok(race_or(written)?.map(|_| ClaimOutcome::Compute {
        decision_id,
        previous,
    }))
}

#[async_trait]
impl AllocationClaims for SqlStore {
    async fn claim(
        &self,
        deal_id: &str,
        now: DateTime<Utc>,
        dedupe_window: TimeDelta,
        stale_after: TimeDelta,
    ) -> Result<ClaimOutcome, StoreError> {
        for _ in 0..RACE_RETRIES {
            let deal_id = deal_id.to_owned();
            let outcome = self
                .db
                .write(move |conn| claim_in(conn, &deal_id, now, dedupe_window, stale_after))
                .await?;
            if let Ok(outcome) = outcome {
                return Ok(outcome);
            }
        }
        Err(StoreError::Unavailable(
            "the allocation claim kept meeting concurrent first claims".into(),
        ))
    }

    async fn peek(&self, deal_id: &str) -> Result<Option<AllocationClaim>, StoreError> {
        let deal_id = deal_id.to_owned();
        self.db
            .run(move |conn| {
                allocation_claims::table
                    .select(CLAIM_COLUMNS)
                    .filter(allocation_claims::deal_id.eq(&deal_id))
                    .first::<ClaimRow>(conn)
                    .optional()?
                    .map(claim_from_row)
                    .transpose()
            })
            .await
    }
}
