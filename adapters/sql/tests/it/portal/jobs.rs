//! The job cache and its sync (P1.3, P1.4, P6.5–P6.8).

use super::{T0, at, batch, seed_jobs, synced, user};
use crate::harness::TestDb;
use domain::ports::{
    ApplicationStore, JobListing, JobStore, JobSyncBatch, JobSyncCounts, NewApplication,
};

fn external_ids(jobs: &[domain::ports::Job]) -> Vec<&str> {
    jobs.iter().map(|j| j.external_id.as_str()).collect()
}

async fn sync_inserts_jobs_and_records_success(db: &TestDb) {
    let store = &db.store;
    assert_eq!(store.job_sync_state().await.unwrap(), Default::default());
    let (started, now) = (
        at("2025-11-20T00:00:00.000Z"),
        at("2025-11-20T00:00:01.500Z"),
    );
    let mut undated = synced("1003", "Driver", T0);
    undated.posted_at = None;
    let counts = store
        .apply_job_sync(
            batch(vec![
                synced("1001", "Chef", "2025-11-19T08:00:00Z"),
                synced("1002", "Cashier", "2025-11-18T08:00:00Z"),
                undated,
            ]),
            started,
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        JobSyncCounts {
            created: 3,
            ..Default::default()
        }
    );

    let chef = store.get_job_by_external_id("1001").await.unwrap().unwrap();
    assert_eq!(chef.title, "Chef 1001");
    assert_eq!(chef.role, "Chef");
    assert_eq!(chef.required_skills, ["Cooking", "Food Safety"]);
    assert_eq!(chef.required_certifications, ["Food Handler Certification"]);
    assert_eq!(chef.posted_at, at("2025-11-19T08:00:00Z"));
    assert_eq!(
        (chef.first_seen_at, chef.updated_at, chef.last_seen_at),
        (now, now, now)
    );
    assert_eq!(chef.removed_at, None);
    assert_eq!(store.get_job(chef.id).await.unwrap().unwrap(), chef);
    let undated = store.get_job_by_external_id("1003").await.unwrap().unwrap();
    assert_eq!(
        undated.posted_at, now,
        "a new job without posted_at gets now"
    );
    assert!(store.get_job(-1).await.unwrap().is_none());
    assert!(
        store
            .get_job_by_external_id("9999")
            .await
            .unwrap()
            .is_none()
    );

    let state = store.job_sync_state().await.unwrap();
    assert_eq!(state.last_success_at, Some(now));
    assert_eq!(state.last_attempt_at, Some(started));
    assert_eq!(state.last_fetched_count, Some(3));
    assert_eq!((state.last_error_code, state.last_error_at), (None, None));
}

async fn sync_updates_only_changed_content(db: &TestDb) {
    let store = &db.store;
    let t1 = at("2025-11-20T00:00:00.000Z");
    let t2 = at("2025-11-20T01:00:00.000Z");
    let original = vec![
        synced("1001", "Chef", "2025-11-19T08:00:00Z"),
        synced("1002", "Cashier", "2025-11-18T08:00:00Z"),
        synced("1003", "Driver", "2025-11-17T08:00:00Z"),
    ];
    store
        .apply_job_sync(batch(original.clone()), t1, t1)
        .await
        .unwrap();

    let mut next = original;
    next[0].title = "Head Chef".into();
    next[1].posted_at = None; // keeps the stored value
    // Sub-millisecond noise is no change: instants are stored with milliseconds.
    next[2].posted_at = Some(at("2025-11-17T08:00:00.000400Z"));
    let counts = store.apply_job_sync(batch(next), t2, t2).await.unwrap();
    assert_eq!(
        counts,
        JobSyncCounts {
            updated: 1,
            ..Default::default()
        }
    );
    let chef = store.get_job_by_external_id("1001").await.unwrap().unwrap();
    assert_eq!(chef.title, "Head Chef");
    assert_eq!(
        (chef.first_seen_at, chef.updated_at, chef.last_seen_at),
        (t1, t2, t2)
    );
    let cashier = store.get_job_by_external_id("1002").await.unwrap().unwrap();
    assert_eq!(cashier.posted_at, at("2025-11-18T08:00:00Z"));
    assert_eq!((cashier.updated_at, cashier.last_seen_at), (t1, t2));
    let driver = store.get_job_by_external_id("1003").await.unwrap().unwrap();
    assert_eq!(driver.updated_at, t1);
}

