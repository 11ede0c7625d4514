//! Office closures and capacity overrides (H7.3, H7.4): the two stores the allocation reads.

use crate::SqlStore;
use crate::schema::allocation::{capacity_overrides, office_closures};
use crate::time::{corrupt, date, instant, parse_date, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::allocation::{CapacityOverride, ClientLimit, OfficeClosure};
use domain::ports::{
    ClosureStore, OverrideStore, OverrideWriteError, StoreError, StoredClosure, StoredOverride,
};

type ClosureRow = (String, String, String, String, String, String, String);

const CLOSURE_COLUMNS: (
    office_closures::id,
    office_closures::start_date,
    office_closures::end_date,
    office_closures::description,
    office_closures::tags,
    office_closures::created_at,
    office_closures::updated_at,
) = (
    office_closures::id,
    office_closures::start_date,
    office_closures::end_date,
    office_closures::description,
    office_closures::tags,
    office_closures::created_at,
    office_closures::updated_at,
);

fn closure_from_row(row: ClosureRow) -> Result<StoredClosure, DieselError> {
    let (id, start, end, description, tags, created_at, updated_at) = row;
    let tags: Vec<String> =
        serde_json::from_str(&tags).map_err(|e| corrupt(format!("closure tags: {e}")))?;
    Ok(StoredClosure {
        id,
        closure: OfficeClosure {
            start_date: parse_date(&start)?,
            end_date: Some(parse_date(&end)?),
            description,
            tags,
        },
        created_at: parse_instant(&created_at)?,
        updated_at: parse_instant(&updated_at)?,
    })
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
}

#[async_trait]
impl ClosureStore for SqlStore {
    async fn list_closures(
        &self,
        overlapping: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<StoredClosure>, StoreError> {
        self.db
            .read(move |conn| {
                let mut query = office_closures::table
                    .select(CLOSURE_COLUMNS)
                    .order((office_closures::start_date, office_closures::id))
                    .into_boxed();
                if let Some((from, to)) = overlapping {
                    // Dates are fixed-width text, so text order is date order.
                    query = query
                        .filter(office_closures::end_date.ge(date(from)))
                        .filter(office_closures::start_date.le(date(to)));
                }
                query
                    .load::<ClosureRow>(conn)?
                    .into_iter()
                    .map(closure_from_row)
                    .collect()
            })
            .await
    }

    async fn get_closure(&self, id: &str) -> Result<Option<StoredClosure>, StoreError> {
        let id = id.to_owned();
        self.db
            .read(move |conn| {
                office_closures::table
                    .select(CLOSURE_COLUMNS)
                    .filter(office_closures::id.eq(&id))
                    .first::<ClosureRow>(conn)
                    .optional()?
                    .map(closure_from_row)
                    .transpose()
            })
            .await
    }

    async fn create_closure(
        &self,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<StoredClosure, StoreError> {
        let stored = StoredClosure {
            id: uuid::Uuid::new_v4().to_string(),
            closure: OfficeClosure {
                end_date: Some(closure.end_date.unwrap_or(closure.start_date)),
                ..closure.clone()
            },
            created_at: now,
            updated_at: now,
        };
        let row = stored.clone();
        self.db
            .run(move |conn| {
                diesel::insert_into(office_closures::table)
                    .values((
                        office_closures::id.eq(&row.id),
                        office_closures::start_date.eq(date(row.closure.start_date)),
                        office_closures::end_date
                            .eq(date(row.closure.end_date.unwrap_or(row.closure.start_date))),
                        office_closures::description.eq(&row.closure.description),
                        office_closures::tags.eq(tags_json(&row.closure.tags)),
                        office_closures::created_at.eq(instant(row.created_at)),
                        office_closures::updated_at.eq(instant(row.updated_at)),
                    ))
                    .execute(conn)
            })
            .await?;
        Ok(stored)
    }

    async fn update_closure(
        &self,
        id: &str,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredClosure>, StoreError> {
        let (id, closure) = (id.to_owned(), closure.clone());
        let changed = self
            .db
            .run(move |conn| {
                diesel::update(office_closures::table.filter(office_closures::id.eq(&id)))
                    .set((
                        office_closures::start_date.eq(date(closure.start_date)),
                        office_closures::end_date
                            .eq(date(closure.end_date.unwrap_or(closure.start_date))),
                        office_closures::description.eq(&closure.description),
                        office_closures::tags.eq(tags_json(&closure.tags)),
                        office_closures::updated_at.eq(instant(now)),
                    ))
                    .execute(conn)
                    .map(|n| (n > 0).then_some(id))
            })
            .await?;
        match changed {
            Some(id) => self.get_closure(&id).await,
            None => Ok(None),
        }
    }

    async fn delete_closure(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.db
            .run(move |conn| {
                diesel::delete(office_closures::table.filter(office_closures::id.eq(&id)))
                    .execute(conn)
                    .map(|n| n > 0)
            })
            .await
    }
}

type OverrideRow = (String, String, String, i32, String, String, String, String);

const OVERRIDE_COLUMNS: (
    capacity_overrides::id,
    capacity_overrides::adviser_email,
    capacity_overrides::effective_date,
    capacity_overrides::client_limit_monthly,
    capacity_overrides::pod_type,
    capacity_overrides::notes,
    capacity_overrides::created_at,
    capacity_overrides::updated_at,
) = (
    capacity_overrides::id,
    capacity_overrides::adviser_email,
    capacity_overrides::effective_date,
    capacity_overrides::client_limit_monthly,
    capacity_overrides::pod_type,
    capacity_overrides::notes,
    capacity_overrides::created_at,
    capacity_overrides::updated_at,
);

fn override_from_row(row: OverrideRow) -> Result<StoredOverride, DieselError> {
    let (id, email, effective, limit, pod_type, notes, created_at, updated_at) = row;
    let limit = u32::try_from(limit)
        .ok()
        .and_then(|l| ClientLimit::new(l).ok())
        .ok_or_else(|| corrupt(format!("override limit {limit}")))?;
    Ok(StoredOverride {
        id,
        value: CapacityOverride {
            adviser_email: email,
            effective_date: parse_date(&effective)?,
            client_limit_monthly: limit,
            pod_type: Some(pod_type).filter(|p| !p.is_empty()),
            notes: Some(notes).filter(|n| !n.is_empty()),
        },
        created_at: parse_instant(&created_at)?,
        updated_at: parse_instant(&updated_at)?,
    })
}

/// Overrides are stored under the adviser's ekey (trimmed, lowercased email), so the unique pair
/// below is the ekey's, as in the Firestore store and the engine (LM5).
fn keyed(value: &CapacityOverride) -> CapacityOverride {
    CapacityOverride {
        adviser_email: domain::allocation::ekey(&value.adviser_email),
        ..value.clone()
    }
}

/// The unique (adviser_email, effective_date) pair is the only constraint an override write can
/// break; it becomes the domain's `DuplicateOverride`.
fn duplicate_or<T>(
    result: Result<T, DieselError>,
) -> Result<Result<T, OverrideWriteError>, DieselError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(Err(OverrideWriteError::DuplicateOverride))
        }
        Err(e) => Err(e),
    }
}

fn limit_column(value: &CapacityOverride) -> i32 {
    i32::try_from(value.client_limit_monthly.get()).unwrap_or(i32::MAX)
}

#[async_trait]
impl OverrideStore for SqlStore {
    async fn overrides(&self) -> Result<Vec<CapacityOverride>, StoreError> {
        self.db
            .read(|conn| {
                capacity_overrides::table
                    .select(OVERRIDE_COLUMNS)
                    .order((capacity_overrides::created_at, capacity_overrides::id))
                    .load::<OverrideRow>(conn)?
                    .into_iter()
                    .map(|row| override_from_row(row).map(|o| o.value))
                    .collect()
            })
            .await
    }

    async fn list_overrides(
        &self,
        adviser_email: Option<String>,
    ) -> Result<Vec<StoredOverride>, StoreError> {
        self.db
            .read(move |conn| {
                let mut query = capacity_overrides::table
                    .select(OVERRIDE_COLUMNS)
                    .order((
                        capacity_overrides::adviser_email,
                        capacity_overrides::effective_date,
                        capacity_overrides::id,
                    ))
                    .into_boxed();
                if let Some(email) = adviser_email {
                    // Overrides are stored under the ekey (`keyed`).
                    query = query.filter(
                        capacity_overrides::adviser_email.eq(domain::allocation::ekey(&email)),
                    );
                }
                query
                    .load::<OverrideRow>(conn)?
                    .into_iter()
                    .map(override_from_row)
                    .collect()
            })
            .await
    }

    async fn get_override(&self, id: &str) -> Result<Option<StoredOverride>, StoreError> {
        let id = id.to_owned();
        self.db
            .read(move |conn| {
                capacity_overrides::table
                    .select(OVERRIDE_COLUMNS)
                    .filter(capacity_overrides::id.eq(&id))
                    .first::<OverrideRow>(conn)
                    .optional()?
                    .map(override_from_row)
                    .transpose()
            })
            .await
    }

    async fn create_override(
        &self,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<StoredOverride, OverrideWriteError> {
        let stored = StoredOverride {
            id: uuid::Uuid::new_v4().to_string(),
            value: keyed(value),
            created_at: now,
            updated_at: now,
        };
        let row = stored.clone();
        self.db
            .write(move |conn| {
                let v = &row.value;
                duplicate_or(
                    diesel::insert_into(capacity_overrides::table)
                        .values((
                            capacity_overrides::id.eq(&row.id),
                            capacity_overrides::adviser_email.eq(&v.adviser_email),
                            capacity_overrides::effective_date.eq(date(v.effective_date)),
                            capacity_overrides::client_limit_monthly.eq(limit_column(v)),
                            capacity_overrides::pod_type.eq(v.pod_type.clone().unwrap_or_default()),
                            capacity_overrides::notes.eq(v.notes.clone().unwrap_or_default()),
                            capacity_overrides::created_at.eq(instant(row.created_at)),
                            capacity_overrides::updated_at.eq(instant(row.updated_at)),
                        ))
                        .execute(conn),
                )
            })
            .await??;
        Ok(stored)
    }

    async fn update_override(
        &self,
        id: &str,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredOverride>, OverrideWriteError> {
        let (id, value) = (id.to_owned(), keyed(value));
        let target = id.clone();
        let changed = self
            .db
            .write(move |conn| {
                duplicate_or(
                    diesel::update(
                        capacity_overrides::table.filter(capacity_overrides::id.eq(&target)),
                    )
                    .set((
                        capacity_overrides::adviser_email.eq(&value.adviser_email),
                        capacity_overrides::effective_date.eq(date(value.effective_date)),
                        capacity_overrides::client_limit_monthly.eq(limit_column(&value)),
                        capacity_overrides::pod_type.eq(value.pod_type.clone().unwrap_or_default()),
                        capacity_overrides::notes.eq(value.notes.clone().unwrap_or_default()),
                        capacity_overrides::updated_at.eq(instant(now)),
                    ))
                    .execute(conn),
                )
            })
            .await??;
        if changed == 0 {
            return Ok(None);
        }
        Ok(self.get_override(&id).await?)
    }

    async fn delete_override(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.db
            .run(move |conn| {
                diesel::delete(capacity_overrides::table.filter(capacity_overrides::id.eq(&id)))
                    .execute(conn)
                    .map(|n| n > 0)
            })
            .await
    }
}
