//! Applications and their Employer API outbox (P1.5, P7).

use super::application_rows::{
    CORE_COLUMNS, CoreRow, JOB_SUMMARY_COLUMNS, RemoteRow, WithJobRow, application_from_rows,
    load_application, load_with_job, remote_columns, with_job, with_job_from_row,
};
use super::outbox::record_once;
use super::{Refusal, list_json, settle, write_settling_races};
use crate::schema::portal::{applications, jobs};
use crate::time::instant;
use crate::{AnyConnection, SqlStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    ApplicationStatus, ApplicationStore, ApplicationWithJob, ApplyError, JobApplication,
    NewApplication, RemoteOutcome, RemoteStatus, StoreError, WithdrawError,
};

/// The row the store must find after its own write.
fn written<T>(row: Option<T>) -> Result<T, DieselError> {
    row.ok_or(DieselError::NotFound)
}

/// P7.1 steps 2, 4, 5 and the insert, in the caller's write transaction.
fn apply_once(
    conn: &mut AnyConnection,
    new: &NewApplication,
    now: DateTime<Utc>,
) -> Result<Result<ApplicationWithJob, Refusal<ApplyError>>, DieselError> {
    let refuse = |e| Ok(Err(Refusal::Domain(e)));
    let job = jobs::table
        .select(jobs::removed_at)
        .filter(jobs::id.eq(new.job_id))
        .first::<Option<String>>(conn)
        .optional()?;
    let Some(removed_at) = job else {
        return refuse(ApplyError::JobNotFound);
    };
    let existing = applications::table
        .select(applications::id)
        .filter(applications::user_id.eq(new.user_id))
        .filter(applications::job_id.eq(new.job_id))
        .first::<i64>(conn)
        .optional()?;
    if let Some(application_id) = existing {
        return refuse(ApplyError::AlreadyApplied { application_id });
    }
    if removed_at.is_some() {
        return refuse(ApplyError::JobUnavailable);
    }
    let now = instant(now);
    let inserted = diesel::insert_into(applications::table)
        .values((
            applications::user_id.eq(new.user_id),
            applications::job_id.eq(new.job_id),
            applications::resume_link.eq(&new.resume_link),
            applications::cover_letter.eq(&new.cover_letter),
            applications::skills.eq(list_json(&new.skills)),
            applications::certifications.eq(list_json(&new.certifications)),
            applications::status.eq(ApplicationStatus::Submitted.as_str()),
            applications::submitted_at.eq(&now),
            applications::remote_status.eq(RemoteStatus::Pending.as_str()),
            applications::remote_attempts.eq(0),
            applications::updated_at.eq(&now),
        ))
        .execute(conn);
    if let Err(refusal) = settle(inserted)? {
        return Ok(Err(refusal));
    }
    let row = with_job!()
        .filter(applications::user_id.eq(new.user_id))
        .filter(applications::job_id.eq(new.job_id))
        .first::<WithJobRow>(conn)?;
    with_job_from_row(row).map(Ok)
}

