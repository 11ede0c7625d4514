//! The employee and leave syncs (H2.3.2, H2.3.3): the stored rows become the upstream's result
//! in one write transaction.

use super::{CHUNK, email_key};
use crate::schema::hr::{employees, leave_requests};
use crate::time::{date, instant, parse_date};
use crate::{AnyConnection, Db};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{Employee, LeaveRequest, StoreError, SyncSummary};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;

pub(super) type EmployeeRow = (String, String, Option<String>, Option<String>, String);

pub(super) const EMPLOYEE_COLUMNS: (
    employees::employee_id,
    employees::name,
    employees::company_email,
    employees::account_email,
    employees::synced_at,
) = (
    employees::employee_id,
    employees::name,
    employees::company_email,
    employees::account_email,
    employees::synced_at,
);

pub(super) fn employee_from_row(row: EmployeeRow) -> (Employee, String) {
    let (employee_id, name, company_email, account_email, synced_at) = row;
    let employee = Employee {
        employee_id,
        name,
        company_email,
        account_email,
    };
    (employee, synced_at)
}

pub(super) type LeaveRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
);

pub(super) const LEAVE_COLUMNS: (
    leave_requests::leave_request_id,
    leave_requests::employee_id,
    leave_requests::start_date,
    leave_requests::end_date,
    leave_requests::status,
    leave_requests::leave_category,
    leave_requests::synced_at,
) = (
    leave_requests::leave_request_id,
    leave_requests::employee_id,
    leave_requests::start_date,
    leave_requests::end_date,
    leave_requests::status,
    leave_requests::leave_category,
    leave_requests::synced_at,
);

pub(super) fn leave_from_row(row: LeaveRow) -> Result<(LeaveRequest, String), DieselError> {
    let (leave_request_id, employee_id, start, end, status, leave_category, synced_at) = row;
    let request = LeaveRequest {
        leave_request_id,
        employee_id,
        start_date: parse_date(&start)?,
        end_date: parse_date(&end)?,
        status,
        leave_category,
    };
    Ok((request, synced_at))
}

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

