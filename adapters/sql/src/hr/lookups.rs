//! The employee store's reads (H2.4) and the allocation's leave source (allocation.md C10).

use super::sync::{
    EMPLOYEE_COLUMNS, EmployeeRow, LEAVE_COLUMNS, LeaveRow, employee_from_row, leave_from_row,
};
use super::{CHUNK, email_key};
use crate::SqlStore;
use crate::schema::hr::{employees, leave_requests};
use crate::time::{date, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::allocation::RawLeave;
use domain::ports::{
    Employee, EmployeeStore, LeaveByAdviser, LeaveFilter, LeaveSource, StoreError, StoredEmployee,
    StoredLeaveRequest, SyncSummary, UpstreamError, compare_employee_ids, employee_email,
    employee_for_email,
};
use std::collections::{BTreeSet, HashMap};

fn stored_employee(row: EmployeeRow) -> Result<StoredEmployee, DieselError> {
    let (employee, synced_at) = employee_from_row(row);
    Ok(StoredEmployee {
        employee,
        synced_at: parse_instant(&synced_at)?,
    })
}

/// Employees whose company or account email has one of these ekeys.
fn employees_with_keys(
    conn: &mut crate::AnyConnection,
    keys: &[String],
) -> Result<Vec<StoredEmployee>, DieselError> {
    let mut found = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let rows = employees::table
            .select(EMPLOYEE_COLUMNS)
            .filter(
                employees::company_email_lower
                    .eq_any(chunk)
                    .or(employees::account_email_lower.eq_any(chunk)),
            )
            .load::<EmployeeRow>(conn)?;
        for row in rows {
            found.push(stored_employee(row)?);
        }
    }
    Ok(found)
}

#[async_trait]
impl EmployeeStore for SqlStore {
    async fn sync_employees(
        &self,
        employees: Vec<Employee>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        super::sync::sync_employees(&self.db, employees, now).await
    }

    async fn sync_leave(
        &self,
        requests: Vec<domain::ports::LeaveRequest>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        super::sync::sync_leave(&self.db, requests, now).await
    }

    async fn list_employees(&self) -> Result<Vec<StoredEmployee>, StoreError> {
        let mut all = self
            .db
            .read(|conn| {
                employees::table
                    .select(EMPLOYEE_COLUMNS)
                    .load::<EmployeeRow>(conn)?
                    .into_iter()
                    .map(stored_employee)
                    .collect::<Result<Vec<_>, _>>()
            })
            .await?;
        // Sorted here rather than in SQL: PostgreSQL collations would order names differently
        // from SQLite.
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
        let employee_id = employee_id.to_owned();
        self.db
            .read(move |conn| {
                employees::table
                    .select(EMPLOYEE_COLUMNS)
                    .find(&employee_id)
                    .first::<EmployeeRow>(conn)
                    .optional()?
                    .map(stored_employee)
                    .transpose()
            })
            .await
    }

    async fn find_employee_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StoredEmployee>, StoreError> {
        let Some(key) = email_key(Some(email)) else {
            return Ok(None);
        };
        let candidates = self
            .db
            .read(move |conn| employees_with_keys(conn, &[key]))
            .await?;
        let chosen = employee_for_email(email, candidates.iter().map(|c| &c.employee))
            .map(|e| e.employee_id.clone());
        Ok(candidates
            .into_iter()
            .find(|c| Some(&c.employee.employee_id) == chosen.as_ref()))
    }

