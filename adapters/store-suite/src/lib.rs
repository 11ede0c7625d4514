//! One storage test suite, every backend (style.md 6): the behaviours of the ports that the SQL
//! store and the Firestore store both implement, written once, generic over the port traits.
//! Each backend's test binary calls these functions from thin `#[tokio::test]` wrappers; what
//! only one backend has (migrations, encodings, request shapes, faults) stays in that backend's
//! tests. Functions return what they stored, so a backend may check its own encoding after them.

// A test suite: a broken store is a failed test, so panicking on it is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod closures;
pub mod employees;
pub mod leave;
pub mod overrides;

use chrono::{DateTime, NaiveDate, Utc};
use domain::ports::{Employee, EmployeeStore, LeaveFilter, LeaveRequest, SyncSummary};

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn employee(id: &str, name: &str, company: Option<&str>, account: Option<&str>) -> Employee {
    Employee {
        employee_id: id.into(),
        name: name.into(),
        company_email: company.map(Into::into),
        account_email: account.map(Into::into),
    }
}

/// Approved annual leave.
pub fn leave(id: &str, employee_id: &str, start: &str, end: &str) -> LeaveRequest {
    LeaveRequest {
        leave_request_id: id.into(),
        employee_id: employee_id.into(),
        start_date: d(start),
        end_date: d(end),
        status: "Approved".into(),
        leave_category: Some("Annual Leave".into()),
    }
}

pub fn summary(inserted: usize, updated: usize, unchanged: usize, deleted: usize) -> SyncSummary {
    SyncSummary {
        inserted,
        updated,
        unchanged,
        deleted,
        skipped_unknown_employee: 0,
    }
}

/// Employees "1" Ann and "2" Bob, without emails.
pub fn ann_and_bob() -> Vec<Employee> {
    vec![
        employee("1", "Ann", None, None),
        employee("2", "Bob", None, None),
    ]
}

/// An employee sync that must succeed.
pub async fn sync_employees<S: EmployeeStore>(
    store: &S,
    employees: Vec<Employee>,
    at: DateTime<Utc>,
) -> SyncSummary {
    store.sync_employees(employees, at).await.unwrap()
}

/// A leave sync that must succeed.
pub async fn sync_leave<S: EmployeeStore>(
    store: &S,
    requests: Vec<LeaveRequest>,
    at: DateTime<Utc>,
) -> SyncSummary {
    store.sync_leave(requests, at).await.unwrap()
}

/// The listed employees' ids, in the store's order.
pub async fn listed_employee_ids<S: EmployeeStore>(store: &S) -> Vec<String> {
    store
        .list_employees()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.employee.employee_id)
        .collect()
}

/// The stored employees' ids, sorted as strings.
pub async fn employee_ids<S: EmployeeStore>(store: &S) -> Vec<String> {
    let mut ids = listed_employee_ids(store).await;
    ids.sort();
    ids
}

/// The listed leave requests' ids, in the store's order.
pub async fn leave_ids<S: EmployeeStore>(store: &S, filter: LeaveFilter) -> Vec<String> {
    store
        .list_leave(filter)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.request.leave_request_id)
        .collect()
}

/// Generates one test per named behaviour of this crate, each on a fresh store.
///
/// ```text
/// store_suite::tests! {
///     #[tokio::test]
///     let Some(db) = fresh_db().await;   // `None` skips the test (PostgreSQL without a server)
///     store = db.store;
///     closures::closures_roundtrip(is_uuid),     // calls closures_roundtrip(&db.store, is_uuid)
///     overrides::overrides_update_and_delete,
///     #[ignore = "why"]                          // attributes of one test
///     overrides::overrides_duplicate_pair_is_keyed_by_ekey,
/// }
/// ```
#[macro_export]
macro_rules! tests {
    (
        #[$test:meta]
        let Some($db:ident) = $setup:expr;
        store = $store:expr;
        $($(#[$attr:meta])* $module:ident :: $name:ident $(( $($arg:expr),* $(,)? ))?),* $(,)?
    ) => {
        $(
            #[$test]
            $(#[$attr])*
            async fn $name() {
                let Some($db) = $setup else { return };
                $crate::$module::$name(&$store $($(, $arg)*)?).await;
            }
        )*
    };
}
