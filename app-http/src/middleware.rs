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

/// H0.9: the methods each path answers, for the `Allow` header of a 405. Built once from the
/// OpenAPI document plus the page routes, so it cannot drift from the route tree.
#[derive(Debug, Default)]
pub struct AllowTable(Vec<(Vec<Option<String>>, String)>);

impl AllowTable {
    /// `spec`: the OpenAPI JSON; `pages`: `(path, "GET, POST")` of the routes outside it.
    pub fn new(spec: &str, pages: &[(&str, &str)]) -> AllowTable {
        const ORDER: [&str; 5] = ["get", "post", "put", "patch", "delete"];
        let segments = |path: &str| -> Vec<Option<String>> {
            path.split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                .collect()
        };
        let mut rows = Vec::new();
        let doc: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
            for (path, item) in paths {
                let methods: Vec<String> = ORDER
                    .into_iter()
                    .filter(|m| item.get(m).is_some())
                    .map(str::to_uppercase)
                    .collect();
                rows.push((segments(path), methods.join(", ")));
            }
        }
        rows.extend(pages.iter().map(|(p, m)| (segments(p), (*m).to_owned())));
        AllowTable(rows)
    }

    /// The `Allow` value of a path; a literal row wins over a templated one.
    pub fn allow(&self, path: &str) -> Option<&str> {
        let given: Vec<&str> = path.split('/').collect();
        let matches = |row: &[Option<String>]| {
            row.len() == given.len()
                && row
                    .iter()
                    .zip(&given)
                    .all(|(r, g)| r.as_deref().is_none_or(|r| r == *g))
        };
        let mut found: Vec<&(Vec<Option<String>>, String)> =
            self.0.iter().filter(|(row, _)| matches(row)).collect();
        found.sort_by_key(|(row, _)| row.iter().filter(|s| s.is_none()).count());
        found.first().map(|(_, methods)| methods.as_str())
    }
}

/// The around-middleware for every route.
pub async fn edge<E: Endpoint>(
    next: E,
    req: Request,
    https: bool,
    allow: std::sync::Arc<AllowTable>,
) -> poem::Result<Response> {
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
    let not_allowed = response.status() == StatusCode::METHOD_NOT_ALLOWED;
    let headers = response.headers_mut();
    if not_allowed
        && let Some(v) = allow
            .allow(&path)
            .and_then(|m| HeaderValue::from_str(m).ok())
    {
        headers.insert(header::ALLOW, v);
    }
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

/// S12.1, H6.19: a panicking handler is answered 500: the static error page on a page route,
/// `internal_error` JSON elsewhere. An internal error on a page route gets the page too.
#[derive(Debug)]
pub struct PanicToInternal {
    /// The page routes (any method), matched like the `Allow` table.
    pages: AllowTable,
}

impl PanicToInternal {
    /// `pages`: the routes outside the OpenAPI document that answer HTML.
    pub fn new(pages: &[(&str, &str)]) -> PanicToInternal {
        PanicToInternal {
            pages: AllowTable::new("{}", pages),
        }
    }

    /// The portal pages (H6.10–H6.18) live under `/portal/`; the portal API under `/api/`.
    fn is_page(&self, path: &str) -> bool {
        self.pages.allow(path).is_some() || path.starts_with("/portal/")
    }

    pub async fn around<E: Endpoint>(
        self: std::sync::Arc<Self>,
        next: E,
        req: Request,
    ) -> poem::Result<Response> {
        use futures::FutureExt;
        let page = self.is_page(req.uri().path());
        let outcome = std::panic::AssertUnwindSafe(next.call(req))
            .catch_unwind()
            .await;
        let response = match outcome {
            Ok(Ok(response)) => response.into_response(),
            Ok(Err(error)) if page => error_response(error),
            Ok(Err(error)) => return Err(error),
            Err(_) => {
                tracing::error!("handler panicked");
                ApiError::internal().into_response()
            }
        };
        let html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if page && response.status() == StatusCode::INTERNAL_SERVER_ERROR && !html {
            return Ok(crate::pages::layout::error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
            ));
        }
        Ok(response)
    }
}

/// Test builds only (feature `test-failpoints`): `X-Test-Failpoint: panic` panics inside the
/// route tree, `error` fails it with a bare internal error, so tests can watch S12.1 and H6.19 on
/// the real routes. Production builds have no way to trigger either.
#[cfg(feature = "test-failpoints")]
pub async fn failpoint<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    match req.headers().get("x-test-failpoint").map(|v| v.as_bytes()) {
        Some(b"panic") => panic!("test failpoint"),
        Some(b"error") => Err(poem::Error::from_string(
            "test failpoint",
            StatusCode::INTERNAL_SERVER_ERROR,
        )),
        _ => next.call(req).await.map(IntoResponse::into_response),
    }
}

#[cfg(test)]
mod tests {
    use super::{AllowTable, PanicToInternal};

    #[test]
    fn h6_19_page_routes_are_told_from_json_routes() {
        let table = PanicToInternal::new(&[("/", "GET"), ("/allocations/history/{id}", "GET")]);
        assert!(table.is_page("/"));
        assert!(table.is_page("/allocations/history/abc"));
        assert!(table.is_page("/portal/jobs"), "portal pages");
        assert!(!table.is_page("/api/portal/jobs"), "portal API");
        assert!(!table.is_page("/allocations/history/a/b"));
        assert!(!table.is_page("/closures"));
    }

    #[test]
    fn h0_9_allow_lists_the_methods_of_the_matching_path() {
        let spec = r#"{"paths": {
            "/closures": {"get": {}, "post": {}},
            "/closures/{id}": {"delete": {}, "get": {}, "put": {}},
            "/closures/ui": {"get": {}}}}"#;
        let table = AllowTable::new(spec, &[("/admin/login", "GET, POST")]);
        assert_eq!(table.allow("/closures"), Some("GET, POST"));
        assert_eq!(table.allow("/closures/x1"), Some("GET, PUT, DELETE"));
        assert_eq!(
            table.allow("/closures/ui"),
            Some("GET"),
            "a literal row wins"
        );
        assert_eq!(table.allow("/admin/login"), Some("GET, POST"));
        assert_eq!(table.allow("/nowhere"), None);
    }
}
