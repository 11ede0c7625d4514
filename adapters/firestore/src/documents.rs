//! The legacy document shapes (upstreams.md U4.5) and the domain values they hold. Reads are
//! tolerant (an `end_date` may be missing, `reason` stands in for `description`, tags may be a
//! comma-separated string, a limit may be a digit string, dates may be timestamps); writes use
//! the shapes of U4.5. A document that makes no valid value is skipped with a warning.

use crate::http::Document;
use crate::value::{Fields, Value};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use domain::allocation::{CapacityOverride, ClientLimit, OfficeClosure};
use domain::ports::{Employee, LeaveRequest, StoredClosure, StoredOverride};

pub(crate) const CLOSURES: &str = "office_closures";
pub(crate) const OVERRIDES: &str = "adviser_capacity_overrides";
pub(crate) const EMPLOYEES: &str = "employees";
pub(crate) const LEAVE: &str = "leave_requests";

/// The mask of a closure write. `reason` is named but never written, so an edit drops the
/// legacy field in favour of `description`.
pub(crate) const CLOSURE_MASK: [&str; 6] = [
    "start_date",
    "end_date",
    "description",
    "reason",
    "tags",
    "updated_at",
];
pub(crate) const OVERRIDE_MASK: [&str; 6] = [
    "adviser_email",
    "effective_date",
    "client_limit_monthly",
    "pod_type",
    "notes",
    "updated_at",
];
pub(crate) const EMPLOYEE_MASK: [&str; 5] =
    ["id", "name", "company_email", "account_email", "synced_at"];
pub(crate) const LEAVE_MASK: [&str; 7] = [
    "leave_request_id",
    "employee_id",
    "start_date",
    "end_date",
    "status",
    "leave_category",
    "synced_at",
];

/// A new document id: 20 random characters of `[A-Za-z0-9]` (U4.5).
pub(crate) fn new_id() -> String {
    (0..20).map(|_| fastrand::alphanumeric()).collect()
}

