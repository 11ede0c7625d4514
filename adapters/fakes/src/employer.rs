//! The Employer API in process (upstreams.md U5.8, portal.md P6.2 fixture mode): the 15 fixture
//! jobs of `fixtures/employer_jobs.json`, read exactly as the live client reads `GET /jobs`, and
//! applications accepted with ids 1, 2, 3, … and recorded. Tests get controls: add, change or
//! delete a job, make a call fail, and count calls.
//!
//! Two date modes: [`OfflineEmployer::fixed`] keeps the file's November 2025 dates (U5.8, the
//! acceptance scenarios); [`OfflineEmployer::relative_to`] moves them into the two weeks before a
//! given day, so a demo run later still shows active jobs instead of archived ones (P6.8).

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use domain::ports::{
    EmployerApi, NewUpstreamApplication, UpstreamApplication, UpstreamApplicationId, UpstreamError,
    UpstreamJob,
};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// The exact `GET /jobs` body of the 15 fixture jobs (U5.7).
pub const EMPLOYER_FIXTURE_JOBS: &str = include_str!("../../../fixtures/employer_jobs.json");

/// The 15 fixture jobs with their fixed dates, newest first.
pub fn employer_fixture_jobs() -> Vec<UpstreamJob> {
    // The file is part of the build and its test reads 15 jobs; nothing to recover from here.
    employer_api::parse_jobs_body(EMPLOYER_FIXTURE_JOBS.as_bytes()).unwrap_or_default()
}

/// The port's calls, for failure injection and counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EmployerCall {
    ListJobs,
    PostApplication,
    FindApplications,
}

/// One application the fake accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedApplication {
    pub id: UpstreamApplicationId,
    pub application: NewUpstreamApplication,
    pub idempotency_key: String,
}

#[derive(Clone, Debug)]
enum Failure {
    /// The call fails before doing anything.
    Before(UpstreamError),
    /// A POST is stored, then reported failed (a connection reset after the upstream kept it,
    /// security.md S14.1).
    AfterStoring(UpstreamError),
}

#[derive(Debug)]
struct State {
    jobs: Vec<UpstreamJob>,
    applications: Vec<ReceivedApplication>,
    failures: HashMap<EmployerCall, Failure>,
    calls: HashMap<EmployerCall, usize>,
    can_find: bool,
}

/// The in-process Employer API. One per process in fixture mode (ids restart at 1 with it).
#[derive(Debug)]
pub struct OfflineEmployer {
    state: Mutex<State>,
}

impl OfflineEmployer {
    /// The fixture jobs with the file's fixed dates (U5.8).
    pub fn fixed() -> OfflineEmployer {
        OfflineEmployer::with_jobs(employer_fixture_jobs())
    }

    /// The fixture jobs with their posting dates spread over the two weeks before `today`, in the
    /// same order: the oldest at 12:00 UTC thirteen days before, the newest at 09:00 UTC the day
    /// before. So they are all within the last 14 days and in the past, whatever the time of
    /// day and whichever zone `today` was taken in.
    pub fn relative_to(today: NaiveDate) -> OfflineEmployer {
        let mut jobs = employer_fixture_jobs();
        let midnight = today.and_time(NaiveTime::MIN).and_utc();
        spread(
            &mut jobs,
            midnight - Duration::days(13) + Duration::hours(12),
            midnight - Duration::days(1) + Duration::hours(9),
        );
        OfflineEmployer::with_jobs(jobs)
    }

