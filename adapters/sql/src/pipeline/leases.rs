//! Worker leases (S9.5).

use super::{first_locked, race_or};
use crate::SqlStore;
use crate::schema::pipeline::worker_leases;
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use domain::ports::{StoreError, WorkerLeases};

#[async_trait]
impl WorkerLeases for SqlStore {
    async fn try_acquire(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<bool, StoreError> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        let acquired = self
            .db
            .write(move |conn| {
                let current = first_locked!(
                    conn,
                    worker_leases::table
                        .select((worker_leases::holder, worker_leases::expires_at))
                        .filter(worker_leases::name.eq(&name)),
                    (String, String)
                )?;
                let expires_at = instant(now + ttl);
                let written = match current {
                    None => diesel::insert_into(worker_leases::table)
                        .values((
                            worker_leases::name.eq(&name),
                            worker_leases::holder.eq(&holder),
                            worker_leases::expires_at.eq(&expires_at),
                        ))
                        .execute(conn),
                    Some((current, until))
                        if current == holder || parse_instant(&until)? <= now =>
                    {
                        diesel::update(worker_leases::table.find(&name))
                            .set((
                                worker_leases::holder.eq(&holder),
                                worker_leases::expires_at.eq(&expires_at),
                            ))
                            .execute(conn)
                    }
                    Some(_) => return Ok(Ok(false)),
                };
                // A concurrent first acquirer won the insert: the lease is theirs.
                Ok(race_or(written)?.map(|_| true))
            })
            .await?;
        Ok(acquired.unwrap_or(false))
    }

    async fn release(&self, name: &str, holder: &str) -> Result<bool, StoreError> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.db
            .run(move |conn| {
                diesel::delete(
                    worker_leases::table
                        .filter(worker_leases::name.eq(&name))
                        .filter(worker_leases::holder.eq(&holder)),
                )
                .execute(conn)
                .map(|n| n > 0)
            })
            .await
    }
}
