//! The directory (portal.md P8.11; http-api.md H4.2 `GET /users`): every other user with the
//! caller's relationship to them. No email addresses (P3.7).

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::ports::{ConnectionStore, Photo, Relationship, UserQuery, UserStore};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use std::collections::HashMap;

#[derive(Debug)]
pub struct PortalUsersApi;

/// H4 `photo_url`: `/api/portal/users/{id}/photo?v=<first 8 hex of the file name>`, so a new
/// photo gets a new URL.
pub fn photo_url(user_id: i64, photo: Option<&Photo>) -> Option<String> {
    photo.map(|p| {
        let version: String = p.filename.chars().take(8).collect();
        format!("/api/portal/users/{user_id}/photo?v={version}")
    })
}

/// `UserRef` plus the caller's relationship (P8.11).
#[derive(Debug, Object)]
pub struct DirectoryUser {
    pub id: i64,
    pub username: String,
    pub headline: Option<String>,
    pub photo_url: Option<String>,
    /// `connected`, `outgoing_pending`, `incoming_pending` or `none`.
    pub relationship: String,
    /// The pending request's id, for `outgoing_pending` and `incoming_pending`.
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<i64>,
}

/// `{"total", "users"}`.
#[derive(Debug, Object)]
pub struct DirectoryPage {
    pub total: u64,
    pub users: Vec<DirectoryUser>,
}

fn relationship_fields(r: Relationship) -> (&'static str, Option<i64>) {
    match r {
        Relationship::None => ("none", None),
        Relationship::Connected => ("connected", None),
        Relationship::OutgoingPending { request_id } => ("outgoing_pending", Some(request_id)),
        Relationship::IncomingPending { request_id } => ("incoming_pending", Some(request_id)),
    }
}

#[OpenApi]
impl PortalUsersApi {
    /// Everyone but the caller, by case-folded username; `q` filters by substring (P8.11).
    #[oai(
        path = "/api/portal/users",
        method = "get",
        tag = "ApiTags::PortalAccounts"
    )]
    async fn list_users(
        &self,
        state: Data<&AppState>,
        request: &Request,
        /// Case-insensitive substring of the username, ≤ 80 characters.
        q: Query<Option<String>>,
        /// 1..100, default 50.
        limit: Query<Option<i64>>,
        /// ≥ 0, default 0.
        offset: Query<Option<i64>>,
    ) -> ApiResult<Json<DirectoryPage>> {
        let caller = auth::require_session(&state, request).await?;
        let search =
            q.0.map(|q| q.trim().to_lowercase())
                .filter(|q| !q.is_empty());
        if search.as_ref().is_some_and(|q| q.chars().count() > 80) {
            return Err(ApiError::field("q", "too_long"));
        }
        let limit = limit.0.unwrap_or(50);
        let limit = u32::try_from(limit)
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| ApiError::field("limit", "invalid_value"))?;
        let offset = u64::try_from(offset.0.unwrap_or(0))
            .map_err(|_| ApiError::field("offset", "invalid_value"))?;
        let page = state
            .store
            .list_users(&UserQuery {
                search,
                exclude: Some(caller.user_id),
                limit,
                offset,
            })
            .await?;
        let relationships: HashMap<i64, Relationship> = state
            .store
            .relationships(caller.user_id)
            .await?
            .into_iter()
            .collect();
        let users = page
            .users
            .into_iter()
            .map(|u| {
                let r = relationships
                    .get(&u.id)
                    .copied()
                    .unwrap_or(Relationship::None);
                let (relationship, request_id) = relationship_fields(r);
                DirectoryUser {
                    photo_url: photo_url(u.id, u.photo.as_ref()),
                    id: u.id,
                    username: u.username,
                    headline: u.headline,
                    relationship: relationship.to_owned(),
                    request_id,
                }
            })
            .collect();
        Ok(Json(DirectoryPage {
            total: page.total,
            users,
        }))
    }
}
