//! Reading applications: the row tuples, the column lists and their conversion to the domain's
//! records, shared by the applications and admin repositories.

use super::parse_list;
use crate::AnyConnection;
use crate::schema::portal::{applications, jobs};
use crate::time::{corrupt, parse_instant};
use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Nullable, Text};
use domain::ports::{
    ApplicationStatus, ApplicationWithJob, JobApplication, JobSummary, RemoteStatus,
};

pub(super) type CoreRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
);

pub(super) const CORE_COLUMNS: (
    applications::id,
    applications::user_id,
    applications::job_id,
    applications::resume_link,
    applications::cover_letter,
    applications::skills,
    applications::certifications,
    applications::status,
    applications::submitted_at,
    applications::withdrawn_at,
    applications::updated_at,
) = (
    applications::id,
    applications::user_id,
    applications::job_id,
    applications::resume_link,
    applications::cover_letter,
    applications::skills,
    applications::certifications,
    applications::status,
    applications::submitted_at,
    applications::withdrawn_at,
    applications::updated_at,
);

pub(super) type RemoteRow = (
    String,
    Option<String>,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(super) type RemoteColumns = (
    applications::remote_status,
    applications::remote_application_id,
    applications::remote_attempts,
    applications::remote_next_attempt_at,
    applications::remote_last_error,
    SqlLiteral<Nullable<Text>>,
);

/// The remote columns; `remote_sent_at` is not in the `applications` declaration (see
/// schema/portal.rs), so it is selected by name.
pub(super) fn remote_columns() -> RemoteColumns {
    (
        applications::remote_status,
        applications::remote_application_id,
        applications::remote_attempts,
        applications::remote_next_attempt_at,
        applications::remote_last_error,
        sql::<Nullable<Text>>("\"applications\".\"remote_sent_at\""),
    )
}

pub(super) type JobSummaryRow = (i64, String, String, String, String, String, Option<String>);

pub(super) const JOB_SUMMARY_COLUMNS: (
    jobs::id,
    jobs::external_id,
    jobs::title,
    jobs::company,
    jobs::location,
    jobs::posted_at,
    jobs::removed_at,
) = (
    jobs::id,
    jobs::external_id,
    jobs::title,
    jobs::company,
    jobs::location,
    jobs::posted_at,
    jobs::removed_at,
);

fn optional_instant(t: Option<String>) -> Result<Option<DateTime<Utc>>, DieselError> {
    t.as_deref().map(parse_instant).transpose()
}

pub(super) fn application_from_rows(
    core: CoreRow,
    remote: RemoteRow,
) -> Result<JobApplication, DieselError> {
    let (
        id,
        user_id,
        job_id,
        resume_link,
        cover_letter,
        skills,
        certs,
        status,
        submitted,
        withdrawn,
        updated,
    ) = core;
    let (remote_status, remote_id, attempts, next_attempt, last_error, sent_at) = remote;
    Ok(JobApplication {
        id,
        user_id,
        job_id,
        resume_link,
        cover_letter,
        skills: parse_list("application skills", &skills)?,
        certifications: parse_list("application certifications", &certs)?,
        status: ApplicationStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("application status {status:?}")))?,
        submitted_at: parse_instant(&submitted)?,
        withdrawn_at: optional_instant(withdrawn)?,
        remote_status: RemoteStatus::parse(&remote_status)
            .ok_or_else(|| corrupt(format!("remote status {remote_status:?}")))?,
        remote_application_id: remote_id,
        remote_attempts: u32::try_from(attempts).unwrap_or(0),
        remote_next_attempt_at: optional_instant(next_attempt)?,
        remote_last_error: last_error,
        remote_sent_at: optional_instant(sent_at)?,
        updated_at: parse_instant(&updated)?,
    })
}

pub(super) fn job_summary_from_row(row: JobSummaryRow) -> Result<JobSummary, DieselError> {
    let (id, external_id, title, company, location, posted_at, removed_at) = row;
    Ok(JobSummary {
        id,
        external_id,
        title,
        company,
        location,
        posted_at: parse_instant(&posted_at)?,
        removed_at: optional_instant(removed_at)?,
    })
}

pub(super) type WithJobRow = (CoreRow, RemoteRow, JobSummaryRow);

pub(super) fn with_job_from_row(row: WithJobRow) -> Result<ApplicationWithJob, DieselError> {
    let (core, remote, job) = row;
    Ok(ApplicationWithJob {
        application: application_from_rows(core, remote)?,
        job: job_summary_from_row(job)?,
    })
}

/// Applications joined with their job, ready to filter.
macro_rules! with_job {
    () => {
        applications::table.inner_join(jobs::table).select((
            CORE_COLUMNS,
            remote_columns(),
            JOB_SUMMARY_COLUMNS,
        ))
    };
}
pub(super) use with_job;

pub(super) fn load_with_job(
    conn: &mut AnyConnection,
    application_id: i64,
) -> Result<Option<ApplicationWithJob>, DieselError> {
    with_job!()
        .filter(applications::id.eq(application_id))
        .first::<WithJobRow>(conn)
        .optional()?
        .map(with_job_from_row)
        .transpose()
}

pub(super) fn load_application(
    conn: &mut AnyConnection,
    application_id: i64,
) -> Result<Option<JobApplication>, DieselError> {
    applications::table
        .select((CORE_COLUMNS, remote_columns()))
        .filter(applications::id.eq(application_id))
        .first::<(CoreRow, RemoteRow)>(conn)
        .optional()?
        .map(|(core, remote)| application_from_rows(core, remote))
        .transpose()
}
