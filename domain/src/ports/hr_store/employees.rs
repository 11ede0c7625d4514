//! Employees and their leave as synced from Employment Hero (H2.3, H2.4, H7.1, H7.2).

use crate::allocation::ekey;
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;
use std::sync::Arc;

/// An EH employee, as the sync read it (U2.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Employee {
    pub employee_id: String,
    pub name: String,
    /// Either email may be missing or blank upstream; stored as given.
    pub company_email: Option<String>,
    pub account_email: Option<String>,
}

impl Employee {
    /// The email shown with the employee's leave (H2.4 `employee_email`), see
    /// [`employee_email`].
    pub fn email(&self) -> Option<&str> {
        employee_email(self.company_email.as_deref(), self.account_email.as_deref())
    }
}

/// The company email, else the account email; blanks count as missing.
pub fn employee_email<'a>(company: Option<&'a str>, account: Option<&'a str>) -> Option<&'a str> {
    [company, account]
        .into_iter()
        .flatten()
        .find(|e| !e.trim().is_empty())
}

/// An employee as stored, with the time of the sync that last confirmed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEmployee {
    pub employee: Employee,
    pub synced_at: DateTime<Utc>,
}

/// An EH leave request (U2.6), its dates already parsed by the sync (H2.3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveRequest {
    pub leave_request_id: String,
    pub employee_id: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// As EH wrote it, e.g. `Approved`.
    pub status: String,
    pub leave_category: Option<String>,
}

impl LeaveRequest {
    /// Whether the request is an absence: its status, trimmed, is `Approved` in any case
    /// (H2.3.3). Pending, declined and cancelled requests are not time off yet (or any more).
    pub fn counts_as_absence(&self) -> bool {
        self.status.trim().eq_ignore_ascii_case("approved")
    }
}

/// A leave request as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLeaveRequest {
    pub request: LeaveRequest,
    /// [`Employee::email`] of the request's employee (H2.4 `employee_email`).
    pub employee_email: Option<String>,
    pub synced_at: DateTime<Utc>,
}

/// Which stored leave to list (H2.4 `/get/leave_requests`). Every field narrows the list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaveFilter {
    pub employee_id: Option<String>,
    /// Leave that ends on or after this date.
    pub from: Option<NaiveDate>,
    /// Leave that starts on or before this date.
    pub to: Option<NaiveDate>,
}

/// What a sync changed (H2.3.2, H2.3.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
    /// Leave requests whose employee is not stored (always 0 for employees).
    pub skipped_unknown_employee: usize,
}

impl SyncSummary {
    /// The rows the upstream result now holds in the store (H2.3 `synced`).
    pub fn synced(&self) -> usize {
        self.inserted + self.updated + self.unchanged
    }
}

/// The order of employee ids when "the smallest" is asked for (H2.4 email lookup) and in lists:
/// shorter ids first, then bytewise, so numeric ids compare as numbers ("45" < "123") and
/// every other id still has one fixed order on every backend.
pub fn compare_employee_ids(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Which employee an email finds (H2.4): the one whose company email has the email's ekey,
/// else the one whose account email has it; among several, the smallest id
/// ([`compare_employee_ids`]). `None` for a blank email.
pub fn employee_for_email<'a>(
    email: &str,
    candidates: impl IntoIterator<Item = &'a Employee> + Clone,
) -> Option<&'a Employee> {
    let key = ekey(email);
    if key.is_empty() {
        return None;
    }
    let matches = |field: fn(&Employee) -> &Option<String>| {
        candidates
            .clone()
            .into_iter()
            .filter(|e| field(e).as_deref().map(ekey).as_deref() == Some(key.as_str()))
            .min_by(|a, b| compare_employee_ids(&a.employee_id, &b.employee_id))
    };
    matches(|e| &e.company_email).or_else(|| matches(|e| &e.account_email))
}

