//! Cross-cutting HTTP behaviour: request ids (H0.6), the uniform error shape for framework errors
//! (H0.9), panics answered as `internal_error` (S12.1), and the security headers (S13.1).

use crate::error::ApiError;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::error::{ContentTypeError, ParseParamError, ParseRequestPayloadError};
use tracing::Instrument;

/// `X-Request-Id`: the caller's when it matches `^[A-Za-z0-9-]{8,64}$`, else a fresh UUIDv4.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (8..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The around-middleware for every route.
pub async fn edge<E: Endpoint>(next: E, req: Request, https: bool) -> poem::Result<Response> {
    let id = request_id(&req);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let mut response = match next.call(req).instrument(span.clone()).await {
        Ok(response) => response.into_response(),
        Err(error) => error_response(error),
    };
    let _enter = span.enter();
    tracing::info!(
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_millis() as u64,
        "request served"
    );
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert("x-request-id", v);
    }
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(response)
}

/// Maps any error to the H0.9 shape.
pub fn error_response(error: poem::Error) -> Response {
    if let Some(api) = error.downcast_ref::<ApiError>() {
        return api.clone().into_response();
    }
    if let Some(p) = error.downcast_ref::<ParseParamError>() {
        return ApiError::field(p.name, "invalid_value").into_response();
    }
    if error.is::<ContentTypeError>() {
        return ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        )
        .into_response();
    }
    if error.is::<ParseRequestPayloadError>() {
        return ApiError::invalid_json().into_response();
    }
    let api = match error.status() {
        StatusCode::NOT_FOUND => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This method is not allowed here.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The body is too large.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        ),
        s if s.is_client_error() => {
            ApiError::fields([("body".to_owned(), "invalid_value".to_owned())])
        }
        _ => {
            tracing::error!(error = %error, "unhandled error");
            ApiError::internal()
        }
    };
    api.into_response()
}

/// S12.1: a panicking handler is answered 500 `internal_error`.
#[derive(Clone, Copy, Debug)]
pub struct PanicToInternal;

impl poem::middleware::PanicHandler for PanicToInternal {
    type Response = Response;
    fn get_response(&self, _err: Box<dyn std::any::Any + Send + 'static>) -> Response {
        tracing::error!("handler panicked");
        ApiError::internal().into_response()
    }
}
