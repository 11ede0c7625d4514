//! Office closures (http-api.md H2.5): list, get, create, update (merge then validate), delete.
//! The rules are the domain's `admin_input`; this module maps JSON to them and back.

use crate::auth::{self, Need};
use crate::body::{JSON_CAP, RawJson, parse_json};
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::state::AppState;
use chrono::NaiveDate;
use domain::admin_input::{
    ClosureFields, FieldError, MAX_DATE, MIN_DATE, parse_admin_date, path_id_ok, validate_closure,
    workdays,
};
use domain::allocation::OfficeClosure;
use domain::ports::{ClosureStore, StoredClosure};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug)]
pub struct ClosuresApi;

/// An office closure (H2.5).
#[derive(Debug, Clone, PartialEq, Object)]
pub struct Closure {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`, on or after `start_date`.
    pub end_date: String,
    pub description: String,
    pub tags: Vec<String>,
    /// Monday–Friday dates in the inclusive range.
    pub workdays: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// `ClosureInput` (H2.5).
#[derive(Debug, Clone, Default, Object, Deserialize)]
pub struct ClosureInput {
    /// Required `YYYY-MM-DD`, 2000-01-01..2100-12-31.
    pub start_date: String,
    /// Default: `start_date`. At most 366 days after it, counting both ends.
    #[serde(default)]
    pub end_date: Option<String>,
    /// ≤200 chars, trimmed; default `""`.
    #[serde(default)]
    pub description: Option<String>,
    /// Legacy alias of `description`, read when `description` is absent.
    #[serde(default)]
    pub reason: Option<String>,
    /// An array of strings or one comma-separated string; ≤10 tags of ≤32 chars.
    #[serde(default)]
    pub tags: Option<Value>,
}

/// `ClosureUpdate` (H2.5): only the fields present change; the result is validated as a whole.
#[derive(Debug, Clone, Default, Object, Deserialize)]
pub struct ClosureUpdate {
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Legacy alias of `description`, read when `description` is absent.
    #[serde(default)]
    pub reason: Option<String>,
    /// An array of strings or one comma-separated string.
    #[serde(default)]
    pub tags: Option<Value>,
}

/// `{"count", "closures"}`.
#[derive(Debug, Object)]
pub struct ClosureList {
    pub count: usize,
    pub closures: Vec<Closure>,
}

#[derive(Debug, ApiResponse)]
pub enum ClosureCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Closure>, #[oai(header = "Location")] String),
}

#[derive(Debug, ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi]
impl ClosuresApi {
    /// Office closures, optionally only those overlapping `from`..`to`.
    #[oai(path = "/closures", method = "get", tag = "ApiTags::Closures")]
    async fn list_closures(
        &self,
        state: Data<&AppState>,
        request: &Request,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
    ) -> ApiResult<Json<ClosureList>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        let range = date_filter(from.0.as_deref(), to.0.as_deref())?;
        let closures: Vec<Closure> = state
            .store
            .list_closures(range)
            .await?
            .iter()
            .map(closure_view)
            .collect();
        Ok(Json(ClosureList {
            count: closures.len(),
            closures,
        }))
    }

    /// One office closure.
    #[oai(path = "/closures/:id", method = "get", tag = "ApiTags::Closures")]
    async fn get_closure(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<String>,
    ) -> ApiResult<Json<Closure>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        check_id(&id.0)?;
        match state.store.get_closure(&id.0).await? {
            Some(stored) => Ok(Json(closure_view(&stored))),
            None => Err(not_found()),
        }
    }

    /// Creates an office closure.
    #[oai(path = "/closures", method = "post", tag = "ApiTags::Closures")]
    async fn create_closure(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: RawJson<ClosureInput>,
    ) -> ApiResult<ClosureCreated> {
        auth::require(&state, request, Need::AdminWrite).await?;
        let input: ClosureInput = parse_body(&body.bytes)?;
        let closure = validate_closure(&closure_fields(&input).map_err(field_errors)?)
            .map_err(field_errors)?;
        let stored = state
            .store
            .create_closure(&closure, state.clock.now())
            .await?;
        tracing::info!(id = %stored.id, "closure created");
        let location = format!("/closures/{}", stored.id);
        Ok(ClosureCreated::Created(
            Json(closure_view(&stored)),
            location,
        ))
    }

    /// Changes the fields present in the body; the merged closure is validated as a whole.
    #[oai(path = "/closures/:id", method = "put", tag = "ApiTags::Closures")]
    async fn update_closure(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<String>,
        body: RawJson<ClosureUpdate>,
    ) -> ApiResult<Json<Closure>> {
        auth::require(&state, request, Need::AdminWrite).await?;
        check_id(&id.0)?;
        let update: ClosureUpdate = parse_body(&body.bytes)?;
        let Some(existing) = state.store.get_closure(&id.0).await? else {
            return Err(not_found());
        };
        let merged = merge_closure(&existing.closure, &update).map_err(field_errors)?;
        let closure = validate_closure(&merged).map_err(field_errors)?;
        match state
            .store
            .update_closure(&id.0, &closure, state.clock.now())
            .await?
        {
            Some(stored) => {
                tracing::info!(id = %stored.id, "closure updated");
                Ok(Json(closure_view(&stored)))
            }
            None => Err(not_found()),
        }
    }

    /// Deletes an office closure.
    #[oai(path = "/closures/:id", method = "delete", tag = "ApiTags::Closures")]
    async fn delete_closure(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<String>,
    ) -> ApiResult<Deleted> {
        auth::require(&state, request, Need::AdminWrite).await?;
        check_id(&id.0)?;
        if state.store.delete_closure(&id.0).await? {
            tracing::info!(id = %id.0, "closure deleted");
            Ok(Deleted::NoContent)
        } else {
            Err(not_found())
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("closure_not_found", "The closure")
}

/// A path id must be 1..64 chars of `[A-Za-z0-9_-]` (400 `validation_failed` otherwise).
pub(crate) fn check_id(id: &str) -> Result<(), ApiError> {
    if path_id_ok(id) {
        Ok(())
    } else {
        Err(ApiError::field("id", "invalid_format"))
    }
}

/// A JSON body under the 64 KiB cap of H0.3, parsed with the H0.9 error mapping.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.len() > JSON_CAP {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The body is larger than {JSON_CAP} bytes."),
        ));
    }
    parse_json(bytes)
}

pub(crate) fn field_errors(errors: Vec<FieldError>) -> ApiError {
    ApiError::fields(errors.into_iter().map(|(f, c)| (f, c.to_owned())))
}

/// A date query parameter: blank = absent; otherwise a valid `YYYY-MM-DD` in range.
pub(crate) fn query_date(name: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_admin_date(s)
            .map(Some)
            .map_err(|code| ApiError::field(name, code)),
    }
}

/// `from`/`to` of a list: either may be absent (open-ended); `to < from` is
/// `invalid_date_range` on `to`.
pub(crate) fn date_filter(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Option<(NaiveDate, NaiveDate)>, ApiError> {
    let from = query_date("from", from)?;
    let to = query_date("to", to)?;
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    let (from, to) = (from.unwrap_or(MIN_DATE), to.unwrap_or(MAX_DATE));
    if to < from {
        return Err(ApiError::field("to", "invalid_date_range"));
    }
    Ok(Some((from, to)))
}

/// `tags` as sent: an array of strings or one string (split on commas later); null = `[]`.
pub fn tags_from_json(value: Option<&Value>) -> Result<Vec<String>, FieldError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| ("tags".to_owned(), "invalid_value")),
        Some(_) => Err(("tags".to_owned(), "invalid_value")),
    }
}

/// The fields of a new closure, before validation.
pub fn closure_fields(input: &ClosureInput) -> Result<ClosureFields, Vec<FieldError>> {
    let tags = tags_from_json(input.tags.as_ref()).map_err(|e| vec![e])?;
    Ok(ClosureFields {
        start_date: Some(input.start_date.clone()),
        end_date: input.end_date.clone(),
        description: input
            .description
            .clone()
            .or_else(|| input.reason.clone())
            .unwrap_or_default(),
        tags,
    })
}

/// The stored closure with the fields present in `update` replaced, before validation.
pub fn merge_closure(
    existing: &OfficeClosure,
    update: &ClosureUpdate,
) -> Result<ClosureFields, Vec<FieldError>> {
    let tags = match &update.tags {
        None => existing.tags.clone(),
        Some(value) => tags_from_json(Some(value)).map_err(|e| vec![e])?,
    };
    let existing_end = existing.end_date.unwrap_or(existing.start_date);
    Ok(ClosureFields {
        start_date: Some(
            update
                .start_date
                .clone()
                .unwrap_or_else(|| existing.start_date.to_string()),
        ),
        end_date: Some(
            update
                .end_date
                .clone()
                .unwrap_or_else(|| existing_end.to_string()),
        ),
        description: update
            .description
            .clone()
            .or_else(|| update.reason.clone())
            .unwrap_or_else(|| existing.description.clone()),
        tags,
    })
}

/// The H2.5 `Closure` of a stored closure.
pub fn closure_view(stored: &StoredClosure) -> Closure {
    let c = &stored.closure;
    let end = c.end_date.unwrap_or(c.start_date);
    Closure {
        id: stored.id.clone(),
        start_date: c.start_date.to_string(),
        end_date: end.to_string(),
        description: c.description.clone(),
        tags: c.tags.clone(),
        workdays: workdays(c.start_date, end),
        created_at: instant(stored.created_at),
        updated_at: instant(stored.updated_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input(v: Value) -> ClosureInput {
        parse_json(v.to_string().as_bytes()).unwrap()
    }

    fn update(v: Value) -> ClosureUpdate {
        parse_json(v.to_string().as_bytes()).unwrap()
    }

    fn existing() -> OfficeClosure {
        OfficeClosure {
            start_date: d("2025-04-18"),
            end_date: Some(d("2025-04-21")),
            description: "Easter".into(),
            tags: vec!["holiday".into()],
        }
    }

    #[test]
    fn tags_accept_an_array_or_a_string() {
        assert_eq!(tags_from_json(None), Ok(vec![]));
        assert_eq!(tags_from_json(Some(&Value::Null)), Ok(vec![]));
        assert_eq!(
            tags_from_json(Some(&json!("a, b"))),
            Ok(vec!["a, b".to_owned()])
        );
        assert_eq!(
            tags_from_json(Some(&json!(["a", "b"]))),
            Ok(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            tags_from_json(Some(&json!(["a", 1]))),
            Err(("tags".to_owned(), "invalid_value"))
        );
        assert_eq!(
            tags_from_json(Some(&json!(3))),
            Err(("tags".to_owned(), "invalid_value"))
        );
    }

    #[test]
    fn input_maps_to_a_closure() {
        let f = closure_fields(&input(json!({
            "start_date": "2025-04-18",
            "reason": " Good Friday ",
            "tags": "Holiday, QLD, holiday"
        })))
        .unwrap();
        let c = validate_closure(&f).unwrap();
        assert_eq!(c.end_date, Some(d("2025-04-18")));
        assert_eq!(c.description, "Good Friday");
        assert_eq!(c.tags, vec!["Holiday".to_owned(), "QLD".to_owned()]);
        // description wins over the legacy alias.
        let f = closure_fields(&input(json!({
            "start_date": "2025-04-18", "description": "d", "reason": "r"
        })))
        .unwrap();
        assert_eq!(f.description, "d");
    }

    #[test]
    fn input_errors_name_the_field() {
        let err = parse_json::<ClosureInput>(br#"{"end_date": "2025-01-01"}"#).unwrap_err();
        assert_eq!(
            err.details,
            Some(json!({"fields": {"start_date": "required"}}))
        );
        let err = parse_json::<ClosureInput>(br#"{"start_date": 20250101}"#).unwrap_err();
        assert_eq!(err.code, "validation_failed");
        let errors = closure_fields(&input(json!({"start_date": "x", "tags": {"a": 1}})));
        assert_eq!(errors, Err(vec![("tags".to_owned(), "invalid_value")]));
        let f = closure_fields(&input(
            json!({"start_date": "2025-04-18", "end_date": "2025-04-17"}),
        ))
        .unwrap();
        assert_eq!(
            validate_closure(&f),
            Err(vec![("end_date".to_owned(), "invalid_date_range")])
        );
    }

    #[test]
    fn update_merges_only_present_fields() {
        let merged = merge_closure(
            &existing(),
            &update(json!({"description": "Easter long weekend"})),
        )
        .unwrap();
        let c = validate_closure(&merged).unwrap();
        assert_eq!(c.start_date, d("2025-04-18"));
        assert_eq!(c.end_date, Some(d("2025-04-21")));
        assert_eq!(c.description, "Easter long weekend");
        assert_eq!(c.tags, vec!["holiday".to_owned()]);

        let merged =
            merge_closure(&existing(), &update(json!({"tags": [], "reason": "R"}))).unwrap();
        assert_eq!(merged.tags, Vec::<String>::new());
        assert_eq!(merged.description, "R");

        // The merged result is validated as a whole: a new start after the stored end.
        let merged =
            merge_closure(&existing(), &update(json!({"start_date": "2025-04-22"}))).unwrap();
        assert_eq!(
            validate_closure(&merged),
            Err(vec![("end_date".to_owned(), "invalid_date_range")])
        );
        // Nulls leave fields as they are.
        let merged = merge_closure(
            &existing(),
            &update(json!({"end_date": null, "tags": null})),
        )
        .unwrap();
        assert_eq!(merged.end_date.as_deref(), Some("2025-04-21"));
        assert_eq!(merged.tags, vec!["holiday".to_owned()]);
    }

    #[test]
    fn view_has_workdays_and_millisecond_timestamps() {
        let t = Utc.with_ymd_and_hms(2025, 4, 1, 9, 30, 0).unwrap();
        let v = closure_view(&StoredClosure {
            id: "c1".into(),
            closure: OfficeClosure {
                end_date: None,
                ..existing()
            },
            created_at: t,
            updated_at: t,
        });
        assert_eq!(v.end_date, "2025-04-18");
        assert_eq!(v.workdays, 1);
        assert_eq!(v.created_at, "2025-04-01T09:30:00.000Z");
        let v = closure_view(&StoredClosure {
            id: "c1".into(),
            closure: existing(),
            created_at: t,
            updated_at: t,
        });
        assert_eq!(v.workdays, 2);
    }

    #[test]
    fn list_filters() {
        assert_eq!(date_filter(None, Some(" ")), Ok(None));
        assert_eq!(
            date_filter(Some("2025-01-01"), None),
            Ok(Some((d("2025-01-01"), MAX_DATE)))
        );
        assert_eq!(
            date_filter(Some("2025-02-01"), Some("2025-01-01"))
                .unwrap_err()
                .details,
            Some(json!({"fields": {"to": "invalid_date_range"}}))
        );
        assert_eq!(
            date_filter(Some("2025-02-30"), None).unwrap_err().details,
            Some(json!({"fields": {"from": "invalid_date"}}))
        );
        assert!(check_id("abc_1-2").is_ok());
        assert_eq!(check_id("a.b").unwrap_err().code, "validation_failed");
    }
}
