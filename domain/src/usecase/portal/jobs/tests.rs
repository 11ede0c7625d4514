use super::*;
use crate::ports::{JobSyncCounts, MockClock, MockEmployerApi, MockJobStore, UpstreamJob};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn clock() -> MockClock {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(at("2025-11-20T00:00:00Z"));
    clock
}

fn upstream(id: i64) -> UpstreamJob {
    UpstreamJob {
        id: Some(id),
        title: Some("Sous Chef".into()),
        role: Some("Chef".into()),
        location: Some("Sydney NSW".into()),
        company: String::new(),
        description: String::new(),
        required_skills: vec![],
        required_certifications: vec![],
        posted_at: None,
    }
}

#[test]
fn p6_5_a_successful_sync_applies_one_batch() {
    futures::executor::block_on(async {
        let mut employer = MockEmployerApi::new();
        employer.expect_list_jobs().times(1).returning(|| {
            Ok(vec![
                upstream(1001),
                UpstreamJob {
                    title: None,
                    ..upstream(1002)
                },
            ])
        });
        let mut jobs = MockJobStore::new();
        jobs.expect_apply_job_sync()
            .withf(|batch, _, _| {
                batch.fetched_count == 2
                    && batch.jobs.len() == 1
                    && batch.listed_external_ids == ["1001", "1002"]
            })
            .times(1)
            .returning(|_, _, _| {
                Ok(JobSyncCounts {
                    created: 1,
                    ..JobSyncCounts::default()
                })
            });
        let report = sync_now(&employer, &jobs, &clock()).await.unwrap();
        assert_eq!((report.fetched, report.created, report.skipped), (2, 1, 1));
    })
}

#[test]
fn p6_7_a_failure_is_recorded_and_changes_no_job() {
    futures::executor::block_on(async {
        let mut employer = MockEmployerApi::new();
        employer.expect_list_jobs().returning(|| {
            Err(UpstreamError::InvalidResponse {
                detail: "html".into(),
            })
        });
        let mut jobs = MockJobStore::new();
        jobs.expect_record_job_sync_failure()
            .withf(|code, _, _| code == "employer_api_invalid_response")
            .times(1)
            .returning(|_, _, _| Ok(()));
        jobs.expect_apply_job_sync().never();
        assert_eq!(
            sync_now(&employer, &jobs, &clock()).await,
            Err(SyncError::InvalidResponse)
        );
    })
}

#[test]
fn p6_3_a_fresh_cache_is_not_synced() {
    futures::executor::block_on(async {
        let mut employer = MockEmployerApi::new();
        employer.expect_list_jobs().never();
        let mut jobs = MockJobStore::new();
        jobs.expect_job_sync_state().returning(|| {
            Ok(JobSyncState {
                last_success_at: Some(at("2025-11-19T23:45:00Z")),
                ..JobSyncState::default()
            })
        });
        let (attempt, _) = sync_if_needed(&employer, &jobs, &clock(), &CachePolicy::default())
            .await
            .unwrap();
        assert!(attempt.is_none(), "exactly 900 s old is fresh");
    })
}
