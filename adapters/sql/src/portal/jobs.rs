//! The job cache and its sync state (P1.3, P1.4, P6.5–P6.8).

use super::{Refusal, list_json, parse_list, settle, write_settling_races};
use crate::schema::portal::{applications, job_sync_state, jobs};
use crate::time::{instant, parse_instant};
use crate::{AnyConnection, SqlStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    Job, JobListing, JobStore, JobSyncBatch, JobSyncCounts, JobSyncState, StoreError, SyncedJob,
};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;

type JobRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// Every column, in the order of `JobRow`.
const JOB_COLUMNS: <jobs::table as Table>::AllColumns = jobs::all_columns;

fn job_from_row(row: JobRow) -> Result<Job, DieselError> {
    let (
        id,
        external_id,
        title,
        role,
        company,
        location,
        description,
        required_skills,
        required_certifications,
        posted_at,
        first_seen_at,
        updated_at,
        last_seen_at,
        removed_at,
    ) = row;
    Ok(Job {
        id,
        external_id,
        title,
        role,
        company,
        location,
        description,
        required_skills: parse_list("job required_skills", &required_skills)?,
        required_certifications: parse_list(
            "job required_certifications",
            &required_certifications,
        )?,
        posted_at: parse_instant(&posted_at)?,
        first_seen_at: parse_instant(&first_seen_at)?,
        updated_at: parse_instant(&updated_at)?,
        last_seen_at: parse_instant(&last_seen_at)?,
        removed_at: removed_at.as_deref().map(parse_instant).transpose()?,
    })
}

/// The content columns of a job as stored text: equal tuples mean "nothing changed" (P6.5
/// step 3), compared as stored so sub-millisecond differences do not count.
type Content = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn content(job: &SyncedJob, posted_at: &str) -> Content {
    (
        job.title.clone(),
        job.role.clone(),
        job.company.clone(),
        job.location.clone(),
        job.description.clone(),
        list_json(&job.required_skills),
        list_json(&job.required_certifications),
        posted_at.to_owned(),
    )
}

fn stored_content(row: &JobRow) -> Content {
    (
        row.2.clone(),
        row.3.clone(),
        row.4.clone(),
        row.5.clone(),
        row.6.clone(),
        row.7.clone(),
        row.8.clone(),
        row.9.clone(),
    )
}

/// What the sync knows of a local row while it runs.
struct Known {
    content: Content,
    removed: bool,
}

/// P6.5 steps 3–5 inside the caller's write transaction.
fn apply_sync(
    conn: &mut AnyConnection,
    batch: &JobSyncBatch,
    started_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Result<JobSyncCounts, Refusal<Infallible>>, DieselError> {
    let now_text = instant(now);
    let mut known: HashMap<String, Known> = jobs::table
        .select(JOB_COLUMNS)
        .load::<JobRow>(conn)?
        .into_iter()
        .map(|row| {
            let known = Known {
                content: stored_content(&row),
                removed: row.13.is_some(),
            };
            (row.1, known)
        })
        .collect();
    let local_ids: Vec<String> = known.keys().cloned().collect();
    let mut counts = JobSyncCounts::default();

    for job in &batch.jobs {
        match known.get(&job.external_id) {
            None => {
                let posted = instant(job.posted_at.unwrap_or(now));
                let inserted = diesel::insert_into(jobs::table)
                    .values((
                        jobs::external_id.eq(&job.external_id),
                        jobs::title.eq(&job.title),
                        jobs::role.eq(&job.role),
                        jobs::company.eq(&job.company),
                        jobs::location.eq(&job.location),
                        jobs::description.eq(&job.description),
                        jobs::required_skills.eq(list_json(&job.required_skills)),
                        jobs::required_certifications.eq(list_json(&job.required_certifications)),
                        jobs::posted_at.eq(&posted),
                        jobs::first_seen_at.eq(&now_text),
                        jobs::updated_at.eq(&now_text),
                        jobs::last_seen_at.eq(&now_text),
                    ))
                    .execute(conn);
                if let Err(raced) = settle(inserted)? {
                    return Ok(Err(raced));
                }
                counts.created += 1;
                let content = content(job, &posted);
                known.insert(
                    job.external_id.clone(),
                    Known {
                        content,
                        removed: false,
                    },
                );
            }
            Some(row) => {
                // A missing posted_at keeps the stored one (P6.5 step 2).
                let posted = job.posted_at.map_or_else(|| row.content.7.clone(), instant);
                let new_content = content(job, &posted);
                let changed = new_content != row.content;
                let target = jobs::table.filter(jobs::external_id.eq(&job.external_id));
                diesel::update(target)
                    .set((
                        jobs::last_seen_at.eq(&now_text),
                        jobs::removed_at.eq(None::<String>),
                    ))
                    .execute(conn)?;
                if changed {
                    diesel::update(target)
                        .set((
                            jobs::title.eq(&job.title),
                            jobs::role.eq(&job.role),
                            jobs::company.eq(&job.company),
                            jobs::location.eq(&job.location),
                            jobs::description.eq(&job.description),
                            jobs::required_skills.eq(&new_content.5),
                            jobs::required_certifications.eq(&new_content.6),
                            jobs::posted_at.eq(&posted),
                            jobs::updated_at.eq(&now_text),
                        ))
                        .execute(conn)?;
                    counts.updated += 1;
                }
                if row.removed {
                    counts.restored += 1;
                }
                known.insert(
                    job.external_id.clone(),
                    Known {
                        content: new_content,
                        removed: false,
                    },
                );
            }
        }
    }

    // An empty response is suspicious: it prunes nothing (P6.5 step 4).
    if batch.fetched_count > 0 {
        let listed: HashSet<&str> = batch
            .listed_external_ids
            .iter()
            .chain(batch.jobs.iter().map(|j| &j.external_id))
            .map(String::as_str)
            .collect();
        for external_id in local_ids.iter().filter(|id| !listed.contains(id.as_str())) {
            let (job_id, removed_at) = jobs::table
                .select((jobs::id, jobs::removed_at))
                .filter(jobs::external_id.eq(external_id))
                .first::<(i64, Option<String>)>(conn)?;
            let has_applications = diesel::select(diesel::dsl::exists(
                applications::table.filter(applications::job_id.eq(job_id)),
            ))
            .get_result::<bool>(conn)?;
            if !has_applications {
                let deleted = diesel::delete(jobs::table.filter(jobs::id.eq(job_id))).execute(conn);
                if let Err(raced) = settle(deleted)? {
                    return Ok(Err(raced));
                }
                counts.deleted += 1;
            } else if removed_at.is_none() {
                diesel::update(jobs::table.filter(jobs::id.eq(job_id)))
                    .set(jobs::removed_at.eq(&now_text))
                    .execute(conn)?;
                counts.removed_marked += 1;
            }
        }
    }

    diesel::update(job_sync_state::table.filter(job_sync_state::id.eq(1)))
        .set((
            job_sync_state::last_success_at.eq(Some(&now_text)),
            job_sync_state::last_attempt_at.eq(Some(instant(started_at))),
            job_sync_state::last_error_code.eq(None::<String>),
            job_sync_state::last_error_at.eq(None::<String>),
            job_sync_state::last_fetched_count
                .eq(Some(i32::try_from(batch.fetched_count).unwrap_or(i32::MAX))),
        ))
        .execute(conn)?;
    Ok(Ok(counts))
}

type SyncStateRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
);

