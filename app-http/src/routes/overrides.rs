//! Capacity overrides (http-api.md H2.6): the same pattern as closures on
//! `/capacity_overrides`. (adviser_email, effective_date) is unique: 409 `duplicate_override`.

use crate::auth::{self, Need};
use crate::body::RawJson;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::routes::closures::{Deleted, check_id, field_errors, parse_body};
use crate::state::AppState;
use domain::admin_input::{OverrideFields, effective_week, validate_override};
use domain::allocation::CapacityOverride;
use domain::ports::{OverrideStore, OverrideWriteError, StoredOverride};
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

#[derive(Debug)]
pub struct OverridesApi;

/// A capacity override (H2.6).
#[derive(Debug, Clone, PartialEq, Object)]
pub struct Override {
    pub id: String,
    pub adviser_email: String,
    /// `YYYY-MM-DD`.
    pub effective_date: String,
    /// The first Monday on or after `effective_date`.
    pub effective_week: String,
    pub client_limit_monthly: u32,
    /// `""`, `Standard Pod`, `Solo Adviser` or `Team Pod`.
    pub pod_type: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `OverrideInput` (H2.6).
#[derive(Debug, Clone, Object, Deserialize)]
pub struct OverrideInput {
    /// Trimmed and lowercased; an email address (portal P2.2).
    pub adviser_email: String,
    /// `YYYY-MM-DD`, 2000-01-01..2100-12-31.
    pub effective_date: String,
    /// A JSON integer 1..100.
    pub client_limit_monthly: i64,
    /// `""`, `Standard Pod`, `Solo Adviser` or `Team Pod`; null = `""`.
    #[serde(default)]
    pub pod_type: Option<String>,
    /// ≤500 chars, trimmed.
    #[serde(default)]
    pub notes: Option<String>,
}

/// `OverrideUpdate` (H2.6): the fields present change, then the result is validated.
#[derive(Debug, Clone, Default, Object, Deserialize)]
pub struct OverrideUpdate {
    #[serde(default)]
    pub adviser_email: Option<String>,
    #[serde(default)]
    pub effective_date: Option<String>,
    #[serde(default)]
    pub client_limit_monthly: Option<i64>,
    /// null = `""` (no pod type).
    #[serde(default)]
    pub pod_type: MaybeUndefined<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// `{"count", "capacity_overrides"}`.
#[derive(Debug, Object)]
pub struct OverrideList {
    pub count: usize,
    pub capacity_overrides: Vec<Override>,
}

#[derive(Debug, ApiResponse)]
pub enum OverrideCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Override>, #[oai(header = "Location")] String),
}

#[OpenApi]
impl OverridesApi {
    /// Capacity overrides, optionally of one adviser; by adviser email, effective date, id.
    #[oai(
        path = "/capacity_overrides",
        method = "get",
        tag = "ApiTags::CapacityOverrides"
    )]
    async fn list_overrides(
        &self,
        state: Data<&AppState>,
        request: &Request,
        adviser_email: Query<Option<String>>,
    ) -> ApiResult<Json<OverrideList>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        let filter = adviser_filter(adviser_email.0.as_deref());
        let list: Vec<Override> = state
            .store
            .list_overrides(filter)
            .await?
            .iter()
            .map(override_view)
            .collect();
        Ok(Json(OverrideList {
            count: list.len(),
            capacity_overrides: list,
        }))
    }

    /// One capacity override.
    #[oai(
        path = "/capacity_overrides/:id",
        method = "get",
        tag = "ApiTags::CapacityOverrides"
    )]
    async fn get_override(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<String>,
    ) -> ApiResult<Json<Override>> {
        auth::require(&state, request, Need::AdminOrApiKey).await?;
        check_id(&id.0)?;
        match state.store.get_override(&id.0).await? {
            Some(stored) => Ok(Json(override_view(&stored))),
            None => Err(not_found()),
        }
    }

    /// Creates a capacity override.
    #[oai(
        path = "/capacity_overrides",
        method = "post",
        tag = "ApiTags::CapacityOverrides"
    )]
    async fn create_override(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: RawJson<OverrideInput>,
    ) -> ApiResult<OverrideCreated> {
        auth::require(&state, request, Need::AdminWrite).await?;
        let input: OverrideInput = parse_body(&body.bytes)?;
        let value = validate_override(&override_fields(&input)).map_err(field_errors)?;
        let stored = state
            .store
            .create_override(&value, state.clock.now())
            .await
            .map_err(write_error)?;
        tracing::info!(id = %stored.id, "capacity override created");
        let location = format!("/capacity_overrides/{}", stored.id);
        Ok(OverrideCreated::Created(
            Json(override_view(&stored)),
            location,
        ))
    }

    /// Changes the fields present in the body; the merged override is validated as a whole.
    #[oai(
        path = "/capacity_overrides/:id",
        method = "put",
        tag = "ApiTags::CapacityOverrides"
    )]
    async fn update_override(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<String>,
        body: RawJson<OverrideUpdate>,
    ) -> ApiResult<Json<Override>> {
        auth::require(&state, request, Need::AdminWrite).await?;
        check_id(&id.0)?;
        let update: OverrideUpdate = parse_body(&body.bytes)?;
        let Some(existing) = state.store.get_override(&id.0).await? else {
            return Err(not_found());
        };
        let value =
            validate_override(&merge_override(&existing.value, &update)).map_err(field_errors)?;
        match state
            .store
            .update_override(&id.0, &value, state.clock.now())
            .await
            .map_err(write_error)?
        {
            Some(stored) => {
                tracing::info!(id = %stored.id, "capacity override updated");
                Ok(Json(override_view(&stored)))
            }
            None => Err(not_found()),
        }
    }

    /// Deletes a capacity override.
    #[oai(
        path = "/capacity_overrides/:id",
        method = "delete",
        tag = "ApiTags::CapacityOverrides"
    )]
    async fn delete_override(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<String>,
    ) -> ApiResult<Deleted> {
        auth::require(&state, request, Need::AdminWrite).await?;
        check_id(&id.0)?;
        if state.store.delete_override(&id.0).await? {
            tracing::info!(id = %id.0, "capacity override deleted");
            Ok(Deleted::NoContent)
        } else {
            Err(not_found())
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("override_not_found", "The capacity override")
}

fn write_error(error: OverrideWriteError) -> ApiError {
    match error {
        OverrideWriteError::DuplicateOverride => ApiError::new(
            StatusCode::CONFLICT,
            "duplicate_override",
            "An override for this adviser and effective date already exists.",
        ),
        OverrideWriteError::Store(e) => e.into(),
    }
}

/// The list filter: trimmed, lowercased; blank = no filter.
pub fn adviser_filter(raw: Option<&str>) -> Option<String> {
    raw.map(domain::allocation::ekey).filter(|s| !s.is_empty())
}

/// The fields of a new override, before validation.
pub fn override_fields(input: &OverrideInput) -> OverrideFields {
    OverrideFields {
        adviser_email: Some(input.adviser_email.clone()),
        effective_date: Some(input.effective_date.clone()),
        client_limit_monthly: Some(input.client_limit_monthly),
        pod_type: input.pod_type.clone().unwrap_or_default(),
        notes: input.notes.clone().unwrap_or_default(),
    }
}

/// The stored override with the fields present in `update` replaced, before validation.
pub fn merge_override(existing: &CapacityOverride, update: &OverrideUpdate) -> OverrideFields {
    OverrideFields {
        adviser_email: Some(
            update
                .adviser_email
                .clone()
                .unwrap_or_else(|| existing.adviser_email.clone()),
        ),
        effective_date: Some(
            update
                .effective_date
                .clone()
                .unwrap_or_else(|| existing.effective_date.to_string()),
        ),
        client_limit_monthly: Some(
            update
                .client_limit_monthly
                .unwrap_or_else(|| i64::from(existing.client_limit_monthly.get())),
        ),
        pod_type: match &update.pod_type {
            MaybeUndefined::Undefined => existing.pod_type.clone().unwrap_or_default(),
            MaybeUndefined::Null => String::new(),
            MaybeUndefined::Value(p) => p.clone(),
        },
        notes: update
            .notes
            .clone()
            .unwrap_or_else(|| existing.notes.clone().unwrap_or_default()),
    }
}

/// The H2.6 `Override` of a stored override.
pub fn override_view(stored: &StoredOverride) -> Override {
    let v = &stored.value;
    Override {
        id: stored.id.clone(),
        adviser_email: v.adviser_email.clone(),
        effective_date: v.effective_date.to_string(),
        effective_week: effective_week(v.effective_date).to_string(),
        client_limit_monthly: v.client_limit_monthly.get(),
        pod_type: v.pod_type.clone().unwrap_or_default(),
        notes: v.notes.clone().unwrap_or_default(),
        created_at: instant(stored.created_at),
        updated_at: instant(stored.updated_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::parse_json;
    use chrono::{NaiveDate, TimeZone, Utc};
    use domain::allocation::ClientLimit;
    use serde_json::{Value, json};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn existing() -> CapacityOverride {
        CapacityOverride {
            adviser_email: "sam@firm.com".into(),
            effective_date: d("2025-04-16"),
            client_limit_monthly: ClientLimit::new(6).unwrap(),
            pod_type: Some("Team Pod".into()),
            notes: Some("n".into()),
        }
    }

    fn update(v: Value) -> OverrideUpdate {
        parse_json(v.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn input_maps_to_an_override() {
        let input: OverrideInput = parse_json(
            json!({"adviser_email": " Sam@Firm.COM ", "effective_date": "2025-04-16",
                   "client_limit_monthly": 8, "pod_type": null, "notes": " x "})
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let v = validate_override(&override_fields(&input)).unwrap();
        assert_eq!(v.adviser_email, "sam@firm.com");
        assert_eq!(v.client_limit_monthly.get(), 8);
        assert_eq!(v.pod_type, None);
        assert_eq!(v.notes.as_deref(), Some("x"));
    }

    #[test]
    fn a_string_limit_is_refused_by_the_schema() {
        for limit in [json!("8"), json!(8.5), json!(null)] {
            let err = parse_json::<OverrideInput>(
                json!({"adviser_email": "a@b.com", "effective_date": "2025-04-16",
                       "client_limit_monthly": limit})
                .to_string()
                .as_bytes(),
            )
            .unwrap_err();
            assert_eq!(err.code, "validation_failed");
            assert_eq!(
                err.details,
                Some(json!({"fields": {"client_limit_monthly": "invalid_value"}})),
                "{limit}"
            );
        }
        let err = parse_json::<OverrideInput>(br#"{"adviser_email": "a@b.com"}"#).unwrap_err();
        assert_eq!(err.code, "validation_failed");
    }

    #[test]
    fn update_merges_then_validates() {
        let f = merge_override(&existing(), &update(json!({"client_limit_monthly": 9})));
        let v = validate_override(&f).unwrap();
        assert_eq!(v.client_limit_monthly.get(), 9);
        assert_eq!(v.pod_type.as_deref(), Some("Team Pod"));
        assert_eq!(v.notes.as_deref(), Some("n"));
        assert_eq!(v.effective_date, d("2025-04-16"));

        // pod_type null clears it; absent keeps it.
        let f = merge_override(&existing(), &update(json!({"pod_type": null})));
        assert_eq!(f.pod_type, "");
        let f = merge_override(&existing(), &update(json!({"notes": null})));
        assert_eq!(f.notes, "n");

        let f = merge_override(
            &existing(),
            &update(json!({"client_limit_monthly": 0, "pod_type": "Pod"})),
        );
        assert_eq!(
            validate_override(&f),
            Err(vec![
                ("client_limit_monthly".to_owned(), "out_of_range"),
                ("pod_type".to_owned(), "invalid_value")
            ])
        );
        let err = parse_json::<OverrideUpdate>(br#"{"client_limit_monthly": "5"}"#).unwrap_err();
        assert_eq!(
            err.details,
            Some(json!({"fields": {"client_limit_monthly": "invalid_value"}}))
        );
    }

    #[test]
    fn view_has_effective_week() {
        let t = Utc.with_ymd_and_hms(2025, 4, 1, 9, 30, 0).unwrap();
        let v = override_view(&StoredOverride {
            id: "o1".into(),
            value: CapacityOverride {
                pod_type: None,
                notes: None,
                ..existing()
            },
            created_at: t,
            updated_at: t,
        });
        assert_eq!(v.effective_week, "2025-04-21");
        assert_eq!(v.pod_type, "");
        assert_eq!(v.notes, "");
        assert_eq!(v.updated_at, "2025-04-01T09:30:00.000Z");
    }

    #[test]
    fn duplicates_are_a_conflict() {
        let e = write_error(OverrideWriteError::DuplicateOverride);
        assert_eq!((e.status.as_u16(), e.code), (409, "duplicate_override"));
        assert_eq!(adviser_filter(Some("  ")), None);
        assert_eq!(adviser_filter(Some(" A@B.com")), Some("a@b.com".into()));
    }
}
