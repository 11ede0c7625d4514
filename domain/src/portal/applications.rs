//! Application rules (portal.md P7, P10.4): the apply body (P2.6, P2.12), the checks before the
//! store's transaction (P7.1 steps 2–3), how an upstream attempt ends (P7.5 classes, P7.8
//! backoff) and the warning shown, and when an admin may resend. The status machines themselves
//! are [`ApplicationStatus`] and [`RemoteStatus`] (P7.6, P7.7), shared with the stores.

use crate::portal::profile::Completeness;
use crate::ports::{
    ApplicationStatus, Job, RemoteOutcome, RemoteStatus, UpstreamApplicationId, UpstreamError,
};
use chrono::{DateTime, TimeDelta, Utc};

/// P2.6 / P1.5: `resume_link` at most 500 characters.
/// P2.12: `cover_letter` at most 5000 characters.
pub const COVER_LETTER_MAX: usize = 5000;
/// P7.8: the attempt after which a send is `failed`.
pub const MAX_ATTEMPTS: u32 = 8;

/// P2.6 for the apply body: the profile's rule (one rule for both forms).
pub use crate::portal::profile_input::resume_link;

/// P2.12: stored as given; at most 5000 characters; no NUL (P0.5).
pub fn cover_letter(raw: Option<&str>) -> Result<String, &'static str> {
    let text = raw.unwrap_or("");
    if text.contains('\0') {
        Err("invalid_characters")
    } else if text.chars().count() > COVER_LETTER_MAX {
        Err("too_long")
    } else {
        Ok(text.to_owned())
    }
}

/// Why an apply is refused before the store's transaction (P7.1 steps 2, 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyPrecheck {
    JobNotFound,
    ProfileIncomplete(Completeness),
}

/// P7.1 steps 2 then 3 (steps 4 and 5 are re-checked with the insert, P7.2).
pub fn precheck(job: Option<&Job>, completeness: Completeness) -> Result<(), ApplyPrecheck> {
    if job.is_none() {
        return Err(ApplyPrecheck::JobNotFound);
    }
    if !completeness.complete {
        return Err(ApplyPrecheck::ProfileIncomplete(completeness));
    }
    Ok(())
}

/// P7.8: the delay after failed attempt `attempt` (1-based), before jitter; `None` after the
/// last one (the send is then `failed`).
pub fn retry_delay(attempt: u32) -> Option<TimeDelta> {
    let minutes = match attempt {
        1 => 1,
        2 => 5,
        3 => 30,
        4 => 120,
        5 => 360,
        6 => 720,
        7 => 1440,
        _ => return None,
    };
    Some(TimeDelta::minutes(minutes))
}

pub use crate::jitter::jittered;

/// A short text of the failure for `remote_last_error` (never shown to employees).
fn failure_text(error: &UpstreamError) -> String {
    match error {
        UpstreamError::Rejected {
            status, message, ..
        } if message.trim().is_empty() => {
            format!("HTTP {status}")
        }
        UpstreamError::Rejected { message, .. } => message.clone(),
        UpstreamError::NotFound => "HTTP 404".to_owned(),
        other => other.code().to_owned(),
    }
}

/// P7.5 / P7.8 classification of one attempt: `attempts_before` attempts were already made.
/// `Rejected`/`NotFound` (and a `Conflict`, another 4xx) reject; every other failure retries with
/// the P7.8 delay, or fails after attempt 8.
pub fn attempt_outcome(
    result: Result<UpstreamApplicationId, UpstreamError>,
    attempts_before: u32,
    now: DateTime<Utc>,
    jitter: f64,
) -> RemoteOutcome {
    let error = match result {
        Ok(id) => {
            return RemoteOutcome::Sent {
                remote_application_id: Some(id.to_string()),
            };
        }
        Err(e) => e,
    };
    let text = failure_text(&error);
    match error {
        UpstreamError::Rejected { .. }
        | UpstreamError::NotFound
        | UpstreamError::Conflict { .. } => RemoteOutcome::Rejected { error: text },
        _ => retry_outcome(attempts_before + 1, now, jitter, text),
    }
}

/// After failed attempt `attempt`: `retrying` with the next time, or `failed`.
pub fn retry_outcome(
    attempt: u32,
    now: DateTime<Utc>,
    jitter: f64,
    error: String,
) -> RemoteOutcome {
    match retry_delay(attempt) {
        Some(delay) => RemoteOutcome::Retrying {
            attempts: attempt,
            next_attempt_at: now + jittered(delay, jitter),
            error,
        },
        None => RemoteOutcome::Failed {
            attempts: attempt,
            error,
        },
    }
}

/// The apply response's `warning` (P7.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyWarning {
    pub code: &'static str,
    pub message: String,
}

/// P7.5: none when sent; the sanitised upstream text when rejected; "we will keep trying"
/// otherwise.
pub fn apply_warning(outcome: &RemoteOutcome) -> Option<ApplyWarning> {
    match outcome {
        RemoteOutcome::Sent { .. } => None,
        RemoteOutcome::Rejected { error } => {
            let text: String = error
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect();
            Some(ApplyWarning {
                code: "employer_api_rejected",
                message: format!("Saved here, but the employer system refused it: {text}"),
            })
        }
        RemoteOutcome::Retrying { .. } | RemoteOutcome::Failed { .. } => Some(ApplyWarning {
            code: "employer_api_unavailable",
            message: "Saved here. The employer system could not be reached; we will keep trying."
                .to_owned(),
        }),
    }
}

/// P10.4: only a `submitted` application whose send `failed` or was `rejected`.
pub fn may_resend(status: ApplicationStatus, remote_status: RemoteStatus) -> bool {
    status == ApplicationStatus::Submitted && remote_status.can_resend()
}

#[cfg(test)]
mod tests;
