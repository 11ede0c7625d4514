//! Applications over the ports (portal.md P7): apply (checks, one store transaction, then one
//! Employer API attempt after the commit), the outbox pass that retries (P7.8), and the owner's
//! list, get and withdraw (P7.9, P7.10; the store filters by owner, S7.2).

use crate::portal::applications::{
    ApplyPrecheck, ApplyWarning, apply_warning, attempt_outcome, precheck, retry_outcome,
};
use crate::portal::profile::completeness;
use crate::ports::{
    ApplicationStore, ApplicationWithJob, ApplyError, Clock, EmployerApi, JobStore, NewApplication,
    NewUpstreamApplication, ProfileStore, RemoteOutcome, StoreError, UpstreamError,
    application_idempotency_key,
};

/// `jitter` draws from ±0.1 (the domain has no randomness).
pub type Jitter<'a> = &'a (dyn Fn() -> f64 + Send + Sync);

/// The apply body after validation (P2.6, P2.12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyInput {
    pub user_id: i64,
    pub job_id: i64,
    /// `None`: the profile's (P7.3).
    pub resume_link: Option<String>,
    pub cover_letter: String,
}

/// Why nothing was stored (P7.1 steps 2–5).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplyFailure {
    #[error("apply refused before the transaction")]
    Precheck(ApplyPrecheck),
    #[error(transparent)]
    Refused(#[from] ApplyError),
}

impl From<StoreError> for ApplyFailure {
    fn from(e: StoreError) -> Self {
        ApplyFailure::Refused(ApplyError::Store(e))
    }
}

/// A stored application and the warning of its first send (P7.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub application: ApplicationWithJob,
    pub warning: Option<ApplyWarning>,
}

/// The ports an application operation uses.
pub struct Applications<'a, E: ?Sized, A: ?Sized, J: ?Sized, P: ?Sized, C: ?Sized> {
    pub employer: &'a E,
    pub applications: &'a A,
    pub jobs: &'a J,
    pub profiles: &'a P,
    pub clock: &'a C,
    pub jitter: Jitter<'a>,
}

impl<E: ?Sized, A: ?Sized, J: ?Sized, P: ?Sized, C: ?Sized> std::fmt::Debug
    for Applications<'_, E, A, J, P, C>
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applications").finish_non_exhaustive()
    }
}

/// P7.8: rows taken per pass.
pub const OUTBOX_BATCH: u32 = 20;

/// A `pending` application older than this never had its one post recorded (a crash between
/// the commit and the outcome, or a failed outcome write): the outbox sends it, lookup first.
pub const STRANDED_PENDING_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// What one outbox pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxReport {
    pub adopted: u32,
    pub sent: u32,
    pub rejected: u32,
    pub retrying: u32,
    pub failed: u32,
}

impl OutboxReport {
    fn count(&mut self, outcome: &RemoteOutcome) {
        match outcome {
            RemoteOutcome::Sent { .. } => self.sent += 1,
            RemoteOutcome::Rejected { .. } => self.rejected += 1,
            RemoteOutcome::Retrying { .. } => self.retrying += 1,
            RemoteOutcome::Failed { .. } => self.failed += 1,
        }
    }
}

/// The upstream body of a stored application (P7.5).
fn upstream_body(stored: &ApplicationWithJob) -> Result<NewUpstreamApplication, UpstreamError> {
    let job_id =
        stored.job.external_id.parse::<i64>().map_err(|_| {
            UpstreamError::rejected(400, "", "the job's external id is not an integer")
        })?;
    let a = &stored.application;
    Ok(NewUpstreamApplication {
        job_id,
        user_id: a.user_id,
        resume_link: a.resume_link.clone(),
        skills: a.skills.clone(),
        certifications: a.certifications.clone(),
        cover_letter: a.cover_letter.clone(),
    })
}

