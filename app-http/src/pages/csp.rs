//! S13.2: the Content-Security-Policy of every HTML page, set once for the whole route tree so
//! no page can forget it. Only `/docs` (the generated documentation UI) adds `'unsafe-inline'`.

use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use std::sync::Arc;

/// The two policies, built once from `PUBLIC_BASE_URL`.
#[derive(Debug)]
pub struct Policies {
    pages: HeaderValue,
    docs: HeaderValue,
}

impl Policies {
    pub fn new(public_base_url: &str) -> Policies {
        // The portal chat's WebSocket (H5) is the only other connection a page makes.
        let host = public_base_url
            .split_once("://")
            .map_or(public_base_url, |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default();
        let policy = |inline: &str| {
            let v = format!(
                "default-src 'self'; script-src 'self'{inline}; style-src 'self'{inline}; img-src 'self' data:; \
connect-src 'self' wss://{host}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            );
            HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("default-src 'none'"))
        };
        Policies {
            pages: policy(""),
            docs: policy(" 'unsafe-inline'"),
        }
    }
}

/// Adds the policy to every `text/html` response that has none.
pub async fn around<E: Endpoint>(
    next: E,
    req: Request,
    policies: Arc<Policies>,
) -> poem::Result<Response> {
    let docs = req.uri().path() == "/docs" || req.uri().path().starts_with("/docs/");
    let mut response = next.call(req).await?.into_response();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html
        && !response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    {
        let value = if docs {
            &policies.docs
        } else {
            &policies.pages
        };
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value.clone());
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s13_2_policies_name_the_websocket_host_and_only_docs_allow_inline() {
        let p = Policies::new("https://alloc.example.com");
        let pages = p.pages.to_str().unwrap();
        assert!(pages.contains("connect-src 'self' wss://alloc.example.com;"));
        assert!(pages.contains("script-src 'self';"));
        assert!(!pages.contains("unsafe-inline"));
        assert!(
            p.docs
                .to_str()
                .unwrap()
                .contains("script-src 'self' 'unsafe-inline';")
        );
    }
}