pub(crate) fn instant(at: DateTime<Utc>) -> Value {
    Value::String(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn date(d: NaiveDate) -> Value {
    Value::String(d.format("%Y-%m-%d").to_string())
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn optional(s: Option<&str>) -> Value {
    s.map_or(Value::Null, string)
}

fn text<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

/// A string or timestamp field as a date: its first ten characters (`YYYY-MM-DD`).
fn read_date(fields: &Fields, name: &str) -> Option<NaiveDate> {
    let s = text(fields, name)?.trim();
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn read_instant(fields: &Fields, name: &str, doc: &Document) -> DateTime<Utc> {
    text(fields, name)
        .or(doc.update_time.as_deref())
        .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc))
}

fn skip<T>(doc: &Document, why: &str) -> Option<T> {
    tracing::warn!(
        document = doc.id(),
        reason = why,
        "skipping a malformed Firestore document"
    );
    None
}

pub(crate) fn closure_fields(closure: &OfficeClosure, now: DateTime<Utc>) -> Fields {
    Fields::from([
        ("start_date".into(), date(closure.start_date)),
        (
            "end_date".into(),
            date(closure.end_date.unwrap_or(closure.start_date)),
        ),
        ("description".into(), string(&closure.description)),
        (
            "tags".into(),
            Value::Array(closure.tags.iter().map(|t| string(t)).collect()),
        ),
        ("updated_at".into(), instant(now)),
    ])
}

pub(crate) fn read_closure(doc: &Document) -> Option<StoredClosure> {
    let f = &doc.fields;
    let Some(start_date) = read_date(f, "start_date") else {
        return skip(doc, "closure without a start_date");
    };
    let description = text(f, "description")
        .or_else(|| text(f, "reason"))
        .unwrap_or_default()
        .to_owned();
    let tags = match f.get("tags") {
        Some(Value::Array(values)) => values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(list)) => list
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    Some(StoredClosure {
        id: doc.id().to_owned(),
        closure: OfficeClosure {
            start_date,
            end_date: Some(read_date(f, "end_date").unwrap_or(start_date)),
            description,
            tags,
        },
        created_at: read_instant(f, "created_at", doc),
        updated_at: read_instant(f, "updated_at", doc),
    })
}

pub(crate) fn override_fields(value: &CapacityOverride, now: DateTime<Utc>) -> Fields {
    Fields::from([
        ("adviser_email".into(), string(&value.adviser_email)),
        ("effective_date".into(), date(value.effective_date)),
        (
            "client_limit_monthly".into(),
            Value::Integer(i64::from(value.client_limit_monthly.get())),
        ),
        ("pod_type".into(), optional(value.pod_type.as_deref())),
        ("notes".into(), optional(value.notes.as_deref())),
        ("updated_at".into(), instant(now)),
    ])
}

fn read_limit(value: Option<&Value>) -> Option<ClientLimit> {
    let n = match value? {
        Value::Integer(i) => u32::try_from(*i).ok()?,
        Value::String(s) => s.trim().parse().ok()?,
        Value::Double(d) if d.fract() == 0.0 && *d >= 1.0 && *d <= f64::from(u32::MAX) => *d as u32,
        _ => return None,
    };
    ClientLimit::new(n).ok()
}

pub(crate) fn read_override(doc: &Document) -> Option<StoredOverride> {
    let f = &doc.fields;
    let Some(adviser_email) = text(f, "adviser_email").filter(|e| !e.trim().is_empty()) else {
        return skip(doc, "override without an adviser_email");
    };
    let Some(effective_date) = read_date(f, "effective_date") else {
        return skip(doc, "override without an effective_date");
    };
    let Some(client_limit_monthly) = read_limit(f.get("client_limit_monthly")) else {
        return skip(doc, "override without a limit of at least 1");
    };
    let non_empty = |name| text(f, name).filter(|s| !s.is_empty()).map(str::to_owned);
    Some(StoredOverride {
        id: doc.id().to_owned(),
        value: CapacityOverride {
            adviser_email: adviser_email.to_owned(),
            effective_date,
            client_limit_monthly,
            pod_type: non_empty("pod_type"),
            notes: non_empty("notes"),
        },
        created_at: read_instant(f, "created_at", doc),
        updated_at: read_instant(f, "updated_at", doc),
    })
}

pub(crate) fn employee_fields(e: &Employee, now: DateTime<Utc>) -> Fields {
    Fields::from([
        ("id".into(), string(&e.employee_id)),
        ("name".into(), string(&e.name)),
        ("company_email".into(), optional(e.company_email.as_deref())),
        ("account_email".into(), optional(e.account_email.as_deref())),
        ("synced_at".into(), instant(now)),
    ])
}

/// An employee and when a sync last confirmed it. The id is the document's (`employees/{eh id}`).
pub(crate) fn read_employee(doc: &Document) -> (Employee, DateTime<Utc>) {
    let f = &doc.fields;
    let email = |name| text(f, name).map(str::to_owned);
    let employee = Employee {
        employee_id: doc.id().to_owned(),
        name: text(f, "name").unwrap_or_default().to_owned(),
        company_email: email("company_email"),
        account_email: email("account_email"),
    };
    (employee, read_instant(f, "synced_at", doc))
}

pub(crate) fn leave_fields(r: &LeaveRequest, now: DateTime<Utc>) -> Fields {
    Fields::from([
        ("leave_request_id".into(), string(&r.leave_request_id)),
        ("employee_id".into(), string(&r.employee_id)),
        ("start_date".into(), date(r.start_date)),
        ("end_date".into(), date(r.end_date)),
        ("status".into(), string(&r.status)),
        (
            "leave_category".into(),
            optional(r.leave_category.as_deref()),
        ),
        ("synced_at".into(), instant(now)),
    ])
}

/// A leave request under `employees/{eh id}/leave_requests/{leave id}`: the ids are the path's.
pub(crate) fn read_leave(doc: &Document) -> Option<(LeaveRequest, DateTime<Utc>)> {
    let f = &doc.fields;
    let Some(employee_id) = doc.parent_id() else {
        return skip(doc, "leave request outside an employee");
    };
    let (Some(start_date), Some(end_date)) = (read_date(f, "start_date"), read_date(f, "end_date"))
    else {
        return skip(doc, "leave request without its dates");
    };
    let request = LeaveRequest {
        leave_request_id: doc.id().to_owned(),
        employee_id: employee_id.to_owned(),
        start_date,
        end_date,
        status: text(f, "status").unwrap_or_default().to_owned(),
        leave_category: text(f, "leave_category").map(str::to_owned),
    };
    Some((request, read_instant(f, "synced_at", doc)))
}