    /// A fake listing exactly these jobs.
    pub fn with_jobs(jobs: Vec<UpstreamJob>) -> OfflineEmployer {
        OfflineEmployer {
            state: Mutex::new(State {
                jobs,
                applications: Vec::new(),
                failures: HashMap::new(),
                calls: HashMap::new(),
                can_find: true,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves usable data behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a job, or replaces the one with the same id; the listing stays newest first.
    pub fn put_job(&self, job: UpstreamJob) {
        let mut state = self.state();
        state.jobs.retain(|j| j.id.is_none() || j.id != job.id);
        state.jobs.push(job);
        // Stable: equal dates keep their order; jobs without a date go last.
        state
            .jobs
            .sort_by_key(|j| std::cmp::Reverse(j.posted_at.unwrap_or(DateTime::<Utc>::MIN_UTC)));
    }

    /// Deletes a job: it is no longer listed and applying to it is rejected with 404 (U6.6).
    /// Whether there was one.
    pub fn delete_job(&self, id: i64) -> bool {
        let mut state = self.state();
        let before = state.jobs.len();
        state.jobs.retain(|j| j.id != Some(id));
        state.jobs.len() != before
    }

    /// Every later `call` fails with `error` until [`OfflineEmployer::heal`].
    pub fn fail(&self, call: EmployerCall, error: UpstreamError) {
        self.state().failures.insert(call, Failure::Before(error));
    }

    /// Every later POST is stored (and found by the lookup), then answered with `error`.
    pub fn fail_post_after_storing(&self, error: UpstreamError) {
        self.state()
            .failures
            .insert(EmployerCall::PostApplication, Failure::AfterStoring(error));
    }

    pub fn heal(&self, call: EmployerCall) {
        self.state().failures.remove(&call);
    }

    /// What [`EmployerApi::can_find_applications`] answers (live: whether a key is set).
    pub fn set_can_find_applications(&self, can: bool) {
        self.state().can_find = can;
    }

    /// How many times `call` was made, failed ones included.
    pub fn calls(&self, call: EmployerCall) -> usize {
        self.state().calls.get(&call).copied().unwrap_or(0)
    }

    /// Every application accepted, oldest first.
    pub fn applications(&self) -> Vec<ReceivedApplication> {
        self.state().applications.clone()
    }

    /// The jobs as listed now.
    pub fn jobs(&self) -> Vec<UpstreamJob> {
        self.state().jobs.clone()
    }

    /// Counts the call and returns the failure to inject, if any.
    fn begin(&self, state: &mut State, call: EmployerCall) -> Option<Failure> {
        *state.calls.entry(call).or_default() += 1;
        state.failures.get(&call).cloned()
    }
}

/// Moves the dated jobs linearly so the oldest lands on `from` and the newest on `to`: the order
/// and the relative gaps are kept.
fn spread(jobs: &mut [UpstreamJob], from: DateTime<Utc>, to: DateTime<Utc>) {
    let dates = jobs.iter().filter_map(|j| j.posted_at);
    let (Some(oldest), Some(newest)) = (dates.clone().min(), dates.max()) else {
        return;
    };
    let span = (newest - oldest).num_seconds().max(1);
    let window = (to - from).num_seconds();
    for job in jobs {
        if let Some(at) = job.posted_at {
            let offset = (at - oldest).num_seconds() * window / span;
            job.posted_at = Some(from + Duration::seconds(offset));
        }
    }
}

#[async_trait]
impl EmployerApi for OfflineEmployer {
    async fn list_jobs(&self) -> Result<Vec<UpstreamJob>, UpstreamError> {
        let mut state = self.state();
        if let Some(Failure::Before(error)) = self.begin(&mut state, EmployerCall::ListJobs) {
            return Err(error);
        }
        Ok(state.jobs.clone())
    }

    async fn post_application(
        &self,
        application: &NewUpstreamApplication,
        idempotency_key: &str,
    ) -> Result<UpstreamApplicationId, UpstreamError> {
        let mut state = self.state();
        let failure = self.begin(&mut state, EmployerCall::PostApplication);
        if let Some(Failure::Before(error)) = failure {
            return Err(error);
        }
        if !state.jobs.iter().any(|j| j.id == Some(application.job_id)) {
            return Err(UpstreamError::rejected(404, "", "Job not found"));
        }
        let id = UpstreamApplicationId(state.applications.len() as i64 + 1);
        state.applications.push(ReceivedApplication {
            id,
            application: application.clone(),
            idempotency_key: idempotency_key.to_owned(),
        });
        match failure {
            Some(Failure::AfterStoring(error)) => Err(error),
            _ => Ok(id),
        }
    }

    async fn find_applications(
        &self,
        job_id: i64,
        user_id: i64,
    ) -> Result<Vec<UpstreamApplication>, UpstreamError> {
        let mut state = self.state();
        if let Some(Failure::Before(error)) = self.begin(&mut state, EmployerCall::FindApplications)
        {
            return Err(error);
        }
        Ok(state
            .applications
            .iter()
            .rev()
            .filter(|r| r.application.job_id == job_id && r.application.user_id == user_id)
            .map(|r| UpstreamApplication {
                id: r.id,
                job_id,
                user_id,
                resume_link: r.application.resume_link.clone(),
                skills: r.application.skills.clone(),
                certifications: r.application.certifications.clone(),
                cover_letter: r.application.cover_letter.clone(),
                // The fake has no clock; the lookup (P7.8) does not need the time.
                created_at: None,
            })
            .collect())
    }

    fn can_find_applications(&self) -> bool {
        self.state().can_find
    }
}
