//! The one API error type (http-api.md H0.9–H0.11; style.md 4): every 4xx/5xx of a JSON route is
//! `{"error": {"code", "message", "details"?}}` with a stable snake_case code. Messages never carry
//! upstream bodies, SQL or secrets.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use serde_json::{Value, json};

/// The error body's inner object (documented in OpenAPI as `ErrorBody`).
#[derive(Debug, Object)]
#[oai(rename = "ErrorDetail")]
pub struct ErrorDetail {
    /// Stable snake_case code (H0.11).
    pub code: String,
    /// One English sentence for humans.
    pub message: String,
    /// Per-code details, e.g. `{"fields": {"end_date": "invalid_date_range"}}`.
    #[oai(skip_serializing_if_is_none)]
    pub details: Option<Value>,
}

/// `{"error": {...}}`.
#[derive(Debug, Object)]
#[oai(rename = "ErrorBody")]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// `Retry-After` seconds (429, 503).
    pub retry_after: Option<u64>,
    /// `Allow` for 405.
    pub allow: Option<&'static str>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code, self.status.as_u16())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            allow: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    pub fn invalid_json() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "The body is not a JSON object.",
        )
    }

    /// 400 `validation_failed` for one field.
    pub fn field(field: &str, code: &str) -> ApiError {
        ApiError::fields([(field.to_owned(), code.to_owned())])
    }

    /// 400 `validation_failed` with every failing field.
    pub fn fields(fields: impl IntoIterator<Item = (String, String)>) -> ApiError {
        let map: serde_json::Map<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "One or more fields are invalid.",
        )
        .with_details(json!({ "fields": map }))
    }

    pub fn not_found(code: &'static str, what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            code,
            format!("{what} was not found."),
        )
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in first.",
        )
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Your role does not allow this.",
        )
    }

    pub fn database_unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "The database is unavailable; try again shortly.",
        )
        .retry_after(30)
    }

    pub fn upstream_unavailable(upstream: &str) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream_unavailable",
            "An upstream service is unavailable; try again later.",
        )
        .with_details(json!({ "upstream": upstream }))
        .retry_after(60)
    }

    pub fn not_configured(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            format!("{what} is not configured on this server."),
        )
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side.",
        )
    }

    fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let (Some(details), Some(obj)) = (&self.details, error.as_object_mut()) {
            obj.insert("details".into(), details.clone());
        }
        json!({ "error": error })
    }
}

impl From<domain::ports::StoreError> for ApiError {
    fn from(error: domain::ports::StoreError) -> ApiError {
        tracing::error!(error = %error, "store failure");
        ApiError::database_unavailable()
    }
}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        let mut response = Response::builder()
            .status(self.status)
            .content_type("application/json; charset=utf-8")
            .body(self.body().to_string());
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        poem::error::ResponseError::as_response(&self)
    }
}

/// The statuses every JSON operation may answer with the uniform error body (H0.8, H0.10).
const ERROR_STATUSES: &[(u16, &str)] = &[
    (
        400,
        "Invalid request: `invalid_json`, `validation_failed`, ...",
    ),
    (401, "No valid credentials."),
    (403, "Not allowed: role, CSRF or Origin."),
    (404, "Unknown route or resource."),
    (405, "Method not allowed."),
    (409, "Conflict with the current state."),
    (413, "Body too large."),
    (415, "Wrong content type."),
    (422, "The domain cannot satisfy the request."),
    (429, "Rate limited; see `Retry-After`."),
    (500, "A bug: `internal_error`."),
    (502, "An upstream answered something unusable."),
    (
        503,
        "A dependency is unavailable or not configured; see `Retry-After`.",
    ),
];

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: ERROR_STATUSES
                .iter()
                .map(|(status, description)| MetaResponse {
                    description,
                    status: Some(*status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/json; charset=utf-8",
                        schema: ErrorBody::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ErrorBody::register(registry);
    }
}

/// Shorthand for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
