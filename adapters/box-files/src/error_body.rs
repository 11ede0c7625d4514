//! Box's error bodies (upstreams.md U3.7): API errors are
//! `{"type": "error", "status", "code", "message", "help_url", "request_id", "context_info"}`,
//! token errors `{"error": "…", "error_description": "…"}`.
//!
//! `upstream-http` keeps only the `code` of a 409 (`UpstreamError::Conflict { code }`), but a copy
//! needs the conflicting folder of `item_name_in_use` (U3.5). So [`describe`] appends that folder
//! to the code after a separator, and [`split_conflict`] takes it out again; no code with the
//! separator ever leaves this crate ([`clean`]).

use domain::ports::{Folder, UpstreamError};
use serde::Deserialize;
use serde_json::Value;
use upstream_http::ErrorBody;

/// Cannot occur in a Box error code.
const SEPARATOR: char = '\u{1f}';

#[derive(Default, Deserialize)]
struct Body {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    context_info: Option<ContextInfo>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct ContextInfo {
    conflicts: Option<Value>,
}

/// The error body as `upstream-http` wants it. Bodies that are not JSON give empty fields.
pub fn describe(body: &[u8]) -> ErrorBody {
    let body: Body = serde_json::from_slice(body).unwrap_or_default();
    if let Some(id) = &body.request_id {
        tracing::debug!(upstream = "box", request_id = %id, "box error");
    }
    let mut code = body.code.or(body.error).unwrap_or_default();
    if let Some(folder) = body
        .context_info
        .and_then(|c| c.conflicts)
        .and_then(|c| first_folder(&c))
    {
        code = format!("{code}{SEPARATOR}{}{SEPARATOR}{}", folder.id, folder.name);
    }
    ErrorBody {
        code,
        message: body.message.or(body.error_description).unwrap_or_default(),
    }
}

/// `conflicts` is a list or a single object (U3.5); the first folder in it.
fn first_folder(conflicts: &Value) -> Option<Folder> {
    let folder = |v: &Value| {
        let id = match &v["id"] {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (v["type"].as_str().unwrap_or("folder") == "folder").then(|| Folder {
            id,
            name: v["name"].as_str().unwrap_or_default().to_owned(),
        })
    };
    match conflicts {
        Value::Array(items) => items.iter().find_map(folder),
        Value::Object(_) => folder(conflicts),
        _ => None,
    }
}

/// A conflict's code and, for `item_name_in_use`, the conflicting folder.
pub(crate) fn split_conflict(code: &str) -> (&str, Option<Folder>) {
    let mut parts = code.splitn(3, SEPARATOR);
    let code = parts.next().unwrap_or_default();
    let folder = match (parts.next(), parts.next()) {
        (Some(id), Some(name)) => Some(Folder {
            id: id.to_owned(),
            name: name.to_owned(),
        }),
        _ => None,
    };
    (code, folder)
}

/// The error as the domain may see it: a conflict's code without the appended folder.
pub(crate) fn clean(error: UpstreamError) -> UpstreamError {
    match error {
        UpstreamError::Conflict { code } => UpstreamError::Conflict {
            code: split_conflict(&code).0.to_owned(),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_as_a_list_or_an_object() {
        for conflicts in [
            r#"[{"type": "folder", "id": "11", "name": "Ann Lee"}]"#,
            r#"{"type": "folder", "id": "11", "name": "Ann Lee"}"#,
        ] {
            let body = format!(
                r#"{{"type": "error", "status": 409, "code": "item_name_in_use",
                "message": "Item with the same name already exists",
                "context_info": {{"conflicts": {conflicts}}}, "request_id": "r1"}}"#
            );
            let described = describe(body.as_bytes());
            let (code, folder) = split_conflict(&described.code);
            assert_eq!(code, "item_name_in_use");
            assert_eq!(
                folder.unwrap(),
                Folder {
                    id: "11".into(),
                    name: "Ann Lee".into()
                }
            );
            let cleaned = clean(UpstreamError::Conflict {
                code: described.code,
            });
            assert_eq!(
                cleaned,
                UpstreamError::Conflict {
                    code: "item_name_in_use".into()
                }
            );
        }
    }

    #[test]
    fn token_errors_and_garbage() {
        let d = describe(br#"{"error": "invalid_grant", "error_description": "bad exp"}"#);
        assert_eq!(
            (d.code.as_str(), d.message.as_str()),
            ("invalid_grant", "bad exp")
        );
        assert_eq!(describe(b"<html>"), ErrorBody::default());
        assert_eq!(
            split_conflict("tuple_already_exists"),
            ("tuple_already_exists", None)
        );
    }
}
