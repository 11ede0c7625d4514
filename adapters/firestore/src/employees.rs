//! The employee and leave syncs (H2.3.2, H2.3.3) into `employees/{eh id}` and
//! `employees/{eh id}/leave_requests/{leave id}` (U4.5).
//!
//! Unlike SQL there is no one transaction: the writes go out in commits of at most 500, every
//! upsert before any deletion (U4.6), so a failure midway leaves extra documents, never missing
//! ones, and the next sync repairs it. Firestore does not cascade, so the leave of a removed
//! employee is deleted explicitly, before the employee.

use crate::documents::{
    EMPLOYEE_MASK, EMPLOYEES, LEAVE, LEAVE_MASK, employee_fields, leave_fields, read_employee,
    read_leave,
};
use crate::http::Document;
use crate::value::fields_to_json;
use crate::{FirestoreStore, MAX_WRITES_PER_COMMIT, store_error};
use chrono::{DateTime, Utc};
use domain::ports::{Employee, LeaveRequest, StoreError, SyncSummary, UpstreamError};
use serde_json::{Value as Json, json};
use std::collections::{HashMap, HashSet};

/// The items with distinct keys, the last occurrence of a key winning, in first-seen order.
fn last_wins<T>(items: Vec<T>, key: impl Fn(&T) -> &str) -> Vec<T> {
    let mut seen = HashSet::new();
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items.into_iter().rev() {
        if seen.insert(key(&item).to_owned()) {
            kept.push(item);
        }
    }
    kept.reverse();
    kept
}

/// An upsert of the masked fields of the document `name`.
fn upsert(name: String, fields: &crate::value::Fields, mask: &[&str]) -> Json {
    json!({
        "update": {"name": name, "fields": fields_to_json(fields)},
        "updateMask": {"fieldPaths": mask},
    })
}

/// An EH id usable as one path segment.
fn usable(id: &str) -> bool {
    !id.is_empty() && !id.contains('/') && id != "." && id != ".."
}

impl FirestoreStore {
    pub(crate) async fn employee_docs(&self) -> Result<Vec<Document>, UpstreamError> {
        self.http
            .run_query("query employees", EMPLOYEES, false, None)
            .await
    }

    /// Every leave request of every employee (one collection-group query, U4.4). The group
    /// also holds any other `leave_requests` collection (e.g. a root-level one); those are not
    /// ours to read or delete.
    pub(crate) async fn leave_docs(&self) -> Result<Vec<Document>, UpstreamError> {
        let under_employees = format!("{}/", self.http.name(&[EMPLOYEES]));
        let docs = self
            .http
            .run_query("query leave", LEAVE, true, None)
            .await?;
        Ok(docs
            .into_iter()
            .filter(|d| {
                d.name
                    .strip_prefix(&under_employees)
                    .is_some_and(|rest| rest.split('/').count() == 3)
            })
            .collect())
    }

    /// Upserts, then deletions, each in commits of at most 500 writes (U4.6).
    async fn apply(&self, upserts: Vec<Json>, deletes: Vec<Json>) -> Result<(), StoreError> {
        for writes in [upserts, deletes] {
            for chunk in writes.chunks(MAX_WRITES_PER_COMMIT) {
                self.http
                    .commit("commit sync", chunk)
                    .await
                    .map_err(store_error)?;
            }
        }
        Ok(())
    }

