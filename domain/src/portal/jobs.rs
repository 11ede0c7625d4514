//! Job cache rules (portal.md P6): when a cache-aware read syncs (P6.3), how an upstream listing
//! becomes a sync batch (P6.5 step 1), a job's status (P6.8), listing filters and orders (P6.9),
//! and the dashboard's categories (P6.11).

use crate::portal::matching::MatchScore;
use crate::ports::{Job, JobSyncBatch, JobSyncState, SyncedJob, UpstreamJob};
use chrono::{DateTime, TimeDelta, Utc};
use std::cmp::Ordering;

/// P1.3 column limits, in characters.
pub const TITLE_MAX: usize = 200;
pub const ROLE_MAX: usize = 100;
pub const COMPANY_MAX: usize = 200;
pub const LOCATION_MAX: usize = 200;

/// The cache settings of P0.8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    pub ttl: TimeDelta,
    pub failure_backoff: TimeDelta,
    pub archive_after: TimeDelta,
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            ttl: TimeDelta::seconds(900),
            failure_backoff: TimeDelta::seconds(60),
            archive_after: TimeDelta::days(30),
        }
    }
}

impl CachePolicy {
    /// `now − JOB_ARCHIVE_DAYS`: jobs posted before it are archived (P6.8).
    pub fn archived_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.archive_after
    }

    /// P6.3: a cache-aware read syncs when the cache was never filled or is older than the TTL
    /// (strictly), unless a failure happened within the backoff after the last success.
    pub fn sync_needed(&self, state: &JobSyncState, now: DateTime<Utc>) -> bool {
        let expired = match state.last_success_at {
            None => true,
            Some(at) => now - at > self.ttl,
        };
        let backing_off = match state.last_error_at {
            None => false,
            Some(err) => {
                state.last_success_at.is_none_or(|ok| err >= ok)
                    && now - err <= self.failure_backoff
            }
        };
        expired && !backing_off
    }
}

/// H4.3 `stale`: the last attempt failed after the last success (P6.7).
pub fn sync_error(state: &JobSyncState) -> Option<&str> {
    match (state.last_error_at, state.last_success_at) {
        (Some(err), Some(ok)) if err < ok => None,
        (Some(_), _) => state.last_error_code.as_deref(),
        (None, _) => None,
    }
}

/// P6.8: a job's status at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    Active,
    Archived,
    Removed,
}

impl JobStatus {
    pub fn of(
        removed_at: Option<DateTime<Utc>>,
        posted_at: DateTime<Utc>,
        archived_before: DateTime<Utc>,
    ) -> JobStatus {
        if removed_at.is_some() {
            JobStatus::Removed
        } else if posted_at < archived_before {
            JobStatus::Archived
        } else {
            JobStatus::Active
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Active => "active",
            JobStatus::Archived => "archived",
            JobStatus::Removed => "removed",
        }
    }
}

/// Cuts to `max` characters (never inside a character).
fn truncated(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn required_text(value: &Option<String>, max: usize) -> Option<String> {
    let trimmed = value.as_deref()?.trim();
    (!trimmed.is_empty()).then(|| truncated(trimmed, max))
}

fn clean_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A usable upstream item (P6.5 step 1), or `None` when it must be skipped.
pub fn clean_job(job: &UpstreamJob) -> Option<SyncedJob> {
    let id = job.id.filter(|id| *id > 0)?;
    Some(SyncedJob {
        external_id: id.to_string(),
        title: required_text(&job.title, TITLE_MAX)?,
        role: required_text(&job.role, ROLE_MAX)?,
        location: required_text(&job.location, LOCATION_MAX)?,
        company: truncated(job.company.trim(), COMPANY_MAX),
        description: job.description.clone(),
        required_skills: clean_list(&job.required_skills),
        required_certifications: clean_list(&job.required_certifications),
        posted_at: job.posted_at,
    })
}

/// P6.5 step 1 over a whole response: the batch and the external ids of the skipped items (for
/// the log; `None` when the item had no usable id).
pub fn sync_batch(jobs: &[UpstreamJob]) -> (JobSyncBatch, Vec<Option<i64>>) {
    let mut batch = JobSyncBatch {
        fetched_count: u32::try_from(jobs.len()).unwrap_or(u32::MAX),
        ..JobSyncBatch::default()
    };
    let mut skipped = Vec::new();
    for job in jobs {
        if let Some(id) = job.id.filter(|id| *id > 0) {
            batch.listed_external_ids.push(id.to_string());
        }
        match clean_job(job) {
            Some(clean) => batch.jobs.push(clean),
            None => skipped.push(job.id),
        }
    }
    (batch, skipped)
}

/// `sort` of P6.9.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JobSort {
    #[default]
    Match,
    PostedAt,
    Title,
}

