use super::*;
use crate::ports::{
    ApplicationStatus, JobApplication, JobSummary, MockApplicationStore, MockClock,
    MockEmployerApi, MockJobStore, MockProfileStore, RemoteStatus, UpstreamApplication,
    UpstreamApplicationId,
};
use chrono::{DateTime, TimeDelta, Utc};

fn now() -> DateTime<Utc> {
    "2025-11-20T00:00:00Z".parse().unwrap()
}

fn clock() -> MockClock {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    clock
}

fn stored(attempts: u32) -> ApplicationWithJob {
    ApplicationWithJob {
        application: JobApplication {
            id: 7,
            user_id: 3,
            job_id: 1,
            resume_link: "https://example.com/cv.pdf".into(),
            cover_letter: "Hello".into(),
            skills: vec!["cooking".into()],
            certifications: vec![],
            status: ApplicationStatus::Submitted,
            submitted_at: now(),
            withdrawn_at: None,
            remote_status: RemoteStatus::Retrying,
            remote_application_id: None,
            remote_attempts: attempts,
            remote_next_attempt_at: Some(now()),
            remote_last_error: None,
            remote_sent_at: None,
            updated_at: now(),
        },
        job: JobSummary {
            id: 1,
            external_id: "1004".into(),
            title: "Marketing".into(),
            company: String::new(),
            location: String::new(),
            posted_at: now(),
            removed_at: None,
        },
    }
}

fn run(employer: MockEmployerApi, store: MockApplicationStore) -> OutboxReport {
    let (jobs, profiles, clock) = (MockJobStore::new(), MockProfileStore::new(), clock());
    let uc = Applications {
        employer: &employer,
        applications: &store,
        jobs: &jobs,
        profiles: &profiles,
        clock: &clock,
        jitter: &|| 0.0,
    };
    futures::executor::block_on(uc.outbox_pass()).unwrap()
}

#[test]
fn p7_8_a_lookup_match_is_adopted_without_a_post() {
    let mut employer = MockEmployerApi::new();
    employer.expect_can_find_applications().return_const(true);
    employer
        .expect_find_applications()
        .withf(|job, user| (*job, *user) == (1004, 3))
        .returning(|_, _| {
            Ok(vec![UpstreamApplication {
                id: UpstreamApplicationId(99),
                job_id: 1004,
                user_id: 3,
                resume_link: "https://example.com/cv.pdf".into(),
                skills: vec![],
                certifications: vec![],
                cover_letter: String::new(),
                created_at: None,
            }])
        });
    employer.expect_post_application().never();
    let mut store = MockApplicationStore::new();
    store
        .expect_due_remote_sends()
        .withf(|now, stranded_before, _| *stranded_before == *now - STRANDED_PENDING_AFTER)
        .returning(|_, _, _| Ok(vec![stored(1)]));
    store
        .expect_record_remote_outcome()
        .withf(|id, outcome, _| {
            *id == 7
                && *outcome
                    == RemoteOutcome::Sent {
                        remote_application_id: Some("99".into()),
                    }
        })
        .times(1)
        .returning(|_, _, _| Ok(None));
    let report = run(employer, store);
    assert_eq!((report.adopted, report.sent), (1, 1));
}

#[test]
fn p7_8_failures_back_off_then_fail_after_attempt_8() {
    let mut employer = MockEmployerApi::new();
    employer.expect_can_find_applications().return_const(false);
    employer
        .expect_post_application()
        .withf(|body, key| body.job_id == 1004 && key == "portal-application-7")
        .returning(|_, _| Err(UpstreamError::unavailable("down")));
    let mut store = MockApplicationStore::new();
    store
        .expect_due_remote_sends()
        .returning(|_, _, _| Ok(vec![stored(2), stored(7)]));
    store
        .expect_record_remote_outcome()
        .withf(|_, outcome, _| match outcome {
            RemoteOutcome::Retrying {
                attempts,
                next_attempt_at,
                ..
            } => *attempts == 3 && *next_attempt_at == now() + TimeDelta::minutes(30),
            RemoteOutcome::Failed { attempts, .. } => *attempts == 8,
            _ => false,
        })
        .times(2)
        .returning(|_, _, _| Ok(None));
    let report = run(employer, store);
    assert_eq!((report.retrying, report.failed), (1, 1));
}

#[test]
fn p7_5_the_apply_succeeds_once_committed_whatever_happens_next() {
    use crate::ports::{Job, Profile, ProfileFields};
    let mut jobs = MockJobStore::new();
    jobs.expect_get_job().returning(|_| {
        Ok(Some(Job {
            id: 1,
            external_id: "1004".into(),
            title: "Marketing".into(),
            role: "Marketing Specialist".into(),
            company: String::new(),
            location: String::new(),
            description: String::new(),
            required_skills: vec![],
            required_certifications: vec![],
            posted_at: now(),
            first_seen_at: now(),
            updated_at: now(),
            last_seen_at: now(),
            removed_at: None,
        }))
    });
    let mut profiles = MockProfileStore::new();
    profiles.expect_get_profile().returning(|user_id| {
        Ok(Some(Profile {
            user_id,
            fields: ProfileFields {
                skills: vec!["cooking".into()],
                certifications: vec!["First Aid".into()],
                resume_link: Some("https://example.com/cv.pdf".into()),
                experience: Some("5y".into()),
                ..ProfileFields::default()
            },
            photo: None,
            created_at: now(),
            updated_at: now(),
        }))
    });
    let mut store = MockApplicationStore::new();
    store
        .expect_apply()
        .withf(|new, _| {
            new.resume_link == "https://example.com/cv.pdf" && new.skills == ["cooking"]
        })
        .returning(|_, _| Ok(stored(0)));
    store
        .expect_record_remote_outcome()
        .returning(|_, _, _| Err(StoreError::Unavailable("gone".into())));
    let mut employer = MockEmployerApi::new();
    employer
        .expect_post_application()
        .withf(|body, key| body.job_id == 1004 && key == "portal-application-7")
        .times(1)
        .returning(|_, _| Err(UpstreamError::unavailable("refused")));
    let clock = clock();
    let uc = Applications {
        employer: &employer,
        applications: &store,
        jobs: &jobs,
        profiles: &profiles,
        clock: &clock,
        jitter: &|| 0.0,
    };
    let applied = futures::executor::block_on(uc.apply(ApplyInput {
        user_id: 3,
        job_id: 1,
        resume_link: None,
        cover_letter: String::new(),
    }))
    .unwrap();
    assert_eq!(applied.application.application.id, 7);
    assert_eq!(applied.warning.unwrap().code, "employer_api_unavailable");
}
