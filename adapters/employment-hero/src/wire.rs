//! Employment Hero's JSON shapes (upstreams.md U2.3, U2.5, U2.6): only the fields used.

use domain::ports::{Employee, UpstreamLeaveRequest};
use serde::Deserialize;

/// The token endpoint's answer (U2.3, U2.4). Deliberately not `Debug`: it holds tokens.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
}

/// `{"data": {"items": […], "page_index", "item_per_page", "total_items", "total_pages"}}` (U2.7).
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope<T> {
    pub data: Page<T>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    #[serde(default)]
    pub item_per_page: Option<u32>,
    pub total_pages: u32,
}

/// Ids are strings (UUIDs) in EH; numbers are accepted too and kept as written.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Id {
    Text(String),
    Number(serde_json::Number),
}

impl Id {
    fn into_string(self) -> String {
        match self {
            Id::Text(s) => s,
            Id::Number(n) => n.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Organisation {
    pub id: Id,
    #[serde(default)]
    pub name: Option<String>,
}

impl Organisation {
    pub fn id(&self) -> String {
        match &self.id {
            Id::Text(s) => s.clone(),
            Id::Number(n) => n.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EmployeeItem {
    id: Id,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    company_email: Option<String>,
    #[serde(default)]
    account_email: Option<String>,
}

impl From<EmployeeItem> for Employee {
    /// U2.5: `full_name`, else `first_name + " " + last_name`.
    fn from(e: EmployeeItem) -> Employee {
        let name = e
            .full_name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| {
                [e.first_name, e.last_name]
                    .into_iter()
                    .flatten()
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        Employee {
            employee_id: e.id.into_string(),
            name: name.trim().to_owned(),
            company_email: e.company_email,
            account_email: e.account_email,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LeaveItem {
    id: Id,
    employee_id: Id,
    #[serde(default)]
    start_date: Option<String>,
    #[serde(default)]
    end_date: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    leave_category_name: Option<String>,
}

impl From<LeaveItem> for UpstreamLeaveRequest {
    /// Missing dates or status become empty strings, which the sync counts as invalid or not
    /// approved (H2.3.3) rather than failing the whole sync.
    fn from(l: LeaveItem) -> UpstreamLeaveRequest {
        UpstreamLeaveRequest {
            leave_request_id: l.id.into_string(),
            employee_id: l.employee_id.into_string(),
            start_date: l.start_date.unwrap_or_default(),
            end_date: l.end_date.unwrap_or_default(),
            status: l.status.unwrap_or_default(),
            leave_category: l.leave_category_name,
        }
    }
}

/// An OAuth or API error body: `{"error": "invalid_grant", "error_description": "…"}`, or an
/// API error with `message`/`errors`. Only the code and a message are read.
pub(crate) fn describe_error_body(body: &[u8]) -> upstream_http::ErrorBody {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_owned);
    upstream_http::ErrorBody {
        code: text("error").or_else(|| text("code")).unwrap_or_default(),
        message: text("error_description")
            .or_else(|| text("message"))
            .unwrap_or_default(),
    }
}
