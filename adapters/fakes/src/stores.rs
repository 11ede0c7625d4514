//! In-memory closures and overrides stores, seeded from a scenario: the two stores of SF3 with
//! the CRUD the admin API needs, for the demo mode and for tests.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::allocation::{CapacityOverride, OfficeClosure};
use domain::ports::{
    ClosureStore, OverrideStore, OverrideWriteError, StoreError, StoredClosure, StoredOverride,
};
use std::sync::{Mutex, MutexGuard};

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>, StoreError> {
    m.lock()
        .map_err(|_| StoreError::Unavailable("the in-memory store is poisoned".into()))
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[derive(Debug)]
pub struct MemoryClosures(Mutex<Vec<StoredClosure>>);

impl MemoryClosures {
    pub fn new(seed: &[OfficeClosure], now: DateTime<Utc>) -> MemoryClosures {
        MemoryClosures(Mutex::new(
            seed.iter()
                .map(|c| StoredClosure {
                    id: new_id(),
                    closure: c.clone(),
                    created_at: now,
                    updated_at: now,
                })
                .collect(),
        ))
    }
}

fn end(c: &OfficeClosure) -> NaiveDate {
    c.end_date.unwrap_or(c.start_date)
}

#[async_trait]
impl ClosureStore for MemoryClosures {
    async fn list_closures(
        &self,
        overlapping: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<StoredClosure>, StoreError> {
        let mut list: Vec<StoredClosure> = lock(&self.0)?
            .iter()
            .filter(|c| {
                overlapping
                    .is_none_or(|(from, to)| end(&c.closure) >= from && c.closure.start_date <= to)
            })
            .cloned()
            .collect();
        list.sort_by(|a, b| (a.closure.start_date, &a.id).cmp(&(b.closure.start_date, &b.id)));
        Ok(list)
    }

    async fn get_closure(&self, id: &str) -> Result<Option<StoredClosure>, StoreError> {
        Ok(lock(&self.0)?.iter().find(|c| c.id == id).cloned())
    }

    async fn create_closure(
        &self,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<StoredClosure, StoreError> {
        let stored = StoredClosure {
            id: new_id(),
            closure: OfficeClosure {
                end_date: Some(end(closure)),
                ..closure.clone()
            },
            created_at: now,
            updated_at: now,
        };
        lock(&self.0)?.push(stored.clone());
        Ok(stored)
    }

    async fn update_closure(
        &self,
        id: &str,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredClosure>, StoreError> {
        let mut all = lock(&self.0)?;
        Ok(all.iter_mut().find(|c| c.id == id).map(|c| {
            c.closure = OfficeClosure {
                end_date: Some(end(closure)),
                ..closure.clone()
            };
            c.updated_at = now;
            c.clone()
        }))
    }

    async fn delete_closure(&self, id: &str) -> Result<bool, StoreError> {
        let mut all = lock(&self.0)?;
        let before = all.len();
        all.retain(|c| c.id != id);
        Ok(all.len() < before)
    }
}

#[derive(Debug)]
pub struct MemoryOverrides(Mutex<Vec<StoredOverride>>);

impl MemoryOverrides {
    /// Seeded in scenario order, which is the order the engine reads (LM4).
    pub fn new(seed: &[CapacityOverride], now: DateTime<Utc>) -> MemoryOverrides {
        MemoryOverrides(Mutex::new(
            seed.iter()
                .map(|o| StoredOverride {
                    id: new_id(),
                    value: o.clone(),
                    created_at: now,
                    updated_at: now,
                })
                .collect(),
        ))
    }
}

fn same_key(a: &CapacityOverride, b: &CapacityOverride) -> bool {
    a.adviser_email
        .trim()
        .eq_ignore_ascii_case(b.adviser_email.trim())
        && a.effective_date == b.effective_date
}

#[async_trait]
impl OverrideStore for MemoryOverrides {
    async fn overrides(&self) -> Result<Vec<CapacityOverride>, StoreError> {
        Ok(lock(&self.0)?.iter().map(|o| o.value.clone()).collect())
    }

    async fn list_overrides(
        &self,
        adviser_email: Option<String>,
    ) -> Result<Vec<StoredOverride>, StoreError> {
        let wanted = adviser_email.as_deref().map(domain::allocation::ekey);
        let mut list: Vec<StoredOverride> = lock(&self.0)?
            .iter()
            .filter(|o| {
                wanted
                    .as_deref()
                    .is_none_or(|w| domain::allocation::ekey(&o.value.adviser_email) == w)
            })
            .cloned()
            .collect();
        list.sort_by(|a, b| {
            (&a.value.adviser_email, a.value.effective_date, &a.id).cmp(&(
                &b.value.adviser_email,
                b.value.effective_date,
                &b.id,
            ))
        });
        Ok(list)
    }

    async fn get_override(&self, id: &str) -> Result<Option<StoredOverride>, StoreError> {
        Ok(lock(&self.0)?.iter().find(|o| o.id == id).cloned())
    }

    async fn create_override(
        &self,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<StoredOverride, OverrideWriteError> {
        let mut all = lock(&self.0)?;
        if all.iter().any(|o| same_key(&o.value, value)) {
            return Err(OverrideWriteError::DuplicateOverride);
        }
        let stored = StoredOverride {
            id: new_id(),
            value: value.clone(),
            created_at: now,
            updated_at: now,
        };
        all.push(stored.clone());
        Ok(stored)
    }

    async fn update_override(
        &self,
        id: &str,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredOverride>, OverrideWriteError> {
        let mut all = lock(&self.0)?;
        if all.iter().any(|o| o.id != id && same_key(&o.value, value)) {
            return Err(OverrideWriteError::DuplicateOverride);
        }
        Ok(all.iter_mut().find(|o| o.id == id).map(|o| {
            o.value = value.clone();
            o.updated_at = now;
            o.clone()
        }))
    }

    async fn delete_override(&self, id: &str) -> Result<bool, StoreError> {
        let mut all = lock(&self.0)?;
        let before = all.len();
        all.retain(|o| o.id != id);
        Ok(all.len() < before)
    }
}
