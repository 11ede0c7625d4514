//! Office closures and capacity overrides (H7.3, H7.4) in `office_closures` and
//! `adviser_capacity_overrides` (U4.5).

use crate::documents::{
    CLOSURE_MASK, CLOSURES, OVERRIDE_MASK, OVERRIDES, closure_fields, instant, new_id,
    override_fields, read_closure, read_override,
};
use crate::http::{Document, Precondition};
use crate::value::Fields;
use crate::{FirestoreStore, store_error};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::allocation::{CapacityOverride, OfficeClosure, ekey};
use domain::ports::{
    ClosureStore, OverrideStore, OverrideWriteError, StoreError, StoredClosure, StoredOverride,
    UpstreamError,
};
use serde_json::json;

/// How many fresh ids a create tries when the one it drew is taken.
const CREATE_TRIES: usize = 3;

/// Whether a write was refused by its `currentDocument` precondition.
fn precondition_failed(e: &UpstreamError) -> bool {
    match e {
        UpstreamError::Conflict { .. } => true,
        UpstreamError::Rejected { code, .. } => {
            matches!(code.as_str(), "FAILED_PRECONDITION" | "ALREADY_EXISTS")
        }
        _ => false,
    }
}

/// An id Firestore could not address as one document.
fn unusable_id(id: &str) -> bool {
    id.is_empty() || id.contains('/') || id == "." || id == ".."
}

