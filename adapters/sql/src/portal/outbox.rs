//! The remote outbox transitions (P7.7, P7.8): each applies only while the row's remote
//! status may still move to the outcome's, so a late attempt never undoes a later state.

use crate::AnyConnection;
use crate::schema::portal::application_sends;
use crate::time::instant;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{RemoteOutcome, RemoteStatus};

/// Remote errors are `text(500)` (P1.5).
fn short(error: &str) -> String {
    error.chars().take(500).collect()
}

/// Records `outcome` if the row's remote status may move there; the number of rows changed.
pub(super) fn record_once(
    conn: &mut AnyConnection,
    application_id: i64,
    outcome: &RemoteOutcome,
    now: DateTime<Utc>,
) -> Result<usize, DieselError> {
    let sources: Vec<&str> = RemoteStatus::recordable_sources(outcome.status())
        .into_iter()
        .map(RemoteStatus::as_str)
        .collect();
    let target = application_sends::table
        .filter(application_sends::id.eq(application_id))
        .filter(application_sends::remote_status.eq_any(sources));
    let status = outcome.status().as_str();
    let now = instant(now);
    let update = diesel::update(target);
    match outcome {
        RemoteOutcome::Sent {
            remote_application_id,
        } => update
            .set((
                application_sends::remote_status.eq(status),
                application_sends::remote_application_id.eq(remote_application_id),
                application_sends::remote_sent_at.eq(Some(&now)),
                application_sends::remote_next_attempt_at.eq(None::<String>),
                application_sends::remote_last_error.eq(None::<String>),
                application_sends::updated_at.eq(&now),
            ))
            .execute(conn),
        RemoteOutcome::Retrying {
            attempts,
            next_attempt_at,
            error,
        } => update
            .set((
                application_sends::remote_status.eq(status),
                application_sends::remote_attempts.eq(attempts_column(*attempts)),
                application_sends::remote_next_attempt_at.eq(Some(instant(*next_attempt_at))),
                application_sends::remote_last_error.eq(Some(short(error))),
                application_sends::updated_at.eq(&now),
            ))
            .execute(conn),
        RemoteOutcome::Rejected { error } => update
            .set((
                application_sends::remote_status.eq(status),
                application_sends::remote_next_attempt_at.eq(None::<String>),
                application_sends::remote_last_error.eq(Some(short(error))),
                application_sends::updated_at.eq(&now),
            ))
            .execute(conn),
        RemoteOutcome::Failed { attempts, error } => update
            .set((
                application_sends::remote_status.eq(status),
                application_sends::remote_attempts.eq(attempts_column(*attempts)),
                application_sends::remote_next_attempt_at.eq(None::<String>),
                application_sends::remote_last_error.eq(Some(short(error))),
                application_sends::updated_at.eq(&now),
            ))
            .execute(conn),
    }
}

pub(super) fn attempts_column(attempts: u32) -> i32 {
    i32::try_from(attempts).unwrap_or(i32::MAX)
}