impl<E, A, J, P, C> Applications<'_, E, A, J, P, C>
where
    E: EmployerApi + ?Sized,
    A: ApplicationStore + ?Sized,
    J: JobStore + ?Sized,
    P: ProfileStore + ?Sized,
    C: Clock + ?Sized,
{
    /// P7.1–P7.5. The response is a success once the row is committed, whatever the upstream did.
    pub async fn apply(&self, input: ApplyInput) -> Result<Applied, ApplyFailure> {
        let job = self.jobs.get_job(input.job_id).await?;
        let profile = self.profiles.get_profile(input.user_id).await?;
        let fields = profile.as_ref().map(|p| &p.fields);
        precheck(job.as_ref(), completeness(fields)).map_err(ApplyFailure::Precheck)?;
        let fields = fields.cloned().unwrap_or_default();
        let resume_link = input.resume_link.or(fields.resume_link).unwrap_or_default();
        let new = NewApplication {
            user_id: input.user_id,
            job_id: input.job_id,
            resume_link,
            cover_letter: input.cover_letter,
            skills: fields.skills,
            certifications: fields.certifications,
        };
        let stored = self.applications.apply(new, self.clock.now()).await?;
        let attempt = self.post(&stored).await;
        let outcome = attempt_outcome(attempt, 0, self.clock.now(), (self.jitter)());
        let warning = apply_warning(&outcome);
        // The row is committed: the answer is a success even if recording the outcome fails
        // (P7.5, security.md S12.3); the row then stays `pending`.
        let application = match self.record(stored.clone(), outcome).await {
            Ok(recorded) => recorded,
            Err(_) => stored,
        };
        Ok(Applied {
            application,
            warning,
        })
    }

    async fn post(
        &self,
        stored: &ApplicationWithJob,
    ) -> Result<crate::ports::UpstreamApplicationId, UpstreamError> {
        let body = upstream_body(stored)?;
        let key = application_idempotency_key(stored.application.id);
        self.employer.post_application(&body, &key).await
    }

    /// Records an outcome; the row as it now is (unchanged when it moved on meanwhile).
    async fn record(
        &self,
        mut stored: ApplicationWithJob,
        outcome: RemoteOutcome,
    ) -> Result<ApplicationWithJob, StoreError> {
        if let Some(updated) = self
            .applications
            .record_remote_outcome(stored.application.id, outcome, self.clock.now())
            .await?
        {
            stored.application = updated;
        }
        Ok(stored)
    }

    /// P7.8 for one due row: look up first when the API allows it, then POST.
    async fn resend(&self, due: &ApplicationWithJob) -> (RemoteOutcome, bool) {
        let a = &due.application;
        if self.employer.can_find_applications() {
            let job_id = due.job.external_id.parse::<i64>().unwrap_or_default();
            match self.employer.find_applications(job_id, a.user_id).await {
                Ok(found) => {
                    if let Some(hit) = found.iter().find(|f| f.resume_link == a.resume_link) {
                        let outcome = RemoteOutcome::Sent {
                            remote_application_id: Some(hit.id.to_string()),
                        };
                        return (outcome, true);
                    }
                }
                Err(e) => {
                    let now = self.clock.now();
                    let outcome =
                        retry_outcome(a.remote_attempts + 1, now, (self.jitter)(), e.code().into());
                    return (outcome, false);
                }
            }
        }
        let attempt = self.post(due).await;
        let now = self.clock.now();
        (
            attempt_outcome(attempt, a.remote_attempts, now, (self.jitter)()),
            false,
        )
    }

    /// One outbox pass (P7.8): up to 20 due rows, oldest first. Upstream calls happen outside
    /// any transaction; each row update is its own.
    pub async fn outbox_pass(&self) -> Result<OutboxReport, StoreError> {
        let mut report = OutboxReport::default();
        let now = self.clock.now();
        let due = self
            .applications
            .due_remote_sends(now, now - STRANDED_PENDING_AFTER, OUTBOX_BATCH)
            .await?;
        for row in due {
            let (outcome, adopted) = self.resend(&row).await;
            if adopted {
                report.adopted += 1;
            }
            report.count(&outcome);
            self.applications
                .record_remote_outcome(row.application.id, outcome, self.clock.now())
                .await?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests;