impl FirestoreStore {
    /// Creates a document under a new random id (`currentDocument.exists=false`). A refused
    /// precondition is either a retried request meeting the document it already wrote (then
    /// that is the answer) or an id collision (then another id).
    async fn create(
        &self,
        label: &'static str,
        collection: &str,
        mut fields: Fields,
        now: DateTime<Utc>,
    ) -> Result<Document, UpstreamError> {
        fields.insert("created_at".into(), instant(now));
        let mask: Vec<&str> = fields.keys().map(String::as_str).collect();
        let mut last = UpstreamError::Conflict {
            code: "ALREADY_EXISTS".into(),
        };
        for _ in 0..CREATE_TRIES {
            let id = new_id();
            let path = [collection, id.as_str()];
            match self
                .http
                .patch(label, &path, &fields, &mask, Some(Precondition::Missing))
                .await
            {
                Ok(doc) => return Ok(doc),
                Err(e) if precondition_failed(&e) => {
                    if let Some(doc) = self.http.get(label, &path).await?
                        && doc.fields == fields
                    {
                        return Ok(doc);
                    }
                    last = e;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// Updates the masked fields of an existing document; `None` when there is none.
    async fn update(
        &self,
        label: &'static str,
        collection: &str,
        id: &str,
        fields: &Fields,
        mask: &[&str],
    ) -> Result<Option<Document>, UpstreamError> {
        if unusable_id(id) {
            return Ok(None);
        }
        match self
            .http
            .patch(
                label,
                &[collection, id],
                fields,
                mask,
                Some(Precondition::Exists),
            )
            .await
        {
            Ok(doc) => Ok(Some(doc)),
            Err(UpstreamError::NotFound) => Ok(None),
            Err(e) if precondition_failed(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes a document; `false` when there was none. Two concurrent deletes may both answer
    /// `true` (a delete of a missing document succeeds in Firestore).
    async fn delete(
        &self,
        label: &'static str,
        collection: &str,
        id: &str,
    ) -> Result<bool, UpstreamError> {
        if unusable_id(id) || self.http.get(label, &[collection, id]).await?.is_none() {
            return Ok(false);
        }
        let write = json!({"delete": self.http.name(&[collection, id])});
        self.http.commit(label, &[write]).await?;
        Ok(true)
    }

    async fn get_doc(
        &self,
        label: &'static str,
        collection: &str,
        id: &str,
    ) -> Result<Option<Document>, StoreError> {
        if unusable_id(id) {
            return Ok(None);
        }
        self.http
            .get(label, &[collection, id])
            .await
            .map_err(store_error)
    }

    async fn all_overrides(&self) -> Result<Vec<StoredOverride>, StoreError> {
        let docs = self
            .http
            .run_query("query overrides", OVERRIDES, false, None)
            .await
            .map_err(store_error)?;
        Ok(docs.iter().filter_map(read_override).collect())
    }
}

/// A document this adapter just wrote, read back.
fn written<T>(value: Option<T>) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::InvalidData("firestore returned an unreadable document".into()))
}

#[async_trait]
impl ClosureStore for FirestoreStore {
    async fn list_closures(
        &self,
        overlapping: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<StoredClosure>, StoreError> {
        let docs = self
            .http
            .run_query("query closures", CLOSURES, false, Some("start_date"))
            .await
            .map_err(store_error)?;
        let mut list: Vec<StoredClosure> = docs
            .iter()
            .filter_map(read_closure)
            .filter(|c| {
                overlapping.is_none_or(|(from, to)| {
                    let end = c.closure.end_date.unwrap_or(c.closure.start_date);
                    end >= from && c.closure.start_date <= to
                })
            })
            .collect();
        // Firestore orders by start date only; ties by id as the port asks.
        list.sort_by(|a, b| (a.closure.start_date, &a.id).cmp(&(b.closure.start_date, &b.id)));
        Ok(list)
    }

    async fn get_closure(&self, id: &str) -> Result<Option<StoredClosure>, StoreError> {
        let doc = self.get_doc("get closure", CLOSURES, id).await?;
        Ok(doc.as_ref().and_then(read_closure))
    }

    async fn create_closure(
        &self,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<StoredClosure, StoreError> {
        let doc = self
            .create(
                "create closure",
                CLOSURES,
                closure_fields(closure, now),
                now,
            )
            .await
            .map_err(store_error)?;
        written(read_closure(&doc))
    }

    async fn update_closure(
        &self,
        id: &str,
        closure: &OfficeClosure,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredClosure>, StoreError> {
        let fields = closure_fields(closure, now);
        let doc = self
            .update("update closure", CLOSURES, id, &fields, &CLOSURE_MASK)
            .await
            .map_err(store_error)?;
        doc.map(|d| written(read_closure(&d))).transpose()
    }

    async fn delete_closure(&self, id: &str) -> Result<bool, StoreError> {
        self.delete("delete closure", CLOSURES, id)
            .await
            .map_err(store_error)
    }
}

/// Whether `a` repeats `b`'s (adviser, effective date): H2.6 `duplicate_override`.
fn same_key(a: &CapacityOverride, b: &CapacityOverride) -> bool {
    ekey(&a.adviser_email) == ekey(&b.adviser_email) && a.effective_date == b.effective_date
}

#[async_trait]
impl OverrideStore for FirestoreStore {
    async fn overrides(&self) -> Result<Vec<CapacityOverride>, StoreError> {
        let mut all = self.all_overrides().await?;
        all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(all.into_iter().map(|o| o.value).collect())
    }

    async fn list_overrides(
        &self,
        adviser_email: Option<String>,
    ) -> Result<Vec<StoredOverride>, StoreError> {
        let wanted = adviser_email.as_deref().map(ekey);
        let mut list: Vec<StoredOverride> = self
            .all_overrides()
            .await?
            .into_iter()
            .filter(|o| {
                wanted
                    .as_ref()
                    .is_none_or(|w| ekey(&o.value.adviser_email) == *w)
            })
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
        let doc = self.get_doc("get override", OVERRIDES, id).await?;
        Ok(doc.as_ref().and_then(read_override))
    }

    /// Firestore has no unique index: the (adviser, date) pair is checked by a read before the
    /// write, so two admins creating the same pair at the same instant could both succeed.
    async fn create_override(
        &self,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<StoredOverride, OverrideWriteError> {
        if self
            .all_overrides()
            .await?
            .iter()
            .any(|o| same_key(&o.value, value))
        {
            return Err(OverrideWriteError::DuplicateOverride);
        }
        let doc = self
            .create(
                "create override",
                OVERRIDES,
                override_fields(value, now),
                now,
            )
            .await
            .map_err(store_error)?;
        Ok(written(read_override(&doc))?)
    }

    async fn update_override(
        &self,
        id: &str,
        value: &CapacityOverride,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredOverride>, OverrideWriteError> {
        let all = self.all_overrides().await?;
        if !all.iter().any(|o| o.id == id) {
            return Ok(None);
        }
        if all.iter().any(|o| o.id != id && same_key(&o.value, value)) {
            return Err(OverrideWriteError::DuplicateOverride);
        }
        let fields = override_fields(value, now);
        let doc = self
            .update("update override", OVERRIDES, id, &fields, &OVERRIDE_MASK)
            .await
            .map_err(store_error)?;
        Ok(doc.map(|d| written(read_override(&d))).transpose()?)
    }

    async fn delete_override(&self, id: &str) -> Result<bool, StoreError> {
        self.delete("delete override", OVERRIDES, id)
            .await
            .map_err(store_error)
    }
}
