//! The employee store's reads (H2.4) and the allocation's leave source (allocation.md C10) over
//! the legacy `employees` collection and its `leave_requests` subcollections. Firestore cannot
//! query by lower-cased email or join, so each read lists the (small) collections and filters
//! here, with the same rules as the SQL store.

use crate::documents::{EMPLOYEES, read_employee, read_leave};
use crate::{FirestoreStore, store_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::allocation::{RawLeave, ekey};
use domain::ports::{
    Employee, EmployeeStore, LeaveByAdviser, LeaveFilter, LeaveRequest, LeaveSource, StoreError,
    StoredEmployee, StoredLeaveRequest, SyncSummary, UpstreamError, compare_employee_ids,
    employee_for_email,
};
use std::collections::HashMap;

fn stored(doc: &crate::http::Document) -> StoredEmployee {
    let (employee, synced_at) = read_employee(doc);
    StoredEmployee {
        employee,
        synced_at,
    }
}

impl FirestoreStore {
    async fn all_employees(&self) -> Result<Vec<StoredEmployee>, UpstreamError> {
        Ok(self.employee_docs().await?.iter().map(stored).collect())
    }

    async fn all_leave(&self) -> Result<Vec<(LeaveRequest, DateTime<Utc>)>, UpstreamError> {
        Ok(self
            .leave_docs()
            .await?
            .iter()
            .filter_map(read_leave)
            .collect())
    }
}

fn by_start_then_ids(a: &LeaveRequest, b: &LeaveRequest) -> std::cmp::Ordering {
    a.start_date
        .cmp(&b.start_date)
        .then_with(|| compare_employee_ids(&a.employee_id, &b.employee_id))
        .then_with(|| compare_employee_ids(&a.leave_request_id, &b.leave_request_id))
}

#[async_trait]
impl EmployeeStore for FirestoreStore {
    async fn sync_employees(
        &self,
        employees: Vec<Employee>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        self.sync_employees_impl(employees, now).await
    }

    async fn sync_leave(
        &self,
        requests: Vec<LeaveRequest>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        self.sync_leave_impl(requests, now).await
    }

    async fn list_employees(&self) -> Result<Vec<StoredEmployee>, StoreError> {
        let mut all = self.all_employees().await.map_err(store_error)?;
        all.sort_by(|a, b| {
            let (a, b) = (&a.employee, &b.employee);
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| compare_employee_ids(&a.employee_id, &b.employee_id))
        });
        Ok(all)
    }

    async fn get_employee(&self, employee_id: &str) -> Result<Option<StoredEmployee>, StoreError> {
        if employee_id.is_empty() || employee_id.contains('/') {
            return Ok(None);
        }
        let doc = self
            .http
            .get("get employee", &[EMPLOYEES, employee_id])
            .await
            .map_err(store_error)?;
        Ok(doc.as_ref().map(stored))
    }

    async fn find_employee_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StoredEmployee>, StoreError> {
        if ekey(email).is_empty() {
            return Ok(None);
        }
        let all = self.all_employees().await.map_err(store_error)?;
        let chosen = employee_for_email(email, all.iter().map(|c| &c.employee))
            .map(|e| e.employee_id.clone());
        Ok(all
            .into_iter()
            .find(|c| Some(&c.employee.employee_id) == chosen.as_ref()))
    }

    /// Leave of employees that are not stored is left out, as the SQL store's join does.
    async fn list_leave(&self, filter: LeaveFilter) -> Result<Vec<StoredLeaveRequest>, StoreError> {
        let employees: HashMap<String, Employee> = self
            .all_employees()
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|e| (e.employee.employee_id.clone(), e.employee))
            .collect();
        let mut list: Vec<StoredLeaveRequest> = self
            .all_leave()
            .await
            .map_err(store_error)?
            .into_iter()
            .filter(|(r, _)| {
                filter
                    .employee_id
                    .as_ref()
                    .is_none_or(|id| *id == r.employee_id)
                    && filter.from.is_none_or(|from| r.end_date >= from)
                    && filter.to.is_none_or(|to| r.start_date <= to)
            })
            .filter_map(|(request, synced_at)| {
                let employee = employees.get(&request.employee_id)?;
                Some(StoredLeaveRequest {
                    employee_email: employee.email().map(str::to_owned),
                    request,
                    synced_at,
                })
            })
            .collect();
        list.sort_by(|a, b| by_start_then_ids(&a.request, &b.request));
        Ok(list)
    }
}

/// The allocation's leave, by the same rules as the SQL store: an adviser's leave is that of
/// the employee the H2.4 email lookup finds; only requests that count as absence; advisers
/// without an employee are absent from the map. A failed read is `Unavailable` (U4.7: the
/// affected advisers become `data_unavailable`).
#[async_trait]
impl LeaveSource for FirestoreStore {
    async fn leave(&self, emails: &[String]) -> Result<LeaveByAdviser, UpstreamError> {
        let keys: Vec<String> = emails
            .iter()
            .map(|e| ekey(e))
            .filter(|k| !k.is_empty())
            .collect();
        if keys.is_empty() {
            return Ok(LeaveByAdviser::new());
        }
        let employees = self.all_employees().await?;
        let employee_of: HashMap<String, String> = keys
            .iter()
            .filter_map(|key| {
                employee_for_email(key, employees.iter().map(|c| &c.employee))
                    .map(|e| (key.clone(), e.employee_id.clone()))
            })
            .collect();
        if employee_of.is_empty() {
            return Ok(LeaveByAdviser::new());
        }
        let mut by_employee: HashMap<String, Vec<LeaveRequest>> = HashMap::new();
        for (request, _) in self.all_leave().await? {
            if request.counts_as_absence() {
                by_employee
                    .entry(request.employee_id.clone())
                    .or_default()
                    .push(request);
            }
        }
        let mut result = LeaveByAdviser::new();
        for (key, employee_id) in employee_of {
            let mut requests = by_employee.get(&employee_id).cloned().unwrap_or_default();
            requests.sort_by(by_start_then_ids);
            let raw = requests
                .into_iter()
                .map(|r| RawLeave {
                    id: Some(r.leave_request_id),
                    start_date: Some(r.start_date.format("%Y-%m-%d").to_string()),
                    end_date: Some(r.end_date.format("%Y-%m-%d").to_string()),
                })
                .collect();
            result.insert(key, raw);
        }
        Ok(result)
    }
}