/// P7.9 in the caller's write transaction.
fn withdraw_once(
    conn: &mut AnyConnection,
    user_id: i64,
    application_id: i64,
    now: DateTime<Utc>,
) -> Result<Result<ApplicationWithJob, WithdrawError>, DieselError> {
    let Some(current) = applications::table
        .select((CORE_COLUMNS, remote_columns()))
        .filter(applications::id.eq(application_id))
        .filter(applications::user_id.eq(user_id))
        .first::<(CoreRow, RemoteRow)>(conn)
        .optional()?
    else {
        return Ok(Err(WithdrawError::NotFound));
    };
    let current = application_from_rows(current.0, current.1)?;
    if !current.status.can_withdraw() {
        return Ok(Err(WithdrawError::InvalidStatus {
            status: current.status,
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
        applications::status.eq(ApplicationStatus::Withdrawn.as_str()),
        applications::withdrawn_at.eq(Some(&now)),
        applications::remote_status.eq(current.remote_status.after_withdrawal().as_str()),
        applications::updated_at.eq(&now),
    ))
    .execute(conn)?;
    written(load_with_job(conn, application_id)?).map(Ok)
}

#[async_trait]
impl ApplicationStore for SqlStore {
    async fn apply(
        &self,
        application: NewApplication,
        now: DateTime<Utc>,
    ) -> Result<ApplicationWithJob, ApplyError> {
        write_settling_races(&self.db, move |conn| apply_once(conn, &application, now)).await?
    }

    async fn list_user_applications(
        &self,
        user_id: i64,
    ) -> Result<Vec<ApplicationWithJob>, StoreError> {
        self.db
            .read(move |conn| {
                with_job!()
                    .filter(applications::user_id.eq(user_id))
                    .order((applications::submitted_at.desc(), applications::id.desc()))
                    .load::<WithJobRow>(conn)?
                    .into_iter()
                    .map(with_job_from_row)
                    .collect()
            })
            .await
    }

    async fn get_user_application(
        &self,
        user_id: i64,
        application_id: i64,
    ) -> Result<Option<ApplicationWithJob>, StoreError> {
        self.db
            .read(move |conn| {
                with_job!()
                    .filter(applications::id.eq(application_id))
                    .filter(applications::user_id.eq(user_id))
                    .first::<WithJobRow>(conn)
                    .optional()?
                    .map(with_job_from_row)
                    .transpose()
            })
            .await
    }

    async fn user_application_for_job(
        &self,
        user_id: i64,
        job_id: i64,
    ) -> Result<Option<JobApplication>, StoreError> {
        self.db
            .read(move |conn| {
                applications::table
                    .select((CORE_COLUMNS, remote_columns()))
                    .filter(applications::user_id.eq(user_id))
                    .filter(applications::job_id.eq(job_id))
                    .first::<(CoreRow, RemoteRow)>(conn)
                    .optional()?
                    .map(|(core, remote)| application_from_rows(core, remote))
                    .transpose()
            })
            .await
    }

    async fn withdraw_application(
        &self,
        user_id: i64,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<ApplicationWithJob, WithdrawError> {
        self.db
            .write(move |conn| withdraw_once(conn, user_id, application_id, now))
            .await?
    }

    async fn due_remote_sends(
        &self,
        now: DateTime<Utc>,
        stranded_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ApplicationWithJob>, StoreError> {
        let (now, stranded_before) = (instant(now), instant(stranded_before));
        let limit = i64::from(limit);
        self.db
            .read(move |conn| {
                let mut rows = with_job!()
                    .filter(applications::remote_status.eq(RemoteStatus::Retrying.as_str()))
                    .filter(applications::remote_next_attempt_at.le(&now))
                    .order((
                        applications::remote_next_attempt_at.asc(),
                        applications::id.asc(),
                    ))
                    .limit(limit)
                    .load::<WithJobRow>(conn)?;
                let room = limit - i64::try_from(rows.len()).unwrap_or(limit);
                if room > 0 {
                    rows.extend(
                        with_job!()
                            .filter(applications::remote_status.eq(RemoteStatus::Pending.as_str()))
                            .filter(applications::updated_at.le(&stranded_before))
                            .order(applications::id.asc())
                            .limit(room)
                            .load::<WithJobRow>(conn)?,
                    );
                }
                rows.into_iter().map(with_job_from_row).collect()
            })
            .await
    }

    async fn record_remote_outcome(
        &self,
        application_id: i64,
        outcome: RemoteOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<JobApplication>, StoreError> {
        let Ok(recorded) = self
            .db
            .write(move |conn| {
                if record_once(conn, application_id, &outcome, now)? == 0 {
                    return Ok(Ok::<_, std::convert::Infallible>(None));
                }
                load_application(conn, application_id).map(Ok)
            })
            .await?;
        Ok(recorded)
    }
}
