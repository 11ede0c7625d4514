//! Employment Hero's local copy (H2.3, H2.4, H2.9, H7.1, H7.2, H7.8, H7.9): syncs, lookups, the
//! leave source, the credential's single-flight refresh and the one-time OAuth states.

mod credentials;
mod employees;
mod leave;
mod oauth_states;

use crate::harness::TestDb;
use chrono::{DateTime, NaiveDate, Utc};
use domain::ports::{Employee, EmployeeStore, LeaveFilter, LeaveRequest, SyncSummary};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn employee(id: &str, name: &str, company: Option<&str>, account: Option<&str>) -> Employee {
    Employee {
        employee_id: id.into(),
        name: name.into(),
        company_email: company.map(Into::into),
        account_email: account.map(Into::into),
    }
}

fn leave(id: &str, employee_id: &str, start: &str, end: &str) -> LeaveRequest {
    LeaveRequest {
        leave_request_id: id.into(),
        employee_id: employee_id.into(),
        start_date: d(start),
        end_date: d(end),
        status: "Approved".into(),
        leave_category: Some("Annual Leave".into()),
    }
}

fn summary(inserted: usize, updated: usize, unchanged: usize, deleted: usize) -> SyncSummary {
    SyncSummary {
        inserted,
        updated,
        unchanged,
        deleted,
        skipped_unknown_employee: 0,
    }
}

async fn employee_ids(db: &TestDb) -> Vec<String> {
    let mut ids: Vec<String> = db
        .store
        .list_employees()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.employee.employee_id)
        .collect();
    ids.sort();
    ids
}

async fn leave_ids(db: &TestDb, filter: LeaveFilter) -> Vec<String> {
    db.store
        .list_leave(filter)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.request.leave_request_id)
        .collect()
}
