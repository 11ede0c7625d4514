//! What an HTTP answer means (U0.4, U0.8): retryable or final, and the error class.

use domain::ports::UpstreamError;
use reqwest::StatusCode;

/// The code and message an upstream's error body carries, as its adapter reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// Statuses worth another attempt (U0.4).
pub(crate) fn is_retryable(status: StatusCode) -> bool {
    matches!(
        status.as_u16(),
        408 | 423 | 429 | 477 | 500 | 502 | 503 | 504 | 521 | 523 | 524
    )
}

/// The final error class of a non-2xx status that is not retried any more (U0.8).
pub(crate) fn final_error(upstream: &str, status: StatusCode, body: &ErrorBody) -> UpstreamError {
    match status.as_u16() {
        300..=399 => UpstreamError::InvalidResponse {
            detail: format!(
                "{upstream} answered a redirect ({status}); redirects are not followed"
            ),
        },
        401 | 403 => UpstreamError::Unauthorized,
        404 => UpstreamError::NotFound,
        409 => UpstreamError::Conflict {
            code: body.code.clone(),
        },
        429 => UpstreamError::RateLimited { retry_after: None },
        400..=499 => UpstreamError::rejected(status.as_u16(), body.code.clone(), &body.message),
        _ => UpstreamError::unavailable(format!("{upstream} answered {status}")),
    }
}

/// Whether the breaker counts this status as the upstream failing (U0.6): retryable statuses,
/// except that 4xx answers other than 408 and 429 show the upstream is up.
pub(crate) fn counts_as_failure(status: StatusCode) -> bool {
    is_retryable(status) && (!status.is_client_error() || matches!(status.as_u16(), 408 | 429))
}
