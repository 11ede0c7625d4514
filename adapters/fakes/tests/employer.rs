//! The in-process Employer API (upstreams.md U5.8, U6.6): the 15 fixture jobs in both date modes,
//! applications with increasing ids, the lookup, and the test controls.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::ports::{
    EmployerApi, NewUpstreamApplication, UpstreamApplicationId, UpstreamError, UpstreamJob,
};
use offline_fakes::{EmployerCall, OfflineEmployer, employer_fixture_jobs};

const IDS_NEWEST_FIRST: [i64; 15] = [
    1013, 1007, 1008, 1014, 1003, 1009, 1015, 1001, 1004, 1010, 1011, 1005, 1012, 1002, 1006,
];

fn ids(jobs: &[UpstreamJob]) -> Vec<i64> {
    jobs.iter().map(|j| j.id.unwrap()).collect()
}

fn application(job_id: i64, user_id: i64) -> NewUpstreamApplication {
    NewUpstreamApplication {
        job_id,
        user_id,
        resume_link: format!("https://example.com/cv/{user_id}.pdf"),
        skills: vec!["Cooking".into()],
        certifications: Vec::new(),
        cover_letter: String::new(),
    }
}

#[tokio::test]
async fn u5_8_fixed_mode_lists_the_15_jobs_with_the_files_dates() {
    let fake = OfflineEmployer::fixed();
    let jobs = fake.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 15);
    assert_eq!(ids(&jobs), IDS_NEWEST_FIRST);
    let mut sorted = ids(&jobs);
    sorted.sort();
    assert_eq!(sorted, (1001..=1015).collect::<Vec<_>>());
    assert_eq!(jobs, employer_fixture_jobs());
    let sous = jobs.iter().find(|j| j.id == Some(1001)).unwrap();
    assert_eq!(
        sous.posted_at,
        Some("2025-11-11T10:30:00Z".parse::<DateTime<Utc>>().unwrap())
    );
    assert_eq!(sous.title.as_deref(), Some("Sous Chef"));
    let fire = jobs.iter().find(|j| j.id == Some(1006)).unwrap();
    assert_eq!(
        fire.required_skills,
        ["Gas leak tests", "City code adherence"]
    );
    assert_eq!(fire.required_certifications, ["CGLI Inspector"]);
    for job in &jobs {
        assert!(!job.description.is_empty() && job.description.chars().count() <= 300);
        assert!(job.title.is_some() && job.role.is_some() && job.location.is_some());
    }
}

#[tokio::test]
async fn relative_mode_spreads_the_jobs_over_the_last_14_days_in_the_same_order() {
    for today in ["2026-03-02", "2025-11-01", "2030-01-01"] {
        let today: NaiveDate = today.parse().unwrap();
        let jobs = OfflineEmployer::relative_to(today)
            .list_jobs()
            .await
            .unwrap();
        assert_eq!(ids(&jobs), IDS_NEWEST_FIRST, "{today}");
        let midnight = today.and_hms_opt(0, 0, 0).unwrap().and_utc();
        let dates: Vec<DateTime<Utc>> = jobs.iter().map(|j| j.posted_at.unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] > w[1]), "{today}: order kept");
        for at in &dates {
            assert!(
                at.date_naive() <= today && *at < midnight,
                "{today}: {at} in the past"
            );
            // Within 14 days of any moment of `today`.
            assert!(
                *at >= midnight + Duration::days(1) - Duration::days(14),
                "{today}: {at}"
            );
        }
        let spread = dates[0] - dates[14];
        assert!(
            spread > Duration::days(11),
            "{today}: spread over the fortnight"
        );
        assert_eq!(dates[0].date_naive(), today.pred_opt().unwrap());
    }
}

