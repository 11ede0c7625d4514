//! HubSpot's error bodies (upstreams.md U1.10):
//! `{"status": "error", "message": "…", "correlationId": "…", "category": "…",
//!   "errors": [{"message": "…", "code": "…"}]}`, every field optional; a 429 adds `errorType` and
//! `policyName` (`DAILY`, `SECONDLY`, `TEN_SECONDLY_ROLLING`).

use serde::Deserialize;
use upstream_http::ErrorBody;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    message: Option<String>,
    category: Option<String>,
    correlation_id: Option<String>,
    policy_name: Option<String>,
    error_type: Option<String>,
    #[serde(default)]
    errors: Vec<Detail>,
}

#[derive(Debug, Default, Deserialize)]
struct Detail {
    code: Option<String>,
    message: Option<String>,
}

/// The code and message of a HubSpot error body: code = the rate-limit `policyName`, else
/// `errors[0].code`, else `category`; message = `message`, else `errors[0].message`. Anything that is not
/// such a body gives empty fields. Logs the `correlationId` (U1.10), never the body.
pub fn describe_error_body(body: &[u8]) -> ErrorBody {
    let body: Body = serde_json::from_slice(body).unwrap_or_default();
    let first = body.errors.into_iter().next().unwrap_or_default();
    let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    // A rate-limit policy names the limit that was hit, which decides what to do (U1.3).
    let code = non_empty(body.policy_name.clone())
        .or_else(|| non_empty(first.code))
        .or_else(|| non_empty(body.category))
        .unwrap_or_default();
    let message = non_empty(body.message)
        .or_else(|| non_empty(first.message))
        .unwrap_or_default();
    if body.correlation_id.is_some() || body.policy_name.is_some() {
        tracing::debug!(
            correlation_id = body.correlation_id.as_deref().unwrap_or_default(),
            policy = body.policy_name.as_deref().unwrap_or_default(),
            error_type = body.error_type.as_deref().unwrap_or_default(),
            code = code.as_str(),
            "hubspot error body"
        );
    }
    ErrorBody { code, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(s: &str) -> ErrorBody {
        describe_error_body(s.as_bytes())
    }

    #[test]
    fn u1_10_code_is_the_first_error_code_then_the_category() {
        let b = describe(
            r#"{"status":"error","message":"Property values were not valid","correlationId":"c-1",
                "category":"VALIDATION_ERROR","errors":[{"message":"bad owner","code":"INVALID_OPTION"}]}"#,
        );
        assert_eq!(b.code, "INVALID_OPTION");
        assert_eq!(b.message, "Property values were not valid");
        let b = describe(r#"{"message":"Not found","category":"OBJECT_NOT_FOUND"}"#);
        assert_eq!(b.code, "OBJECT_NOT_FOUND");
    }

    #[test]
    fn u1_10_a_rate_limit_body_names_its_policy() {
        let b = describe(
            r#"{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"c-2","policyName":"DAILY"}"#,
        );
        assert_eq!(b.code, "DAILY");
        assert_eq!(b.message, "You have reached your daily limit.");
    }

    #[test]
    fn u1_10_anything_else_is_empty() {
        assert_eq!(describe("<html>502</html>"), ErrorBody::default());
        assert_eq!(describe(""), ErrorBody::default());
        let b = describe(r#"{"errors":[{"message":"only here"}]}"#);
        assert_eq!(b.message, "only here");
        assert_eq!(b.code, "");
    }
}