/// The `employees` and `leave_requests` tables (H7.1, H7.2).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EmployeeStore: Send + Sync {
    /// Makes the stored employees exactly `employees` in one write transaction: new ids are
    /// inserted, changed ones updated, stored ids absent from the list deleted with their leave.
    /// Every listed employee gets `synced_at = now`. An empty list changes nothing (H2.3.2: an
    /// empty upstream answer is never taken as "everyone left"). A repeated id: the last wins.
    async fn sync_employees(
        &self,
        employees: Vec<Employee>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError>;

    /// Makes the stored leave exactly `requests` in one write transaction (H2.3.3): requests of
    /// an employee that is not stored are skipped and counted; every other stored request is
    /// deleted. The caller has already kept only the requests the sync wants. A repeated id: the
    /// last wins.
    async fn sync_leave(
        &self,
        requests: Vec<LeaveRequest>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError>;

    /// Every employee, by name (case-insensitively, then as written), then id.
    async fn list_employees(&self) -> Result<Vec<StoredEmployee>, StoreError>;

    async fn get_employee(&self, employee_id: &str) -> Result<Option<StoredEmployee>, StoreError>;

    /// The employee [`employee_for_email`] picks among the stored ones.
    async fn find_employee_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StoredEmployee>, StoreError>;

    /// Stored leave matching `filter`, by start date, employee id, then leave request id (ids in
    /// [`compare_employee_ids`] order).
    async fn list_leave(&self, filter: LeaveFilter) -> Result<Vec<StoredLeaveRequest>, StoreError>;
}

#[async_trait]
impl<T: EmployeeStore + ?Sized> EmployeeStore for Arc<T> {
    async fn sync_employees(
        &self,
        employees: Vec<Employee>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        (**self).sync_employees(employees, now).await
    }
    async fn sync_leave(
        &self,
        requests: Vec<LeaveRequest>,
        now: DateTime<Utc>,
    ) -> Result<SyncSummary, StoreError> {
        (**self).sync_leave(requests, now).await
    }
    async fn list_employees(&self) -> Result<Vec<StoredEmployee>, StoreError> {
        (**self).list_employees().await
    }
    async fn get_employee(&self, employee_id: &str) -> Result<Option<StoredEmployee>, StoreError> {
        (**self).get_employee(employee_id).await
    }
    async fn find_employee_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StoredEmployee>, StoreError> {
        (**self).find_employee_by_email(email).await
    }
    async fn list_leave(&self, filter: LeaveFilter) -> Result<Vec<StoredLeaveRequest>, StoreError> {
        (**self).list_leave(filter).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employee(id: &str, company: Option<&str>, account: Option<&str>) -> Employee {
        Employee {
            employee_id: id.into(),
            name: "N".into(),
            company_email: company.map(Into::into),
            account_email: account.map(Into::into),
        }
    }

    #[test]
    fn email_lookup_prefers_company_email_then_smallest_id() {
        let all = [
            employee("123", None, Some("a@x.com")),
            employee("45", Some(" A@X.com"), None),
            employee("9", Some("b@x.com"), Some("a@x.com")),
            employee("100", Some("a@x.com "), None),
        ];
        let id = |email: &str| employee_for_email(email, &all).map(|e| e.employee_id.as_str());
        assert_eq!(id("a@x.com"), Some("45"), "company email wins; 45 < 100");
        assert_eq!(id("B@x.com "), Some("9"));
        assert_eq!(id("c@x.com"), None);
        assert_eq!(id("  "), None);
        let account_only = [
            employee("123", None, Some("a@x.com")),
            employee("2", None, Some("A@x.com")),
        ];
        assert_eq!(
            employee_for_email("a@x.com", &account_only).map(|e| e.employee_id.as_str()),
            Some("2")
        );
    }

    #[test]
    fn only_approved_leave_is_absence() {
        let leave = |status: &str| LeaveRequest {
            leave_request_id: "1".into(),
            employee_id: "2".into(),
            start_date: NaiveDate::MIN,
            end_date: NaiveDate::MIN,
            status: status.into(),
            leave_category: None,
        };
        assert!(leave(" approved ").counts_as_absence());
        assert!(leave("Approved").counts_as_absence());
        for status in ["Pending", "Declined", "Cancelled", ""] {
            assert!(!leave(status).counts_as_absence(), "{status}");
        }
    }

    #[test]
    fn leave_email_is_company_then_account() {
        assert_eq!(employee("1", Some(" "), Some("a@x")).email(), Some("a@x"));
        assert_eq!(employee("1", Some("c@x"), Some("a@x")).email(), Some("c@x"));
        assert_eq!(employee("1", None, None).email(), None);
    }
}
