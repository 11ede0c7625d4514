//! The Employer API's bodies (upstreams.md U5.2, U5.3): jobs read leniently (the sync judges each
//! item, portal.md P6.5), the application POST body and answer, the lookup, and error bodies.
//! Parse errors name where the body broke, never what it held (values may be personal data).

use chrono::{DateTime, NaiveDateTime, Utc};
use domain::ports::{
    NewUpstreamApplication, UpstreamApplication, UpstreamApplicationId, UpstreamJob,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// The exact body of `POST /applications` (U5.3, P7.5), fields in the spec's order.
#[derive(Debug, Serialize)]
pub(crate) struct ApplicationBody<'a> {
    job_id: i64,
    user_id: i64,
    resume_link: &'a str,
    skills: &'a [String],
    certifications: &'a [String],
    cover_letter: &'a str,
}

impl<'a> From<&'a NewUpstreamApplication> for ApplicationBody<'a> {
    fn from(a: &'a NewUpstreamApplication) -> Self {
        ApplicationBody {
            job_id: a.job_id,
            user_id: a.user_id,
            resume_link: &a.resume_link,
            skills: &a.skills,
            certifications: &a.certifications,
            cover_letter: &a.cover_letter,
        }
    }
}

fn json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| {
        format!(
            "not JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn array(body: &[u8], what: &str) -> Result<Vec<Value>, String> {
    match json(body)? {
        Value::Array(items) => Ok(items),
        other => Err(format!(
            "{what} answered a JSON {}, not an array",
            kind(&other)
        )),
    }
}

/// A `GET /jobs` body (U5.2): a bare JSON array, else an error. Items are never refused.
pub fn parse_jobs_body(body: &[u8]) -> Result<Vec<UpstreamJob>, String> {
    Ok(array(body, "GET /jobs")?.iter().map(job).collect())
}

/// An id as P6.5 step 1 accepts it: a positive JSON integer or a string of 1..18 ASCII digits.
fn usable_id(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().filter(|id| *id > 0),
        Value::String(s)
            if (1..=18).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()
        }
        _ => None,
    }
}

fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name)?.as_str().map(str::to_owned)
}

/// The string items of a list, in order; nothing when it is missing or not an array.
fn strings(fields: &Map<String, Value>, name: &str) -> Vec<String> {
    fields
        .get(name)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn job(value: &Value) -> UpstreamJob {
    let empty = Map::new();
    let fields = value.as_object().unwrap_or(&empty);
    UpstreamJob {
        id: usable_id(fields.get("id")),
        title: text(fields, "title"),
        role: text(fields, "role"),
        location: text(fields, "location"),
        company: text(fields, "company").unwrap_or_default(),
        description: text(fields, "description").unwrap_or_default(),
        required_skills: strings(fields, "required_skills"),
        required_certifications: strings(fields, "required_certifications"),
        posted_at: fields
            .get("posted_at")
            .and_then(Value::as_str)
            .and_then(parse_timestamp),
    }
}

/// RFC 3339 with an offset, or `YYYY-MM-DDTHH:MM:SS[.fraction]` without one read as UTC (U5.2,
/// P6.5 step 2).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

/// The answer to `POST /applications` (U5.3): `{"success": true, "application_id": 42}`. Without
/// `success`, with `success: false`, or without an integer id it is unusable (U5.5).
pub(crate) fn parse_post_answer(body: &[u8]) -> Result<UpstreamApplicationId, String> {
    let value = json(body)?;
    let Some(fields) = value.as_object() else {
        return Err(format!(
            "POST /applications answered a JSON {}",
            kind(&value)
        ));
    };
    match fields.get("success") {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => return Err("a 2xx answer says success: false".into()),
        Some(_) => return Err("success is not a boolean".into()),
        None => return Err("the answer lacks success".into()),
    }
    usable_id(fields.get("application_id"))
        .map(UpstreamApplicationId)
        .ok_or_else(|| "the answer lacks an integer application_id".into())
}

/// A `GET /applications` body (U5.3): an array of applications. An item without integer `id`,
/// `job_id` and `user_id` makes the answer unusable: the lookup must not miss a match (P7.8).
pub(crate) fn parse_applications(body: &[u8]) -> Result<Vec<UpstreamApplication>, String> {
    let items = array(body, "GET /applications")?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| application(item).ok_or_else(|| format!("application {i} lacks ids")))
        .collect()
}

fn application(value: &Value) -> Option<UpstreamApplication> {
    let fields = value.as_object()?;
    let int = |name: &str| fields.get(name).and_then(Value::as_i64);
    Some(UpstreamApplication {
        id: UpstreamApplicationId(usable_id(fields.get("id"))?),
        job_id: int("job_id")?,
        user_id: int("user_id")?,
        resume_link: text(fields, "resume_link").unwrap_or_default(),
        skills: strings(fields, "skills"),
        certifications: strings(fields, "certifications"),
        cover_letter: text(fields, "cover_letter").unwrap_or_default(),
        created_at: fields
            .get("created_at")
            .and_then(Value::as_str)
            .and_then(parse_timestamp),
    })
}

/// The `error` text of `{"success": false, "error": "<text>"}`; empty for anything else.
pub(crate) fn error_text(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u5_2_posted_at_with_and_without_offset() {
        let want = "2025-11-11T10:30:00Z".parse::<DateTime<Utc>>().ok();
        assert_eq!(parse_timestamp("2025-11-11T10:30:00"), want);
        assert_eq!(parse_timestamp("2025-11-11T10:30:00+00:00"), want);
        assert_eq!(parse_timestamp("2025-11-11T20:30:00+10:00"), want);
        assert!(parse_timestamp("2025-11-11T10:30:00.250").is_some());
        assert_eq!(parse_timestamp("11/11/2025"), None);
    }

    #[test]
    fn p6_5_ids_are_positive_integers_or_short_digit_strings() {
        let id = |v: Value| usable_id(Some(&v));
        assert_eq!(id(serde_json::json!(1001)), Some(1001));
        assert_eq!(id(serde_json::json!("1001")), Some(1001));
        assert_eq!(id(serde_json::json!(0)), None);
        assert_eq!(id(serde_json::json!(-4)), None);
        assert_eq!(id(serde_json::json!(10.5)), None);
        assert_eq!(id(serde_json::json!("12a")), None);
        assert_eq!(id(serde_json::json!("1234567890123456789")), None);
        assert_eq!(id(serde_json::json!(null)), None);
    }

    #[test]
    fn u5_3_post_answers() {
        let parse = |s: &str| parse_post_answer(s.as_bytes());
        assert_eq!(
            parse(r#"{"success": true, "application_id": 42}"#),
            Ok(UpstreamApplicationId(42))
        );
        assert!(parse(r#"{"application_id": 42}"#).is_err());
        assert!(parse(r#"{"success": false, "error": "x"}"#).is_err());
        assert!(parse(r#"{"success": true}"#).is_err());
        assert!(parse("[]").is_err());
        assert!(parse("<html>").is_err());
    }

    #[test]
    fn u5_3_error_bodies() {
        assert_eq!(
            error_text(br#"{"success": false, "error": "Job not found"}"#),
            "Job not found"
        );
        assert_eq!(error_text(b"<html>500</html>"), "");
        assert_eq!(error_text(br#"{"error": 5}"#), "");
    }
}