/// [`domain::ports::EmployeeStore::sync_employees`].
pub(super) async fn sync_employees(
    db: &Db,
    employees: Vec<Employee>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SyncSummary, StoreError> {
    let incoming = last_wins(employees, |e| &e.employee_id);
    if incoming.is_empty() {
        return Ok(SyncSummary::default());
    }
    let stamp = instant(now);
    let Ok(summary) = db
        .write(move |conn| sync_employees_in(conn, &incoming, &stamp).map(Ok::<_, Infallible>))
        .await?;
    Ok(summary)
}

/// [`domain::ports::EmployeeStore::sync_leave`].
pub(super) async fn sync_leave(
    db: &Db,
    requests: Vec<LeaveRequest>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SyncSummary, StoreError> {
    let incoming = last_wins(requests, |r| &r.leave_request_id);
    let stamp = instant(now);
    let Ok(summary) = db
        .write(move |conn| sync_leave_in(conn, &incoming, &stamp).map(Ok::<_, Infallible>))
        .await?;
    Ok(summary)
}

fn sync_employees_in(
    conn: &mut AnyConnection,
    incoming: &[Employee],
    stamp: &str,
) -> Result<SyncSummary, DieselError> {
    let stored: HashMap<String, Employee> = employees::table
        .select(EMPLOYEE_COLUMNS)
        .load::<EmployeeRow>(conn)?
        .into_iter()
        .map(|row| {
            let (employee, _) = employee_from_row(row);
            (employee.employee_id.clone(), employee)
        })
        .collect();
    let mut summary = SyncSummary::default();
    let mut new = Vec::new();
    for employee in incoming {
        match stored.get(&employee.employee_id) {
            None => new.push(employee),
            Some(old) if old == employee => summary.unchanged += 1,
            Some(_) => {
                diesel::update(employees::table.find(&employee.employee_id))
                    .set((
                        employees::name.eq(&employee.name),
                        employees::company_email.eq(&employee.company_email),
                        employees::account_email.eq(&employee.account_email),
                        employees::company_email_lower
                            .eq(email_key(employee.company_email.as_deref())),
                        employees::account_email_lower
                            .eq(email_key(employee.account_email.as_deref())),
                        employees::synced_at.eq(stamp),
                    ))
                    .execute(conn)?;
                summary.updated += 1;
            }
        }
    }
    // One INSERT per row: MultiConnection has no multi-row VALUES for SQLite.
    for e in new {
        summary.inserted += diesel::insert_into(employees::table)
            .values((
                employees::employee_id.eq(&e.employee_id),
                employees::name.eq(&e.name),
                employees::company_email.eq(&e.company_email),
                employees::account_email.eq(&e.account_email),
                employees::company_email_lower.eq(email_key(e.company_email.as_deref())),
                employees::account_email_lower.eq(email_key(e.account_email.as_deref())),
                employees::synced_at.eq(stamp),
            ))
            .execute(conn)?;
    }
    let listed: HashSet<&str> = incoming.iter().map(|e| e.employee_id.as_str()).collect();
    let gone: Vec<&String> = stored
        .keys()
        .filter(|id| !listed.contains(id.as_str()))
        .collect();
    for chunk in gone.chunks(CHUNK) {
        // Their leave goes with them (ON DELETE CASCADE).
        summary.deleted += diesel::delete(employees::table)
            .filter(employees::employee_id.eq_any(chunk))
            .execute(conn)?;
    }
    // Every remaining row was in the result, so the sync confirmed all of them.
    diesel::update(employees::table)
        .set(employees::synced_at.eq(stamp))
        .execute(conn)?;
    Ok(summary)
}

fn sync_leave_in(
    conn: &mut AnyConnection,
    incoming: &[LeaveRequest],
    stamp: &str,
) -> Result<SyncSummary, DieselError> {
    let known: HashSet<String> = employees::table
        .select(employees::employee_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let stored: HashMap<String, LeaveRequest> = leave_requests::table
        .select(LEAVE_COLUMNS)
        .load::<LeaveRow>(conn)?
        .into_iter()
        .map(|row| {
            leave_from_row(row).map(|(request, _)| (request.leave_request_id.clone(), request))
        })
        .collect::<Result<_, _>>()?;
    let mut summary = SyncSummary::default();
    let mut kept = HashSet::new();
    let mut new = Vec::new();
    for request in incoming {
        if !known.contains(&request.employee_id) {
            summary.skipped_unknown_employee += 1;
            continue;
        }
        kept.insert(request.leave_request_id.as_str());
        match stored.get(&request.leave_request_id) {
            None => new.push(request),
            Some(old) if old == request => summary.unchanged += 1,
            Some(_) => {
                diesel::update(leave_requests::table.find(&request.leave_request_id))
                    .set((
                        leave_requests::employee_id.eq(&request.employee_id),
                        leave_requests::start_date.eq(date(request.start_date)),
                        leave_requests::end_date.eq(date(request.end_date)),
                        leave_requests::status.eq(&request.status),
                        leave_requests::leave_category.eq(&request.leave_category),
                        leave_requests::synced_at.eq(stamp),
                    ))
                    .execute(conn)?;
                summary.updated += 1;
            }
        }
    }
    for r in new {
        summary.inserted += diesel::insert_into(leave_requests::table)
            .values((
                leave_requests::leave_request_id.eq(&r.leave_request_id),
                leave_requests::employee_id.eq(&r.employee_id),
                leave_requests::start_date.eq(date(r.start_date)),
                leave_requests::end_date.eq(date(r.end_date)),
                leave_requests::status.eq(&r.status),
                leave_requests::leave_category.eq(&r.leave_category),
                leave_requests::synced_at.eq(stamp),
            ))
            .execute(conn)?;
    }
    // Cancelled, moved or filtered-out leave disappears: the store holds exactly the result.
    let gone: Vec<&String> = stored
        .keys()
        .filter(|id| !kept.contains(id.as_str()))
        .collect();
    for chunk in gone.chunks(CHUNK) {
        summary.deleted += diesel::delete(leave_requests::table)
            .filter(leave_requests::leave_request_id.eq_any(chunk))
            .execute(conn)?;
    }
    diesel::update(leave_requests::table)
        .set(leave_requests::synced_at.eq(stamp))
        .execute(conn)?;
    Ok(summary)
}
