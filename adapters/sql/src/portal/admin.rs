//! The portal admin's view of applications (P10.2, P10.4).

use super::application_rows::{
    CORE_COLUMNS, CoreRow, JOB_SUMMARY_COLUMNS, JobSummaryRow, RemoteRow, application_from_rows,
    job_summary_from_row, remote_columns,
};
use crate::schema::accounts::users;
use crate::schema::portal::{applications, jobs};
use crate::time::instant;
use crate::{AnyConnection, SqlStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    AdminApplication, AdminApplicationPage, AdminApplicationQuery, Applicant,
    ApplicationAdminStore, RemoteStatus, ResendError, StoreError,
};

type ApplicantRow = (i64, String, String);
type AdminRow = (CoreRow, RemoteRow, JobSummaryRow, ApplicantRow);

fn admin_from_row(row: AdminRow) -> Result<AdminApplication, DieselError> {
    let (core, remote, job, (id, username, email)) = row;
    Ok(AdminApplication {
        application: application_from_rows(core, remote)?,
        applicant: Applicant {
            id,
            username,
            email,
        },
        job: job_summary_from_row(job)?,
    })
}

/// Applications joined with their job and applicant, ready to filter.
macro_rules! admin_rows {
    () => {
        applications::table
            .inner_join(jobs::table)
            .inner_join(users::table)
            .select((
                CORE_COLUMNS,
                remote_columns(),
                JOB_SUMMARY_COLUMNS,
                (users::id, users::username, users::email),
            ))
    };
}

fn load_admin(
    conn: &mut AnyConnection,
    application_id: i64,
) -> Result<Option<AdminApplication>, DieselError> {
    admin_rows!()
        .filter(applications::id.eq(application_id))
        .first::<AdminRow>(conn)
        .optional()?
        .map(admin_from_row)
        .transpose()
}

/// P10.4 in the caller's write transaction.
fn resend_once(
    conn: &mut AnyConnection,
    application_id: i64,
    now: DateTime<Utc>,
) -> Result<Result<AdminApplication, ResendError>, DieselError> {
    let Some(current) = load_admin(conn, application_id)? else {
        return Ok(Err(ResendError::NotFound));
    };
    let current = current.application;
    if !domain::portal::applications::may_resend(current.status, current.remote_status) {
        return Ok(Err(ResendError::InvalidStatus {
            status: current.status,
            remote_status: current.remote_status,
        }));
    }
    let now = instant(now);
    diesel::update(
        applications::table
            .filter(applications::id.eq(application_id))
            .filter(applications::status.eq(current.status.as_str()))
            .filter(applications::remote_status.eq(current.remote_status.as_str())),
    )
    .set((
        applications::remote_status.eq(RemoteStatus::Retrying.as_str()),
        applications::remote_attempts.eq(0),
        applications::remote_next_attempt_at.eq(Some(&now)),
        applications::updated_at.eq(&now),
    ))
    .execute(conn)?;
    load_admin(conn, application_id)?
        .ok_or(DieselError::NotFound)
        .map(Ok)
}

#[async_trait]
impl ApplicationAdminStore for SqlStore {
    async fn admin_list_applications(
        &self,
        query: AdminApplicationQuery,
    ) -> Result<AdminApplicationPage, StoreError> {
        self.db
            .read(move |conn| {
                let mut rows = admin_rows!()
                    .order(applications::id.desc())
                    .limit(i64::from(query.limit) + 1)
                    .into_boxed();
                if let Some(status) = query.status {
                    rows = rows.filter(applications::status.eq(status.as_str()));
                }
                if let Some(remote) = query.remote_status {
                    rows = rows.filter(applications::remote_status.eq(remote.as_str()));
                }
                if let Some(before) = query.before {
                    rows = rows.filter(applications::id.lt(before));
                }
                let mut applications = rows
                    .load::<AdminRow>(conn)?
                    .into_iter()
                    .map(admin_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                // One row beyond the page says whether there is a next one.
                let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
                let more = applications.len() > limit;
                applications.truncate(limit);
                let next_before = more
                    .then(|| applications.last().map(|a| a.application.id))
                    .flatten();
                Ok(AdminApplicationPage {
                    applications,
                    next_before,
                })
            })
            .await
    }

    async fn admin_get_application(
        &self,
        application_id: i64,
    ) -> Result<Option<AdminApplication>, StoreError> {
        self.db
            .read(move |conn| load_admin(conn, application_id))
            .await
    }

    async fn resend_application(
        &self,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<AdminApplication, ResendError> {
        self.db
            .write(move |conn| resend_once(conn, application_id, now))
            .await?
    }
}
