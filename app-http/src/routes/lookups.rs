//! The Employment Hero lookups (http-api.md H2.4): read the local store only, never write, never
//! call Employment Hero.

use crate::auth::{self, Need};
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::routes::closures::date_filter;
use crate::state::AppState;
use domain::ports::{EmployeeStore, LeaveFilter, StoredEmployee, StoredLeaveRequest};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

#[derive(Debug)]
pub struct LookupsApi;

/// A stored Employment Hero employee.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct Employee {
    pub employee_id: String,
    pub name: String,
    pub company_email: Option<String>,
    pub account_email: Option<String>,
    pub synced_at: String,
}

/// A stored Employment Hero leave request.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct LeaveRequest {
    pub leave_request_id: String,
    pub employee_id: String,
    pub employee_email: Option<String>,
    pub start_date: String,
    pub end_date: String,
    pub status: String,
    pub leave_category: Option<String>,
    pub synced_at: String,
}

#[derive(Debug, Object)]
pub struct EmployeeList {
    pub count: usize,
    pub employees: Vec<Employee>,
}

#[derive(Debug, Object)]
pub struct LeaveList {
    pub count: usize,
    pub leave_requests: Vec<LeaveRequest>,
}

#[derive(Debug, Object)]
pub struct EmployeeIdAnswer {
    pub employee_id: String,
}

#[derive(Debug, Object)]
pub struct EmployeeLeave {
    pub employee_id: String,
    pub leave_requests: Vec<LeaveRequest>,
}

#[derive(Debug, Object)]
pub struct EmailLeave {
    pub employee_id: String,
    pub email: String,
    pub leave_requests: Vec<LeaveRequest>,
}

#[OpenApi]
impl LookupsApi {
    /// Every stored employee, by name then id.
    #[oai(path = "/get/employees", method = "get", tag = "ApiTags::Employees")]
    async fn employees(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<EmployeeList>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        let employees: Vec<Employee> = state
            .store
            .list_employees()
            .await?
            .iter()
            .map(employee_view)
            .collect();
        Ok(Json(EmployeeList {
            count: employees.len(),
            employees,
        }))
    }

    /// Stored leave, optionally of one employee and overlapping `from`..`to`.
    #[oai(
        path = "/get/leave_requests",
        method = "get",
        tag = "ApiTags::Employees"
    )]
    async fn leave_requests(
        &self,
        state: Data<&AppState>,
        request: &Request,
        employee_id: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
    ) -> ApiResult<Json<LeaveList>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        let filter = leave_filter(employee_id.0.as_deref(), from.0.as_deref(), to.0.as_deref())?;
        let leave = leave_views(state.store.list_leave(filter).await?);
        Ok(Json(LeaveList {
            count: leave.len(),
            leave_requests: leave,
        }))
    }

    /// The employee id an email finds (company email first, then account email).
    #[oai(path = "/get/employee_id", method = "get", tag = "ApiTags::Employees")]
    async fn employee_id(
        &self,
        state: Data<&AppState>,
        request: &Request,
        email: Query<Option<String>>,
    ) -> ApiResult<Json<EmployeeIdAnswer>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        let email = required("email", email.0.as_deref())?.to_lowercase();
        let employee = by_email(&state, &email).await?;
        Ok(Json(EmployeeIdAnswer {
            employee_id: employee.employee.employee_id,
        }))
    }

    /// The stored leave of one employee.
    #[oai(
        path = "/get/employee_leave_requests",
        method = "get",
        tag = "ApiTags::Employees"
    )]
    async fn employee_leave_requests(
        &self,
        state: Data<&AppState>,
        request: &Request,
        employee_id: Query<Option<String>>,
    ) -> ApiResult<Json<EmployeeLeave>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        let id = required("employee_id", employee_id.0.as_deref())?;
        if state.store.get_employee(&id).await?.is_none() {
            return Err(employee_not_found());
        }
        let leave = state
            .store
            .list_leave(LeaveFilter {
                employee_id: Some(id.clone()),
                ..LeaveFilter::default()
            })
            .await?;
        Ok(Json(EmployeeLeave {
            employee_id: id,
            leave_requests: leave_views(leave),
        }))
    }

    /// The stored leave of the employee an email finds.
    #[oai(
        path = "/get/leave_requests_by_email",
        method = "get",
        tag = "ApiTags::Employees"
    )]
    async fn leave_requests_by_email(
        &self,
        state: Data<&AppState>,
        request: &Request,
        email: Query<Option<String>>,
    ) -> ApiResult<Json<EmailLeave>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        let email = required("email", email.0.as_deref())?.to_lowercase();
        let employee = by_email(&state, &email).await?;
        let id = employee.employee.employee_id;
        let leave = state
            .store
            .list_leave(LeaveFilter {
                employee_id: Some(id.clone()),
                ..LeaveFilter::default()
            })
            .await?;
        Ok(Json(EmailLeave {
            employee_id: id,
            email,
            leave_requests: leave_views(leave),
        }))
    }
}

