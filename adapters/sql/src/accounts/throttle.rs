//! The login throttle (security.md S3.1, S3.2). Every failure is a read-modify-write of one hot
//! row per key, which many attempts hit at once during an attack. SERIALIZABLE would abort all
//! but one of them and give up after three retries, so failures lock the row instead
//! ([`in_locking_transaction`]) and apply the domain's rule to what they read: no increment is
//! ever lost.

use super::{in_locking_transaction, infallible};
use crate::SqlStore;
use crate::connection::AnyConnection;
use crate::schema::accounts::auth_throttle;
use crate::time::{corrupt, instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    LoginThrottle, StoreError, ThrottleKeys, ThrottlePolicy, ThrottleRecord, ThrottleStatus,
};
use std::convert::Infallible;

type ThrottleRow = (String, i32, String, Option<String>);

const THROTTLE_COLUMNS: (
    auth_throttle::key,
    auth_throttle::failures,
    auth_throttle::window_start,
    auth_throttle::locked_until,
) = (
    auth_throttle::key,
    auth_throttle::failures,
    auth_throttle::window_start,
    auth_throttle::locked_until,
);

fn record_from_row(row: ThrottleRow) -> Result<ThrottleRecord, DieselError> {
    let (key, failures, window_start, locked_until) = row;
    Ok(ThrottleRecord {
        failures: u32::try_from(failures)
            .map_err(|_| corrupt(format!("throttle failures {failures}")))?,
        key,
        window_start: parse_instant(&window_start)?,
        locked_until: locked_until.as_deref().map(parse_instant).transpose()?,
    })
}

fn load(conn: &mut AnyConnection, keys: &[String]) -> Result<Vec<ThrottleRecord>, DieselError> {
    auth_throttle::table
        .filter(auth_throttle::key.eq_any(keys))
        .select(THROTTLE_COLUMNS)
        .load::<ThrottleRow>(conn)?
        .into_iter()
        .map(record_from_row)
        .collect()
}

/// Locks `key`'s row, creating an empty one (no failures) first when there is none, and
/// returns it.
fn lock_row(
    conn: &mut AnyConnection,
    key: &str,
    now: DateTime<Utc>,
) -> Result<ThrottleRecord, DieselError> {
    let empty = (
        auth_throttle::key.eq(key),
        auth_throttle::failures.eq(0),
        auth_throttle::window_start.eq(instant(now)),
    );
    let row = match conn {
        AnyConnection::Postgres(c) => {
            // Waits for a concurrent insert of the same key, then does nothing.
            diesel::insert_into(auth_throttle::table)
                .values(empty)
                .on_conflict_do_nothing()
                .execute(c)?;
            auth_throttle::table
                .filter(auth_throttle::key.eq(key))
                .select(THROTTLE_COLUMNS)
                .for_no_key_update()
                .first::<ThrottleRow>(c)?
        }
        // The transaction holds the database write lock: nobody else can insert meanwhile.
        AnyConnection::Sqlite(c) => {
            diesel::insert_into(auth_throttle::table)
                .values(empty)
                .on_conflict_do_nothing()
                .execute(c)?;
            auth_throttle::table
                .filter(auth_throttle::key.eq(key))
                .select(THROTTLE_COLUMNS)
                .first::<ThrottleRow>(c)?
        }
    };
    record_from_row(row)
}

fn save(conn: &mut AnyConnection, record: &ThrottleRecord) -> Result<(), DieselError> {
    diesel::update(auth_throttle::table.filter(auth_throttle::key.eq(&record.key)))
        .set((
            auth_throttle::failures.eq(i32::try_from(record.failures).unwrap_or(i32::MAX)),
            auth_throttle::window_start.eq(instant(record.window_start)),
            auth_throttle::locked_until.eq(record.locked_until.map(instant)),
        ))
        .execute(conn)
        .map(drop)
}

#[async_trait]
impl LoginThrottle for SqlStore {
    async fn check_login(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
    ) -> Result<ThrottleStatus, StoreError> {
        let keys = [keys.account.clone(), keys.ip.clone()];
        self.db
            .read(move |conn| Ok(ThrottleStatus::of(&load(conn, &keys)?, now)))
            .await
    }

    async fn record_login_failure(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
        policy: &ThrottlePolicy,
    ) -> Result<ThrottleStatus, StoreError> {
        let mut plan = [
            (keys.account.clone(), policy.account_limit),
            (keys.ip.clone(), policy.ip_limit),
        ];
        // Always lock in key order, so two failures never wait for each other in a cycle.
        plan.sort();
        let window = policy.window;
        let status = self
            .db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    let mut records = Vec::with_capacity(plan.len());
                    for (key, limit) in &plan {
                        let current = lock_row(conn, key, now)?;
                        let next =
                            ThrottleRecord::after_failure(Some(&current), key, now, *limit, window);
                        if next != current {
                            save(conn, &next)?;
                        }
                        records.push(next);
                    }
                    Ok(Ok::<_, Infallible>(ThrottleStatus::of(&records, now)))
                })
            })
            .await?;
        Ok(infallible(status))
    }

    async fn record_login_success(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = keys.account.clone();
        self.db
            .run(move |conn| {
                diesel::delete(
                    auth_throttle::table
                        .filter(auth_throttle::key.eq(&key))
                        .filter(
                            auth_throttle::locked_until
                                .is_null()
                                .or(auth_throttle::locked_until.le(instant(now))),
                        ),
                )
                .execute(conn)
                .map(drop)
            })
            .await
    }

    async fn purge_login_throttle(
        &self,
        now: DateTime<Utc>,
        policy: &ThrottlePolicy,
    ) -> Result<u64, StoreError> {
        // A window ends `window` after it starts; the row goes `retention` after that.
        let cutoff = instant(now - policy.window - policy.retention);
        self.db
            .run(move |conn| {
                diesel::delete(auth_throttle::table.filter(auth_throttle::window_start.lt(&cutoff)))
                    .execute(conn)
                    .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
            })
            .await
    }

    async fn throttle_record(&self, key: &str) -> Result<Option<ThrottleRecord>, StoreError> {
        let key = [key.to_owned()];
        self.db.read(move |conn| Ok(load(conn, &key)?.pop())).await
    }
}
