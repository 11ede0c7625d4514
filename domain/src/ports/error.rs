//! The errors a port returns to the domain: upstream classes (upstreams.md U0.8) and store
//! failures. Adapters never return raw HTTP or database errors.

use std::time::Duration;

/// U0.8: the error classes of an upstream call, after the adapter's retries.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// Network errors, timeouts, retryable statuses after the last attempt, an open breaker or an
    /// empty rate budget.
    #[error("upstream unavailable: {reason}")]
    Unavailable {
        reason: String,
        breaker_open: bool,
        budget_exhausted: bool,
    },
    /// A 429 still failing after retries, a `Retry-After` over 60 s, or a daily quota.
    #[error("upstream rate limit reached")]
    RateLimited { retry_after: Option<Duration> },
    /// 401 or 403: credentials or scopes are wrong.
    #[error("upstream refused the credentials")]
    Unauthorized,
    /// 404 on a call addressing one resource.
    #[error("upstream resource not found")]
    NotFound,
    /// A 409 the adapter does not handle itself; `code` is empty when the upstream gave none.
    #[error("upstream conflict ({code})")]
    Conflict { code: String },
    /// Any other 4xx. Build it with [`UpstreamError::rejected`] to keep `message` short and clean.
    #[error("upstream rejected the request ({status} {code}): {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// A 3xx, a non-JSON or schema-violating 2xx, missing required fields, or endless paging.
    #[error("upstream answered something unusable: {detail}")]
    InvalidResponse { detail: String },
}

/// U0.8: the longest `Rejected` message kept, in characters.
pub const REJECTED_MESSAGE_MAX_CHARS: usize = 200;

impl UpstreamError {
    /// `Unavailable` for a plain failure (neither the breaker nor the budget).
    pub fn unavailable(reason: impl Into<String>) -> Self {
        UpstreamError::Unavailable {
            reason: reason.into(),
            breaker_open: false,
            budget_exhausted: false,
        }
    }

    /// `Rejected` with the message cut to 200 characters and control characters removed (U0.8).
    pub fn rejected(status: u16, code: impl Into<String>, message: &str) -> Self {
        UpstreamError::Rejected {
            status,
            code: code.into(),
            message: message
                .chars()
                .filter(|c| !c.is_control())
                .take(REJECTED_MESSAGE_MAX_CHARS)
                .collect(),
        }
    }

    /// The stable snake_case name of the class.
    pub fn code(&self) -> &'static str {
        match self {
            UpstreamError::Unavailable { .. } => "unavailable",
            UpstreamError::RateLimited { .. } => "rate_limited",
            UpstreamError::Unauthorized => "unauthorized",
            UpstreamError::NotFound => "not_found",
            UpstreamError::Conflict { .. } => "conflict",
            UpstreamError::Rejected { .. } => "rejected",
            UpstreamError::InvalidResponse { .. } => "invalid_response",
        }
    }
}

/// A failed read of one of the service's own stores (closures, overrides).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The store could not be reached or the query failed.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A stored row does not make a valid domain value (e.g. a limit below 1).
    #[error("stored data is invalid: {0}")]
    InvalidData(String),
}

impl StoreError {
    /// The stable snake_case name of the failure.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "store_unavailable",
            StoreError::InvalidData(_) => "store_invalid_data",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_messages_are_short_and_clean() {
        let long = format!("bad\nvalue\t{}", "x".repeat(300));
        let UpstreamError::Rejected { message, .. } = UpstreamError::rejected(400, "E", &long)
        else {
            panic!("not rejected");
        };
        assert_eq!(message.chars().count(), REJECTED_MESSAGE_MAX_CHARS);
        assert!(message.starts_with("badvaluexx"));
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(UpstreamError::unavailable("timeout").code(), "unavailable");
        assert_eq!(
            UpstreamError::RateLimited { retry_after: None }.code(),
            "rate_limited"
        );
        assert_eq!(
            StoreError::Unavailable("down".into()).code(),
            "store_unavailable"
        );
    }
}