async fn by_email(state: &AppState, email: &str) -> Result<StoredEmployee, ApiError> {
    state
        .store
        .find_employee_by_email(email)
        .await?
        .ok_or_else(employee_not_found)
}

fn employee_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "employee_not_found",
        "No stored employee matches; run /sync/employees if the employee is new.",
    )
}

/// A required query parameter: trimmed; missing or blank is `required`.
pub fn required(name: &str, raw: Option<&str>) -> Result<String, ApiError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .ok_or_else(|| ApiError::field(name, "required"))
}

/// The `/get/leave_requests` filter: blank values are absent; dates as the closure list's.
pub fn leave_filter(
    employee_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<LeaveFilter, ApiError> {
    let range = date_filter(from, to)?;
    let present = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).is_some();
    Ok(LeaveFilter {
        employee_id: employee_id
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from),
        from: range.filter(|_| present(from)).map(|r| r.0),
        to: range.filter(|_| present(to)).map(|r| r.1),
    })
}

pub fn employee_view(stored: &StoredEmployee) -> Employee {
    let e = &stored.employee;
    Employee {
        employee_id: e.employee_id.clone(),
        name: e.name.clone(),
        company_email: e.company_email.clone(),
        account_email: e.account_email.clone(),
        synced_at: instant(stored.synced_at),
    }
}

pub fn leave_view(stored: &StoredLeaveRequest) -> LeaveRequest {
    let r = &stored.request;
    LeaveRequest {
        leave_request_id: r.leave_request_id.clone(),
        employee_id: r.employee_id.clone(),
        employee_email: stored.employee_email.clone(),
        start_date: r.start_date.to_string(),
        end_date: r.end_date.to_string(),
        status: r.status.clone(),
        leave_category: r.leave_category.clone(),
        synced_at: instant(stored.synced_at),
    }
}

fn leave_views(leave: Vec<StoredLeaveRequest>) -> Vec<LeaveRequest> {
    leave.iter().map(leave_view).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn required_parameters() {
        assert_eq!(required("email", Some(" a@b.com ")), Ok("a@b.com".into()));
        for raw in [None, Some(""), Some("  ")] {
            let e = required("email", raw).unwrap_err();
            assert_eq!(e.details, Some(json!({"fields": {"email": "required"}})));
        }
    }

    #[test]
    fn leave_filters() {
        assert_eq!(leave_filter(None, None, None), Ok(LeaveFilter::default()));
        assert_eq!(
            leave_filter(Some(" 12 "), Some("2025-04-01"), None),
            Ok(LeaveFilter {
                employee_id: Some("12".into()),
                from: Some(d("2025-04-01")),
                to: None,
            })
        );
        assert_eq!(
            leave_filter(None, None, Some("2025-04-30")).map(|f| (f.from, f.to)),
            Ok((None, Some(d("2025-04-30"))))
        );
        let e = leave_filter(None, Some("2025-04-31"), None).unwrap_err();
        assert_eq!(e.details, Some(json!({"fields": {"from": "invalid_date"}})));
    }
}