    async fn list_leave(&self, filter: LeaveFilter) -> Result<Vec<StoredLeaveRequest>, StoreError> {
        let mut list = self
            .db
            .read(move |conn| {
                let mut query = leave_requests::table
                    .inner_join(employees::table)
                    .select((
                        LEAVE_COLUMNS,
                        employees::company_email,
                        employees::account_email,
                    ))
                    .into_boxed();
                if let Some(id) = &filter.employee_id {
                    query = query.filter(leave_requests::employee_id.eq(id.clone()));
                }
                // Dates are fixed-width text, so text order is date order.
                if let Some(from) = filter.from {
                    query = query.filter(leave_requests::end_date.ge(date(from)));
                }
                if let Some(to) = filter.to {
                    query = query.filter(leave_requests::start_date.le(date(to)));
                }
                query
                    .load::<(LeaveRow, Option<String>, Option<String>)>(conn)?
                    .into_iter()
                    .map(|(row, company_email, account_email)| {
                        let (request, synced_at) = leave_from_row(row)?;
                        Ok(StoredLeaveRequest {
                            employee_email: employee_email(
                                company_email.as_deref(),
                                account_email.as_deref(),
                            )
                            .map(str::to_owned),
                            request,
                            synced_at: parse_instant(&synced_at)?,
                        })
                    })
                    .collect::<Result<Vec<_>, DieselError>>()
            })
            .await?;
        list.sort_by(|a, b| {
            let (a, b) = (&a.request, &b.request);
            a.start_date
                .cmp(&b.start_date)
                .then_with(|| compare_employee_ids(&a.employee_id, &b.employee_id))
                .then_with(|| compare_employee_ids(&a.leave_request_id, &b.leave_request_id))
        });
        Ok(list)
    }
}

/// The allocation's leave, read from the synced store. An adviser's leave is the leave of the
/// employee the H2.4 email lookup finds for the adviser's CRM email: the company email's ekey
/// first, then the account email's (EH's login email, which some staff have instead of a
/// company one), smallest id on a tie. Only requests that count as absence (`Approved`, see
/// [`domain::ports::LeaveRequest::counts_as_absence`]) are returned; the sync keeps only those
/// already, so this guards rows written by anything else. Advisers without an employee are
/// absent from the map.
#[async_trait]
impl LeaveSource for SqlStore {
    async fn leave(&self, emails: &[String]) -> Result<LeaveByAdviser, UpstreamError> {
        let keys: Vec<String> = emails
            .iter()
            .filter_map(|e| email_key(Some(e)))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if keys.is_empty() {
            return Ok(LeaveByAdviser::new());
        }
        let (employee_of, leave) = self
            .db
            .read(move |conn| {
                let candidates = employees_with_keys(conn, &keys)?;
                let employee_of: HashMap<String, String> = keys
                    .iter()
                    .filter_map(|key| {
                        employee_for_email(key, candidates.iter().map(|c| &c.employee))
                            .map(|e| (key.clone(), e.employee_id.clone()))
                    })
                    .collect();
                let ids: Vec<&String> = employee_of.values().collect();
                let mut leave = Vec::new();
                for chunk in ids.chunks(CHUNK) {
                    let rows = leave_requests::table
                        .select(LEAVE_COLUMNS)
                        .filter(leave_requests::employee_id.eq_any(chunk))
                        .load::<LeaveRow>(conn)?;
                    for row in rows {
                        leave.push(leave_from_row(row)?.0);
                    }
                }
                Ok((employee_of, leave))
            })
            .await
            .map_err(|e| UpstreamError::unavailable(format!("leave store: {e}")))?;
        let mut by_employee: HashMap<&str, Vec<&domain::ports::LeaveRequest>> = HashMap::new();
        for request in leave.iter().filter(|r| r.counts_as_absence()) {
            by_employee
                .entry(request.employee_id.as_str())
                .or_default()
                .push(request);
        }
        let mut result = LeaveByAdviser::new();
        for (key, employee_id) in employee_of {
            let mut requests = by_employee
                .get(employee_id.as_str())
                .cloned()
                .unwrap_or_default();
            requests.sort_by(|a, b| {
                a.start_date
                    .cmp(&b.start_date)
                    .then_with(|| compare_employee_ids(&a.leave_request_id, &b.leave_request_id))
            });
            let raw = requests
                .into_iter()
                .map(|r| RawLeave {
                    id: Some(r.leave_request_id.clone()),
                    start_date: Some(date(r.start_date)),
                    end_date: Some(date(r.end_date)),
                })
                .collect();
            result.insert(key, raw);
        }
        Ok(result)
    }
}