/// The single sync state row (P1.4); shared with the admin summary.
pub(super) fn load_sync_state(conn: &mut AnyConnection) -> Result<JobSyncState, DieselError> {
    let row = job_sync_state::table
        .select((
            job_sync_state::last_success_at,
            job_sync_state::last_attempt_at,
            job_sync_state::last_error_code,
            job_sync_state::last_error_at,
            job_sync_state::last_fetched_count,
        ))
        .filter(job_sync_state::id.eq(1))
        .first::<SyncStateRow>(conn)
        .optional()?;
    let Some((success, attempt, code, error_at, fetched)) = row else {
        return Ok(JobSyncState::default());
    };
    let at = |t: Option<String>| t.as_deref().map(parse_instant).transpose();
    Ok(JobSyncState {
        last_success_at: at(success)?,
        last_attempt_at: at(attempt)?,
        last_error_code: code,
        last_error_at: at(error_at)?,
        last_fetched_count: fetched.and_then(|n| u32::try_from(n).ok()),
    })
}

#[async_trait]
impl JobStore for SqlStore {
    async fn apply_job_sync(
        &self,
        batch: JobSyncBatch,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<JobSyncCounts, StoreError> {
        // Another process's sync can win the insert of a new job, and a concurrent apply can
        // keep a job this sync would delete: both are decided again (see write_settling_races).
        let Ok(counts) = write_settling_races(&self.db, move |conn| {
            apply_sync(conn, &batch, started_at, now)
        })
        .await?;
        Ok(counts)
    }

    async fn record_job_sync_failure(
        &self,
        error_code: &str,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let code = error_code.to_owned();
        self.db
            .run(move |conn| {
                diesel::update(job_sync_state::table.filter(job_sync_state::id.eq(1)))
                    .set((
                        job_sync_state::last_attempt_at.eq(Some(instant(started_at))),
                        job_sync_state::last_error_code.eq(Some(&code)),
                        job_sync_state::last_error_at.eq(Some(instant(now))),
                    ))
                    .execute(conn)
                    .map(drop)
            })
            .await
    }

    async fn job_sync_state(&self) -> Result<JobSyncState, StoreError> {
        self.db.read(load_sync_state).await
    }

    async fn list_jobs(
        &self,
        listing: JobListing,
        archived_before: DateTime<Utc>,
    ) -> Result<Vec<Job>, StoreError> {
        let cutoff = instant(archived_before);
        self.db
            .read(move |conn| {
                let query = jobs::table
                    .select(JOB_COLUMNS)
                    .filter(jobs::removed_at.is_null())
                    .order(jobs::id)
                    .into_boxed();
                // Instants are fixed-width text, so text order is time order.
                let query = match listing {
                    JobListing::Active => query.filter(jobs::posted_at.ge(cutoff)),
                    JobListing::Archived => query.filter(jobs::posted_at.lt(cutoff)),
                };
                query
                    .load::<JobRow>(conn)?
                    .into_iter()
                    .map(job_from_row)
                    .collect()
            })
            .await
    }

    async fn get_job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        self.db
            .read(move |conn| {
                jobs::table
                    .select(JOB_COLUMNS)
                    .filter(jobs::id.eq(id))
                    .first::<JobRow>(conn)
                    .optional()?
                    .map(job_from_row)
                    .transpose()
            })
            .await
    }

    async fn get_job_by_external_id(&self, external_id: &str) -> Result<Option<Job>, StoreError> {
        let external_id = external_id.to_owned();
        self.db
            .read(move |conn| {
                jobs::table
                    .select(JOB_COLUMNS)
                    .filter(jobs::external_id.eq(&external_id))
                    .first::<JobRow>(conn)
                    .optional()?
                    .map(job_from_row)
                    .transpose()
            })
            .await
    }
}