impl JobSort {
    pub fn parse(s: &str) -> Option<JobSort> {
        match s {
            "match" => Some(JobSort::Match),
            "posted_at" => Some(JobSort::PostedAt),
            "title" => Some(JobSort::Title),
            _ => None,
        }
    }
}

/// The text filters of P6.9, as given (trimmed and case-folded here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFilter {
    pub role: Option<String>,
    pub role_contains: Option<String>,
    pub location: Option<String>,
    pub skill: Option<String>,
}

fn folded(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}

impl JobFilter {
    /// All filters, AND-ed, case-insensitive and literal (P6.9).
    pub fn matches(&self, job: &Job) -> bool {
        let role = job.role.trim().to_lowercase();
        folded(&self.role).is_none_or(|r| role == r)
            && folded(&self.role_contains).is_none_or(|r| role.contains(&r))
            && folded(&self.location).is_none_or(|l| job.location.to_lowercase().contains(&l))
            && folded(&self.skill).is_none_or(|s| {
                job.required_skills
                    .iter()
                    .any(|k| k.to_lowercase().contains(&s))
            })
    }
}

/// A job with the caller's score, the unit that is filtered, ordered and paginated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoredJob {
    pub job: Job,
    pub score: MatchScore,
}

/// P6.9 orders, each total (ties end on the id).
pub fn compare(sort: JobSort, a: &ScoredJob, b: &ScoredJob) -> Ordering {
    let newest = || b.job.posted_at.cmp(&a.job.posted_at);
    let by_id = || a.job.id.cmp(&b.job.id);
    match sort {
        JobSort::Match => b
            .score
            .percent
            .cmp(&a.score.percent)
            .then_with(newest)
            .then_with(by_id),
        JobSort::PostedAt => newest().then_with(by_id),
        JobSort::Title => a
            .job
            .title
            .to_lowercase()
            .cmp(&b.job.title.to_lowercase())
            .then_with(by_id),
    }
}

/// P6.9: filter, then order.
pub fn filter_and_sort(jobs: Vec<ScoredJob>, filter: &JobFilter, sort: JobSort) -> Vec<ScoredJob> {
    let mut kept: Vec<ScoredJob> = jobs
        .into_iter()
        .filter(|j| filter.matches(&j.job))
        .collect();
    kept.sort_by(|a, b| compare(sort, a, b));
    kept
}

/// P6.11: case-folded role, runs of non-alphanumeric ASCII replaced by `-`, trimmed of `-`;
/// `other` when nothing is left.
pub fn role_slug(role: &str) -> String {
    let mut slug = String::new();
    for c in role.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "other".to_owned()
    } else {
        slug.to_owned()
    }
}

/// One dashboard category (P6.11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub slug: String,
    pub label: String,
    pub count: u32,
}

/// P6.11: active jobs grouped by role slug, labelled with the role of the most recently posted
/// job of the group (ties: the higher id), by count desc then slug asc.
pub fn categories(active: &[Job]) -> Vec<Category> {
    let mut groups: Vec<(Category, DateTime<Utc>, i64)> = Vec::new();
    for job in active {
        let slug = role_slug(&job.role);
        match groups.iter_mut().find(|(c, _, _)| c.slug == slug) {
            Some((category, posted, id)) => {
                category.count += 1;
                if (job.posted_at, job.id) > (*posted, *id) {
                    category.label = job.role.clone();
                    (*posted, *id) = (job.posted_at, job.id);
                }
            }
            None => groups.push((
                Category {
                    slug,
                    label: job.role.clone(),
                    count: 1,
                },
                job.posted_at,
                job.id,
            )),
        }
    }
    let mut out: Vec<Category> = groups.into_iter().map(|(c, _, _)| c).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.slug.cmp(&b.slug)));
    out
}

#[cfg(test)]
mod tests;
