//! `/static/*`: the pages' own stylesheet and scripts, embedded in the binary (CSP S13.2 allows
//! only same-origin scripts and styles). Never user uploads.

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Response, handler};

/// (file name, content type, body).
const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    ),
    ("common.js", JS, include_str!("../../static/common.js")),
    ("closures.js", JS, include_str!("../../static/closures.js")),
    (
        "overrides.js",
        JS,
        include_str!("../../static/overrides.js"),
    ),
    (
        "connected.js",
        JS,
        include_str!("../../static/connected.js"),
    ),
];

const JS: &str = "text/javascript; charset=utf-8";

/// One embedded file; a short public cache (the files change only with a release).
#[handler]
pub fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => Response::builder()
            .content_type(*content_type)
            .header(header::CACHE_CONTROL, "public, max-age=3600")
            .body(*body),
        None => super::layout::error_page(StatusCode::NOT_FOUND),
    }
}
