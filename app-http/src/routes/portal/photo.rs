//! Profile photos (portal.md P4.6–P4.8; security.md S6): upload (multipart field `photo`,
//! body ≤ 6 MiB, file ≤ 5 MiB, type by content), removal, and serving to signed-in users only.

use super::profile::{Deleted, ProfileBody, profile_error, profiles};
use crate::auth;
use crate::auth::login::rate_limited;
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::state::AppState;
use domain::usecase::portal::limits::PHOTO_UPLOADS_PER_USER;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Multipart};
use poem::{Body, FromRequest, IntoResponse, Request, RequestBody, Response};
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Multipart as MultipartForm,
    OpenApi,
};

/// P4.6.1: the whole request body.
pub const BODY_CAP: usize = 6_291_456;
/// P4.6.2: the file part.
pub const FILE_CAP: usize = 5_242_880;

#[derive(Debug)]
pub struct PortalPhotoApi;

/// The upload form (documentation only; the body is read by [`PhotoUpload`]).
#[derive(Debug, MultipartForm)]
pub struct PhotoForm {
    /// A JPEG, PNG or GIF image of at most 5 MiB; its name and declared type are ignored.
    pub photo: Upload,
}

/// The `photo` part's bytes, read under the caps of P4.6.
#[derive(Debug)]
pub struct PhotoUpload(pub Vec<u8>);

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The photo is larger than 5 MiB.",
    )
}

fn unreadable() -> ApiError {
    ApiError::field("photo", "required")
}

async fn read_upload(request: &Request, body: &mut RequestBody) -> Result<Vec<u8>, ApiError> {
    if !request
        .content_type()
        .is_some_and(<PhotoForm as Payload>::check_content_type)
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the photo as multipart/form-data.",
        ));
    }
    let declared = request
        .header(header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_CAP as u64) {
        return Err(too_large());
    }
    let taken = body.take().map_err(|_| ApiError::internal())?;
    let bytes = match taken.into_bytes_limit(BODY_CAP).await {
        Ok(b) => b,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => return Err(too_large()),
        Err(_) => return Err(unreadable()),
    };
    let mut buffered = RequestBody::new(Body::from(bytes));
    let mut parts = <Multipart as FromRequest>::from_request(request, &mut buffered)
        .await
        .map_err(|_| unreadable())?;
    while let Some(field) = parts.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("photo") {
            let data = field.bytes().await.map_err(|_| unreadable())?;
            if data.len() > FILE_CAP {
                return Err(too_large());
            }
            return Ok(data);
        }
    }
    Err(unreadable())
}

impl<'a> ApiExtractor<'a> for PhotoUpload {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <PhotoForm as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "multipart/form-data",
                schema: <PhotoForm as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        Ok(PhotoUpload(read_upload(request, body).await?))
    }
}

/// A stored photo with the S6.6 headers.
#[derive(Debug)]
pub struct PhotoFile {
    bytes: Vec<u8>,
    content_type: String,
    filename: String,
}

impl IntoResponse for PhotoFile {
    fn into_response(self) -> Response {
        let extension = if self.content_type == "image/jpeg" {
            "jpg"
        } else {
            "png"
        };
        let mut r = Response::builder()
            .status(StatusCode::OK)
            .content_type(self.content_type)
            .header(
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"photo.{extension}\""),
            )
            .header(header::CACHE_CONTROL, "private, max-age=300")
            .header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            )
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(self.bytes);
        if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", self.filename)) {
            r.headers_mut().insert(header::ETAG, etag);
        }
        r
    }
}

impl ApiResponse for PhotoFile {
    fn meta() -> MetaResponses {
        let binary = || poem_openapi::payload::Binary::<Vec<u8>>::schema_ref();
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The photo (S6.6 headers).",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType {
                        content_type: "image/jpeg",
                        schema: binary(),
                    },
                    MetaMediaType {
                        content_type: "image/png",
                        schema: binary(),
                    },
                ],
                headers: vec![],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}

fn photo_not_found() -> ApiError {
    ApiError::not_found("photo_not_found", "The photo")
}

#[OpenApi]
impl PortalPhotoApi {
    /// Upload or replace the caller's photo (P4.6); the old file is deleted after the commit.
    #[oai(
        path = "/api/portal/profile/photo",
        method = "post",
        tag = "ApiTags::PortalProfile"
    )]
    async fn upload_photo(
        &self,
        state: Data<&AppState>,
        request: &Request,
        photo: PhotoUpload,
    ) -> ApiResult<Json<ProfileBody>> {
        let caller = auth::require_session(&state, request).await?;
        let subject = caller.user_id.to_string();
        let now = state.clock.now();
        if let Err(wait) = PHOTO_UPLOADS_PER_USER
            .check(&state.store, &subject, now)
            .await?
        {
            return Err(rate_limited(wait));
        }
        let view = profiles(&state)
            .upload_photo(caller.user_id, photo.0, now)
            .await
            .map_err(profile_error)?;
        PHOTO_UPLOADS_PER_USER
            .record(&state.store, &subject, now)
            .await?;
        Ok(Json(view.into()))
    }

    /// Remove the caller's photo.
    #[oai(
        path = "/api/portal/profile/photo",
        method = "delete",
        tag = "ApiTags::PortalProfile"
    )]
    async fn delete_photo(&self, state: Data<&AppState>, request: &Request) -> ApiResult<Deleted> {
        let caller = auth::require_session(&state, request).await?;
        profiles(&state)
            .remove_photo(caller.user_id, state.clock.now())
            .await?;
        Ok(Deleted::NoContent)
    }

    /// A user's photo, for any signed-in user (P4.8, S6.5).
    #[oai(
        path = "/api/portal/users/:id/photo",
        method = "get",
        tag = "ApiTags::PortalProfile"
    )]
    async fn get_photo(
        &self,
        state: Data<&AppState>,
        request: &Request,
        id: Path<i64>,
    ) -> ApiResult<PhotoFile> {
        auth::require_session(&state, request).await?;
        let (photo, bytes) = profiles(&state)
            .photo_of(id.0)
            .await
            .map_err(profile_error)?
            .ok_or_else(photo_not_found)?;
        Ok(PhotoFile {
            bytes,
            content_type: photo.content_type,
            filename: photo.filename,
        })
    }
}