/// P6.5 step 4, P6.6: unlisted jobs go, unless applications keep them; they come back when
/// listed again.
async fn sync_prunes_but_never_deletes_jobs_with_applications(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let jobs = seed_jobs(db, &["1001", "1002", "1003", "1004"]).await;
    store
        .apply(
            NewApplication {
                user_id: alex,
                job_id: jobs[1].id,
                resume_link: "https://example.com/cv.pdf".into(),
                cover_letter: String::new(),
                skills: vec![],
                certifications: vec![],
            },
            at(T0),
        )
        .await
        .unwrap();

    // 1002 (applied to) and 1003 are gone upstream; 1004 was skipped but its id is listed.
    let t1 = at("2025-11-21T00:00:00.000Z");
    let counts = store
        .apply_job_sync(
            JobSyncBatch {
                jobs: vec![synced("1001", "Chef", T0)],
                listed_external_ids: vec!["1001".into(), "1004".into()],
                fetched_count: 3,
            },
            t1,
            t1,
        )
        .await
        .unwrap();
    assert_eq!((counts.deleted, counts.removed_marked), (1, 1));
    assert!(
        store
            .get_job_by_external_id("1003")
            .await
            .unwrap()
            .is_none()
    );
    let kept = store.get_job(jobs[1].id).await.unwrap().unwrap();
    assert_eq!(kept.removed_at, Some(t1));
    assert_eq!(kept.title, "Chef 1002", "the last known title stays");
    let skipped = store.get_job_by_external_id("1004").await.unwrap().unwrap();
    assert_eq!((skipped.removed_at, skipped.last_seen_at), (None, at(T0)));

    // Still unlisted: removed_at keeps its first value.
    let t2 = at("2025-11-22T00:00:00.000Z");
    let again = store
        .apply_job_sync(batch(vec![synced("1001", "Chef", T0)]), t2, t2)
        .await
        .unwrap();
    assert_eq!(
        (again.deleted, again.removed_marked),
        (1, 0),
        "1004 goes now"
    );
    let kept = store.get_job(jobs[1].id).await.unwrap().unwrap();
    assert_eq!(kept.removed_at, Some(t1));

    // An empty response prunes nothing but is a success.
    let t3 = at("2025-11-23T00:00:00.000Z");
    let empty = store
        .apply_job_sync(JobSyncBatch::default(), t3, t3)
        .await
        .unwrap();
    assert_eq!(empty, JobSyncCounts::default());
    assert!(
        store
            .get_job_by_external_id("1001")
            .await
            .unwrap()
            .is_some()
    );
    let state = store.job_sync_state().await.unwrap();
    assert_eq!(
        (state.last_success_at, state.last_fetched_count),
        (Some(t3), Some(0))
    );

    // Listed again: no longer removed, same local id.
    let t4 = at("2025-11-24T00:00:00.000Z");
    let back = store
        .apply_job_sync(
            batch(vec![synced("1001", "Chef", T0), synced("1002", "Chef", T0)]),
            t4,
            t4,
        )
        .await
        .unwrap();
    assert_eq!((back.restored, back.created, back.updated), (1, 0, 0));
    let back = store.get_job(jobs[1].id).await.unwrap().unwrap();
    assert_eq!((back.removed_at, back.last_seen_at), (None, t4));
}

