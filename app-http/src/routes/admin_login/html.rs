//! The small HTML and form toolkit of the login pages (H6.1): escaped pages, redirects and
//! `application/x-www-form-urlencoded` bodies under the 16 KiB cap (H0.3).

use poem::http::{StatusCode, header};
use poem::{Body, Request, Response};

/// Form bodies are capped at 16 KiB.
const FORM_CAP: usize = 16 * 1024;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn page(status: StatusCode, title: &str, body_html: &str, csrf_meta: Option<&str>) -> Response {
    let meta = csrf_meta
        .map(|t| format!("<meta name=\"csrf-token\" content=\"{}\">", escape(t)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{meta}<title>{} · Allot</title></head><body><main><h1>{}</h1>{body_html}</main></body></html>",
        escape(title),
        escape(title)
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(html)
}

/// A page with one message and a link back to `back`.
pub fn message_page(status: StatusCode, title: &str, message: &str, back: &str) -> Response {
    page(
        status,
        title,
        &format!(
            "<p>{}</p><p><a href=\"{}\">Back to sign-in</a></p>",
            escape(message),
            escape(back)
        ),
        None,
    )
}

pub fn redirect(to: &str) -> poem::ResponseBuilder {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .header(header::CACHE_CONTROL, "no-store")
}

pub fn see_other(to: &str) -> Response {
    redirect(to).finish()
}

pub fn unavailable(back: &str) -> Response {
    message_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
        "The service cannot reach its database. Try again shortly.",
        back,
    )
}

pub fn forbidden_origin(back: &str) -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This request did not come from an allowed origin.",
        back,
    )
}

pub fn rate_limited(retry_after: u64, back: &str) -> Response {
    let mut r = message_page(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts",
        "Too many sign-in attempts. Wait a while and try again.",
        back,
    );
    if let Ok(v) = header::HeaderValue::from_str(&retry_after.max(1).to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value)?;
                let lo = bytes.get(i + 2).copied().and_then(hex_value)?;
                out.push(hi * 16 + lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// An `application/x-www-form-urlencoded` body; `None` when malformed.
pub fn parse_form(body: &str) -> Option<Vec<(String, String)>> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn bad_form(back: &str) -> Response {
    message_page(
        StatusCode::BAD_REQUEST,
        "Bad request",
        "The form could not be read.",
        back,
    )
}

pub async fn read_form(req: &Request, body: Body, back: &str) -> Result<Form, Response> {
    let is_form = req
        .header(header::CONTENT_TYPE)
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(message_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported form",
            "Send the form as application/x-www-form-urlencoded.",
            back,
        ));
    }
    let bytes = match body.into_bytes_limit(FORM_CAP).await {
        Ok(b) => b,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            return Err(message_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Form too large",
                "The form is larger than 16 KiB.",
                back,
            ));
        }
        Err(_) => return Err(bad_form(back)),
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(parse_form)
        .map(Form)
        .ok_or_else(|| bad_form(back))
}

pub fn query_next(req: &Request) -> Option<String> {
    req.uri()
        .query()
        .and_then(parse_form)
        .and_then(|q| q.into_iter().find(|(k, _)| k == "next").map(|(_, v)| v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        assert_eq!(
            parse_form("login=a%40b.c&password=x+y%21&next=").unwrap(),
            vec![
                ("login".into(), "a@b.c".into()),
                ("password".into(), "x y!".into()),
                ("next".into(), String::new())
            ]
        );
        assert_eq!(parse_form("a=%zz"), None);
    }

    #[test]
    fn pages_escape() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
