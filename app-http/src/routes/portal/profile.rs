//! The caller's profile (http-api.md H4.2; portal.md P4.1–P4.5): read, replace, delete.

use super::users::photo_url;
use crate::auth;
use crate::auth::login::field_errors;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::explain::instant;
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::portal::fields::{FieldCode, FieldErrors};
use domain::portal::profile_input::ProfileInput;
use domain::usecase::portal::profile::{ProfileError, ProfileView, Profiles};
use photo_store::DiskPhotoStore;
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use serde_json::Value;
use sql_store::SqlStore;

#[derive(Debug)]
pub struct PortalProfileApi;

/// The profile use cases as the server wires them.
pub fn profiles(state: &AppState) -> Profiles<SqlStore, DiskPhotoStore> {
    Profiles::new(state.store.clone(), state.photos.clone())
}

/// P4.4.
#[derive(Debug, Object)]
pub struct CompletenessView {
    pub complete: bool,
    /// In order, those of `resume_link`, `experience`, `skills`, `certifications` missing.
    pub missing: Vec<String>,
}

impl From<&domain::portal::profile::Completeness> for CompletenessView {
    fn from(c: &domain::portal::profile::Completeness) -> CompletenessView {
        CompletenessView {
            complete: c.complete,
            missing: c.missing.iter().map(|m| m.as_str().to_owned()).collect(),
        }
    }
}

/// `Profile` (H4.2).
#[derive(Debug, Object)]
pub struct ProfileBody {
    pub user_id: i64,
    pub headline: Option<String>,
    pub summary: Option<String>,
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    pub resume_link: Option<String>,
    pub experience: Option<String>,
    pub photo_url: Option<String>,
    pub completeness: CompletenessView,
    /// `null` until the first save.
    pub updated_at: Option<String>,
}

impl From<ProfileView> for ProfileBody {
    fn from(v: ProfileView) -> ProfileBody {
        ProfileBody {
            photo_url: photo_url(v.user_id, v.photo.as_ref()),
            user_id: v.user_id,
            headline: v.fields.headline,
            summary: v.fields.summary,
            skills: v.fields.skills,
            certifications: v.fields.certifications,
            resume_link: v.fields.resume_link,
            experience: v.fields.experience,
            completeness: CompletenessView::from(&v.completeness),
            updated_at: v.updated_at.map(instant),
        }
    }
}

/// A profile save (P4.3): every field optional; absent means null or `[]`.
#[derive(Debug, Default, Object, Deserialize)]
pub struct ProfileUpdate {
    #[serde(default)]
    pub headline: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    /// An array of strings; each may hold several comma-separated items (P4.2).
    #[serde(default)]
    pub skills: Option<Value>,
    /// An array of strings, as `skills`.
    #[serde(default)]
    pub certifications: Option<Value>,
    #[serde(default)]
    pub resume_link: Option<String>,
    #[serde(default)]
    pub experience: Option<String>,
}

/// P2.10: a list must be an array of strings (`null` or absent: `[]`), else `invalid_format`.
fn string_list(
    field: &'static str,
    value: Option<Value>,
    errors: &mut FieldErrors,
) -> Option<Vec<String>> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Some(
            items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        Some(_) => {
            errors.insert(field, FieldCode::InvalidFormat);
            None
        }
    }
}

#[derive(Debug, ApiResponse)]
pub enum Deleted {
    /// Deleted (or there was nothing to delete).
    #[oai(status = 204)]
    NoContent,
}

/// H0.11 for a refused profile or photo write.
pub fn profile_error(e: ProfileError) -> ApiError {
    match e {
        ProfileError::Invalid(fields) => field_errors(fields),
        ProfileError::UnsupportedPhoto => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "The photo must be a JPEG, PNG or GIF image.",
        ),
        ProfileError::UnknownUser => ApiError::unauthenticated(),
        ProfileError::Storage(e) => {
            tracing::error!(error = %e, "photo storage failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "upstream_unavailable",
                "Photo storage is unavailable; try again shortly.",
            )
            .retry_after(30)
        }
        ProfileError::Store(e) => e.into(),
    }
}

#[OpenApi]
impl PortalProfileApi {
    /// The caller's profile; an empty one before the first save (P4.1).
    #[oai(
        path = "/api/portal/profile",
        method = "get",
        tag = "ApiTags::PortalProfile"
    )]
    async fn get_profile(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Json<ProfileBody>> {
        let caller = auth::require_session(&state, request).await?;
        let view = profiles(&state).get(caller.user_id).await?;
        Ok(Json(view.into()))
    }

    /// Replace the profile's fields (P4.3); the photo is untouched.
    #[oai(
        path = "/api/portal/profile",
        method = "put",
        tag = "ApiTags::PortalProfile"
    )]
    async fn put_profile(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<ProfileUpdate>,
    ) -> ApiResult<Json<ProfileBody>> {
        let caller = auth::require_session(&state, request).await?;
        let b = body.0;
        let mut errors = FieldErrors::new();
        let skills = string_list("skills", b.skills, &mut errors);
        let certifications = string_list("certifications", b.certifications, &mut errors);
        if !errors.is_empty() {
            return Err(field_errors(errors));
        }
        let input = ProfileInput {
            headline: b.headline,
            summary: b.summary,
            skills,
            certifications,
            resume_link: b.resume_link,
            experience: b.experience,
        };
        let view = profiles(&state)
            .save(caller.user_id, &input, state.clock.now())
            .await
            .map_err(profile_error)?;
        Ok(Json(view.into()))
    }

    /// Delete the profile and its photo (P4.5).
    #[oai(
        path = "/api/portal/profile",
        method = "delete",
        tag = "ApiTags::PortalProfile"
    )]
    async fn delete_profile(
        &self,
        state: Data<&AppState>,
        request: &Request,
    ) -> ApiResult<Deleted> {
        let caller = auth::require_session(&state, request).await?;
        profiles(&state).delete(caller.user_id).await?;
        Ok(Deleted::NoContent)
    }
}
