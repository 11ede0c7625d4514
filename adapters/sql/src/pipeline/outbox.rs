//! The HubSpot owner write outbox over `allocation_decisions` (U1.6.3, S9.5). Each transition is
//! one conditional UPDATE on a `pending` row, atomic on both backends without a transaction.

use super::decisions::last_error_column;
use super::{count, count_column};
use crate::SqlStore;
use crate::schema::pipeline::allocation_decision_records as r;
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use domain::ports::{DueOwnerWrite, HubspotWriteStatus, OwnerWriteOutbox, StoreError};

const PENDING: &str = "pending";

#[async_trait]
impl OwnerWriteOutbox for SqlStore {
    async fn due_owner_writes(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueOwnerWrite>, StoreError> {
        self.db
            .read(move |conn| {
                r::table
                    .select((
                        r::id,
                        r::deal_id,
                        r::chosen_owner_id.assume_not_null(),
                        r::hubspot_write_attempts,
                        r::decided_at,
                    ))
                    .filter(r::hubspot_write_status.eq(PENDING))
                    // A pending write without a time is due at once rather than never.
                    .filter(
                        r::hubspot_next_attempt_at
                            .le(instant(now))
                            .or(r::hubspot_next_attempt_at.is_null()),
                    )
                    .filter(r::chosen_owner_id.is_not_null())
                    .order((r::decided_at, r::id))
                    .limit(i64::from(limit))
                    .load::<(String, String, String, i32, String)>(conn)?
                    .into_iter()
                    .map(|(decision_id, deal_id, owner_id, attempts, decided_at)| {
                        Ok(DueOwnerWrite {
                            decision_id,
                            deal_id,
                            owner_id,
                            attempts: count(attempts, "hubspot write attempts")?,
                            decided_at: parse_instant(&decided_at)?,
                        })
                    })
                    .collect()
            })
            .await
    }

    async fn mark_owner_write_done(
        &self,
        decision_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = decision_id.to_owned();
        self.db
            .run(move |conn| {
                diesel::update(pending(&id))
                    .set((
                        r::hubspot_write_status.eq(HubspotWriteStatus::Done.as_str()),
                        r::hubspot_write_attempts.eq(r::hubspot_write_attempts + 1),
                        r::hubspot_next_attempt_at.eq(None::<String>),
                        r::hubspot_last_error.eq(None::<String>),
                        r::hubspot_written_at.eq(Some(instant(now))),
                    ))
                    .execute(conn)
                    .map(|n| n > 0)
            })
            .await
    }

    async fn mark_owner_write_failed(
        &self,
        decision_id: &str,
        error: &str,
    ) -> Result<bool, StoreError> {
        let (id, error) = (decision_id.to_owned(), last_error_column(error));
        self.db
            .run(move |conn| {
                diesel::update(pending(&id))
                    .set((
                        r::hubspot_write_status.eq(HubspotWriteStatus::Failed.as_str()),
                        r::hubspot_write_attempts.eq(r::hubspot_write_attempts + 1),
                        r::hubspot_next_attempt_at.eq(None::<String>),
                        r::hubspot_last_error.eq(Some(&error)),
                    ))
                    .execute(conn)
                    .map(|n| n > 0)
            })
            .await
    }

    async fn reschedule_owner_write(
        &self,
        decision_id: &str,
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<bool, StoreError> {
        let (id, error) = (decision_id.to_owned(), last_error_column(error));
        self.db
            .run(move |conn| {
                diesel::update(pending(&id))
                    .set((
                        r::hubspot_write_attempts.eq(count_column(attempts)),
                        r::hubspot_next_attempt_at.eq(Some(instant(next_attempt_at))),
                        r::hubspot_last_error.eq(Some(&error)),
                    ))
                    .execute(conn)
                    .map(|n| n > 0)
            })
            .await
    }
}

type Pending<'a> = dsl::Filter<
    dsl::Filter<r::table, dsl::Eq<r::id, &'a str>>,
    dsl::Eq<r::hubspot_write_status, &'static str>,
>;

/// The decision's row while its write is still pending.
fn pending(id: &str) -> Pending<'_> {
    r::table
        .filter(r::id.eq(id))
        .filter(r::hubspot_write_status.eq(PENDING))
}