#[tokio::test]
async fn u5_8_applications_get_ids_1_2_3_and_are_found_again() {
    let fake = OfflineEmployer::fixed();
    let mut got = Vec::new();
    for (job, user) in [(1001, 7), (1002, 7), (1001, 8), (1001, 7)] {
        let key = format!("portal-application-{}", got.len() + 100);
        got.push(
            fake.post_application(&application(job, user), &key)
                .await
                .unwrap(),
        );
    }
    assert_eq!(got, [1, 2, 3, 4].map(UpstreamApplicationId));
    let received = fake.applications();
    assert_eq!(received.len(), 4);
    assert_eq!(received[0].idempotency_key, "portal-application-100");
    assert_eq!(received[2].application, application(1001, 8));

    let found = fake.find_applications(1001, 7).await.unwrap();
    let found_ids: Vec<_> = found.iter().map(|a| a.id).collect();
    assert_eq!(found_ids, [4, 1].map(UpstreamApplicationId), "newest first");
    assert_eq!(found[0].resume_link, "https://example.com/cv/7.pdf");
    assert!(fake.find_applications(1003, 7).await.unwrap().is_empty());
    assert!(fake.can_find_applications());
    assert_eq!(fake.calls(EmployerCall::PostApplication), 4);
    assert_eq!(fake.calls(EmployerCall::FindApplications), 2);
}

#[tokio::test]
async fn u6_6_jobs_can_be_added_changed_and_deleted() {
    let fake = OfflineEmployer::fixed();
    let mut newest = employer_fixture_jobs()[0].clone();
    newest.id = Some(2000);
    newest.posted_at = Some("2025-12-01T00:00:00Z".parse().unwrap());
    fake.put_job(newest);
    let jobs = fake.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 16);
    assert_eq!(jobs[0].id, Some(2000), "newest first");

    let mut renamed = jobs.iter().find(|j| j.id == Some(1006)).unwrap().clone();
    renamed.title = Some("Senior Fire Safety Inspector".into());
    fake.put_job(renamed);
    let jobs = fake.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 16);
    assert_eq!(
        jobs[15].title.as_deref(),
        Some("Senior Fire Safety Inspector")
    );

    assert!(fake.delete_job(1001));
    assert!(!fake.delete_job(1001));
    assert_eq!(fake.list_jobs().await.unwrap().len(), 15);
    let err = fake
        .post_application(&application(1001, 7), "portal-application-1")
        .await
        .unwrap_err();
    assert_eq!(err, UpstreamError::rejected(404, "", "Job not found"));
    assert!(fake.applications().is_empty());
}

#[tokio::test]
async fn u6_6_calls_can_be_made_to_fail_and_healed() {
    let fake = OfflineEmployer::fixed();
    let down = UpstreamError::unavailable("employer_api: connection failed");
    fake.fail(EmployerCall::ListJobs, down.clone());
    fake.fail(EmployerCall::FindApplications, UpstreamError::Unauthorized);
    assert_eq!(fake.list_jobs().await.unwrap_err(), down);
    assert_eq!(
        fake.find_applications(1001, 7).await.unwrap_err(),
        UpstreamError::Unauthorized
    );
    fake.heal(EmployerCall::ListJobs);
    assert_eq!(fake.list_jobs().await.unwrap().len(), 15);
    assert_eq!(fake.calls(EmployerCall::ListJobs), 2);

    fake.fail(EmployerCall::PostApplication, down.clone());
    let app = application(1003, 9);
    assert_eq!(fake.post_application(&app, "k1").await.unwrap_err(), down);
    assert!(
        fake.applications().is_empty(),
        "a failed POST stores nothing"
    );

    // S14.1: a reset after the upstream stored it; the lookup then finds it.
    fake.heal(EmployerCall::FindApplications);
    fake.fail_post_after_storing(down.clone());
    assert_eq!(fake.post_application(&app, "k2").await.unwrap_err(), down);
    let found = fake.find_applications(1003, 9).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, UpstreamApplicationId(1));

    fake.heal(EmployerCall::PostApplication);
    let id = fake.post_application(&app, "k3").await.unwrap();
    assert_eq!(id, UpstreamApplicationId(2));
    fake.set_can_find_applications(false);
    assert!(!fake.can_find_applications());
}