    /// [`domain::ports::EmployeeStore::sync_employees`].
    pub(crate) async fn sync_employees_impl(
        &self,
        employees: Vec<Employee>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        let incoming = last_wins(employees, |e| &e.employee_id);
        if incoming.is_empty() {
            return Ok(SyncSummary::default());
        }
        let invalid = incoming.iter().filter(|e| !usable(&e.employee_id)).count();
        if invalid > 0 {
            return Err(StoreError::InvalidData(format!(
                "{invalid} employee ids cannot name a Firestore document"
            )));
        }
        let stored: HashMap<String, Employee> = self
            .employee_docs()
            .await
            .map_err(store_error)?
            .iter()
            .map(|doc| {
                let (employee, _) = read_employee(doc);
                (employee.employee_id.clone(), employee)
            })
            .collect();
        let mut summary = SyncSummary::default();
        let mut upserts = Vec::with_capacity(incoming.len());
        for employee in &incoming {
            match stored.get(&employee.employee_id) {
                None => summary.inserted += 1,
                Some(old) if old == employee => summary.unchanged += 1,
                Some(_) => summary.updated += 1,
            }
            // Unchanged employees are written too: the sync confirms them (`synced_at`).
            let name = self.http.name(&[EMPLOYEES, &employee.employee_id]);
            upserts.push(upsert(
                name,
                &employee_fields(employee, now),
                &EMPLOYEE_MASK,
            ));
        }
        let listed: HashSet<&str> = incoming.iter().map(|e| e.employee_id.as_str()).collect();
        let gone: HashSet<&str> = stored
            .keys()
            .map(String::as_str)
            .filter(|id| !listed.contains(id))
            .collect();
        let mut deletes = Vec::new();
        if !gone.is_empty() {
            // Their leave first, then the employees: never leave without its employee.
            for doc in self.leave_docs().await.map_err(store_error)? {
                if doc.parent_id().is_some_and(|p| gone.contains(p)) {
                    deletes.push(json!({"delete": doc.name}));
                }
            }
            for id in &gone {
                deletes.push(json!({"delete": self.http.name(&[EMPLOYEES, id])}));
            }
        }
        summary.deleted = gone.len();
        self.apply(upserts, deletes).await?;
        Ok(summary)
    }

    /// [`domain::ports::EmployeeStore::sync_leave`].
    pub(crate) async fn sync_leave_impl(
        &self,
        requests: Vec<LeaveRequest>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        let incoming = last_wins(requests, |r| &r.leave_request_id);
        let known: HashSet<String> = self
            .employee_docs()
            .await
            .map_err(store_error)?
            .iter()
            .map(|doc| doc.id().to_owned())
            .collect();
        let stored_docs = self.leave_docs().await.map_err(store_error)?;
        let stored: HashMap<String, LeaveRequest> = stored_docs
            .iter()
            .filter_map(read_leave)
            .map(|(request, _)| (request.leave_request_id.clone(), request))
            .collect();
        let mut summary = SyncSummary::default();
        let mut kept = HashSet::new();
        let mut written = HashSet::new();
        let mut upserts = Vec::new();
        for request in &incoming {
            if !known.contains(&request.employee_id) || !usable(&request.leave_request_id) {
                summary.skipped_unknown_employee += 1;
                continue;
            }
            kept.insert(request.leave_request_id.as_str());
            match stored.get(&request.leave_request_id) {
                None => summary.inserted += 1,
                Some(old) if old == request => summary.unchanged += 1,
                Some(_) => summary.updated += 1,
            }
            let name = self.http.name(&[
                EMPLOYEES,
                &request.employee_id,
                LEAVE,
                &request.leave_request_id,
            ]);
            upserts.push(upsert(
                name.clone(),
                &leave_fields(request, now),
                &LEAVE_MASK,
            ));
            written.insert(name);
        }
        summary.deleted = stored
            .keys()
            .filter(|id| !kept.contains(id.as_str()))
            .count();
        // Every other leave document goes, including the old place of leave that moved to
        // another employee and documents too malformed to read.
        let deletes = stored_docs
            .iter()
            .filter(|doc| !written.contains(&doc.name))
            .map(|doc| json!({"delete": doc.name}))
            .collect();
        self.apply(upserts, deletes).await?;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_occurrence_wins_in_first_seen_order() {
        let kept = last_wins(vec![("a", 1), ("b", 2), ("a", 3)], |p| p.0);
        assert_eq!(kept, [("b", 2), ("a", 3)]);
    }
}