async fn sync_failure_changes_no_job(db: &TestDb) {
    let store = &db.store;
    let jobs = seed_jobs(db, &["1001"]).await;
    let (started, failed) = (at("2025-11-20T02:00:00Z"), at("2025-11-20T02:00:10Z"));
    store
        .record_job_sync_failure("employer_api_unavailable", started, failed)
        .await
        .unwrap();
    let state = store.job_sync_state().await.unwrap();
    assert_eq!(state.last_success_at, Some(at(T0)), "kept");
    assert_eq!(state.last_attempt_at, Some(started));
    assert_eq!(
        state.last_error_code.as_deref(),
        Some("employer_api_unavailable")
    );
    assert_eq!(state.last_error_at, Some(failed));
    assert_eq!(store.get_job(jobs[0].id).await.unwrap().unwrap(), jobs[0]);

    let later = at("2025-11-20T03:00:00Z");
    store
        .apply_job_sync(batch(vec![synced("1001", "Chef", T0)]), later, later)
        .await
        .unwrap();
    let state = store.job_sync_state().await.unwrap();
    assert_eq!(
        (state.last_error_code, state.last_error_at),
        (None, None),
        "a success clears the error"
    );
}

/// P6.8: removed jobs are in no list; the archive cutoff is exclusive for archived.
async fn list_jobs_by_status(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let now = at("2025-11-20T00:00:00Z");
    store
        .apply_job_sync(
            batch(vec![
                synced("1001", "Chef", "2025-11-19T00:00:00Z"),
                synced("1002", "Chef", "2025-10-21T00:00:00Z"), // exactly at the cutoff
                synced("1003", "Chef", "2025-10-20T23:59:59.999Z"),
                synced("1004", "Chef", "2025-11-18T00:00:00Z"),
            ]),
            now,
            now,
        )
        .await
        .unwrap();
    let removed = store.get_job_by_external_id("1004").await.unwrap().unwrap();
    store
        .apply(
            NewApplication {
                user_id: alex,
                job_id: removed.id,
                resume_link: "https://example.com/cv.pdf".into(),
                cover_letter: String::new(),
                skills: vec![],
                certifications: vec![],
            },
            now,
        )
        .await
        .unwrap();
    store
        .apply_job_sync(
            batch(vec![
                synced("1001", "Chef", "2025-11-19T00:00:00Z"),
                synced("1002", "Chef", "2025-10-21T00:00:00Z"),
                synced("1003", "Chef", "2025-10-20T23:59:59.999Z"),
            ]),
            now,
            now,
        )
        .await
        .unwrap();

    let cutoff = at("2025-10-21T00:00:00Z");
    let active = store.list_jobs(JobListing::Active, cutoff).await.unwrap();
    assert_eq!(external_ids(&active), ["1001", "1002"]);
    let archived = store.list_jobs(JobListing::Archived, cutoff).await.unwrap();
    assert_eq!(external_ids(&archived), ["1003"]);
    assert!(
        store.get_job(removed.id).await.unwrap().is_some(),
        "readable by id"
    );
}

/// Concurrent syncs of the same response (other processes, P6.4) all succeed and agree.
async fn concurrent_syncs_are_idempotent(db: &TestDb) {
    let response: Vec<_> = (1001..1016)
        .map(|id| synced(&id.to_string(), "Chef", T0))
        .collect();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = db.reopen();
        let response = batch(response.clone());
        tasks.push(tokio::spawn(async move {
            store.apply_job_sync(response, at(T0), at(T0)).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        created += task.await.unwrap().unwrap().created;
    }
    assert_eq!(created, 15, "each job created exactly once");
    let listed = db
        .store
        .list_jobs(JobListing::Active, at("2025-01-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 15);
}

crate::on_both_backends!(
    sync_inserts_jobs_and_records_success,
    sync_updates_only_changed_content,
    sync_prunes_but_never_deletes_jobs_with_applications,
    sync_failure_changes_no_job,
    list_jobs_by_status,
    concurrent_syncs_are_idempotent,
);
