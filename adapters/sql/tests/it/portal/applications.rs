//! Applications and their outbox (P1.5, P7).

use super::{T0, at, batch, rows, seed_jobs, synced, user};
use crate::harness::TestDb;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{
    ApplicationStatus, ApplicationStore, ApplyError, JobStore, NewApplication, RemoteOutcome,
    RemoteStatus, WithdrawError,
};

pub(super) fn new_application(user_id: i64, job_id: i64) -> NewApplication {
    NewApplication {
        user_id,
        job_id,
        resume_link: "https://example.com/cv.pdf".into(),
        cover_letter: "Hello".into(),
        skills: vec!["Food Safety".into(), "cooking".into()],
        certifications: vec!["Food Handler Certification".into()],
    }
}

pub(super) fn minutes(n: i64) -> DateTime<Utc> {
    at(T0) + TimeDelta::minutes(n)
}

async fn apply_stores_a_submitted_application(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let jobs = seed_jobs(db, &["1001"]).await;
    let stored = store
        .apply(new_application(alex, jobs[0].id), minutes(1))
        .await
        .unwrap();
    let a = &stored.application;
    assert_eq!((a.user_id, a.job_id), (alex, jobs[0].id));
    assert_eq!(a.resume_link, "https://example.com/cv.pdf");
    assert_eq!(a.cover_letter, "Hello");
    assert_eq!(a.skills, ["Food Safety", "cooking"]);
    assert_eq!(a.certifications, ["Food Handler Certification"]);
    assert_eq!(a.status, ApplicationStatus::Submitted);
    assert_eq!(a.remote_status, RemoteStatus::Pending);
    assert_eq!((a.submitted_at, a.updated_at), (minutes(1), minutes(1)));
    assert_eq!(a.withdrawn_at, None);
    assert_eq!((a.remote_attempts, a.remote_sent_at), (0, None));
    assert_eq!(stored.job.external_id, "1001");
    assert_eq!(stored.job.title, "Chef 1001");
    assert_eq!(
        store.get_user_application(alex, a.id).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        store
            .user_application_for_job(alex, jobs[0].id)
            .await
            .unwrap(),
        Some(stored.application.clone())
    );
}

/// P7.1 steps 2, 4, 5, in that order.
async fn apply_refusals(db: &TestDb) {
    let store = &db.store;
    let (alex, dana) = (user(db, "alex").await, user(db, "dana").await);
    let jobs = seed_jobs(db, &["1001", "1002"]).await;
    assert_eq!(
        store.apply(new_application(alex, -5), at(T0)).await,
        Err(ApplyError::JobNotFound)
    );
    let first = store
        .apply(new_application(alex, jobs[0].id), at(T0))
        .await
        .unwrap();
    let again = store.apply(new_application(alex, jobs[0].id), at(T0)).await;
    assert_eq!(
        again,
        Err(ApplyError::AlreadyApplied {
            application_id: first.application.id
        })
    );
    // Withdrawn applications still block: re-applying is not allowed (P7.1 step 4).
    store
        .withdraw_application(alex, first.application.id, minutes(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .apply(new_application(alex, jobs[0].id), minutes(2))
            .await,
        Err(ApplyError::AlreadyApplied {
            application_id: first.application.id
        })
    );

    // 1001 disappears upstream; alex's application keeps it as removed.
    store
        .apply_job_sync(batch(vec![synced("1002", "Chef", T0)]), at(T0), minutes(3))
        .await
        .unwrap();
    assert_eq!(
        store
            .apply(new_application(dana, jobs[0].id), minutes(4))
            .await,
        Err(ApplyError::JobUnavailable)
    );
    assert_eq!(rows(db, "applications").await, 1);
}

async fn lists_and_reads_are_per_user(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    let jobs = seed_jobs(db, &["1001", "1002", "1003"]).await;
    let mut ids = Vec::new();
    // 1002 and 1003 at the same instant: the larger id first.
    for (job, t) in [(0, 1), (1, 2), (2, 2)] {
        let a = store
            .apply(new_application(alex, jobs[job].id), minutes(t))
            .await
            .unwrap();
        ids.push(a.application.id);
    }
    let brett_app = store
        .apply(new_application(brett, jobs[0].id), minutes(5))
        .await
        .unwrap();

    let listed: Vec<i64> = store
        .list_user_applications(alex)
        .await
        .unwrap()
        .iter()
        .map(|a| a.application.id)
        .collect();
    assert_eq!(listed, [ids[2], ids[1], ids[0]]);
    assert_eq!(store.list_user_applications(brett).await.unwrap().len(), 1);
    assert_eq!(
        store
            .get_user_application(alex, brett_app.application.id)
            .await
            .unwrap(),
        None,
        "another user's application is not found"
    );
    assert_eq!(store.get_user_application(alex, -1).await.unwrap(), None);
    assert!(
        store
            .user_application_for_job(brett, jobs[1].id)
            .await
            .unwrap()
            .is_none()
    );
}

/// P7.6, P7.9.
async fn withdraw_is_conditional(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    let jobs = seed_jobs(db, &["1001", "1002", "1004"]).await;
    let pending = store
        .apply(new_application(alex, jobs[0].id), at(T0))
        .await
        .unwrap()
        .application;
    assert_eq!(
        store
            .withdraw_application(brett, pending.id, minutes(1))
            .await,
        Err(WithdrawError::NotFound),
        "another user's application"
    );
    assert_eq!(
        store.withdraw_application(alex, -1, minutes(1)).await,
        Err(WithdrawError::NotFound)
    );
    let withdrawn = store
        .withdraw_application(alex, pending.id, minutes(1))
        .await
        .unwrap();
    let w = &withdrawn.application;
    assert_eq!(w.status, ApplicationStatus::Withdrawn);
    assert_eq!(
        (w.withdrawn_at, w.updated_at),
        (Some(minutes(1)), minutes(1))
    );
    assert_eq!(w.remote_status, RemoteStatus::Cancelled);
    assert_eq!(
        store
            .withdraw_application(alex, pending.id, minutes(2))
            .await,
        Err(WithdrawError::InvalidStatus {
            status: ApplicationStatus::Withdrawn
        })
    );

    // A send that ended keeps its remote status.
    let sent = store
        .apply(new_application(alex, jobs[1].id), at(T0))
        .await
        .unwrap()
        .application;
    let outcome = RemoteOutcome::Sent {
        remote_application_id: Some("77".into()),
    };
    store
        .record_remote_outcome(sent.id, outcome, at(T0))
        .await
        .unwrap()
        .unwrap();
    let w = store
        .withdraw_application(alex, sent.id, minutes(1))
        .await
        .unwrap();
    assert_eq!(w.application.remote_status, RemoteStatus::Sent);

    // A retrying send is cancelled and no longer due.
    let retrying = store
        .apply(new_application(alex, jobs[2].id), at(T0))
        .await
        .unwrap()
        .application;
    let outcome = RemoteOutcome::Retrying {
        attempts: 1,
        next_attempt_at: minutes(1),
        error: "employer_api_unavailable".into(),
    };
    store
        .record_remote_outcome(retrying.id, outcome, at(T0))
        .await
        .unwrap()
        .unwrap();
    let w = store
        .withdraw_application(alex, retrying.id, minutes(1))
        .await
        .unwrap();
    assert_eq!(w.application.remote_status, RemoteStatus::Cancelled);
    assert!(
        store
            .due_remote_sends(minutes(60), minutes(-60), 20)
            .await
            .unwrap()
            .is_empty()
    );
}

/// P7.7, P7.8: the outbox scan and the conditional transitions.
async fn remote_outbox(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let jobs = seed_jobs(db, &["1001", "1002", "1003", "1004"]).await;
    let mut ids = Vec::new();
    for job in &jobs {
        ids.push(
            store
                .apply(new_application(alex, job.id), at(T0))
                .await
                .unwrap()
                .application
                .id,
        );
    }
    let retry = |attempts, at_minute| RemoteOutcome::Retrying {
        attempts,
        next_attempt_at: minutes(at_minute),
        error: "timeout".into(),
    };
    for (id, due) in [(ids[0], 5), (ids[1], 1), (ids[2], 1)] {
        let r = store
            .record_remote_outcome(id, retry(1, due), at(T0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.remote_status, RemoteStatus::Retrying);
        assert_eq!(r.remote_attempts, 1);
        assert_eq!(r.remote_next_attempt_at, Some(minutes(due)));
        assert_eq!(r.remote_last_error.as_deref(), Some("timeout"));
    }
    let due = |list: Vec<domain::ports::ApplicationWithJob>| {
        list.iter().map(|a| a.application.id).collect::<Vec<_>>()
    };
    assert!(
        store
            .due_remote_sends(at(T0), minutes(-60), 20)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        due(store
            .due_remote_sends(minutes(1), minutes(-60), 20)
            .await
            .unwrap()),
        [ids[1], ids[2]]
    );
    assert_eq!(
        due(store
            .due_remote_sends(minutes(5), minutes(-60), 20)
            .await
            .unwrap()),
        [ids[1], ids[2], ids[0]],
        "longest due first"
    );
    assert_eq!(
        due(store
            .due_remote_sends(minutes(5), minutes(-60), 1)
            .await
            .unwrap()),
        [ids[1]]
    );
    // A pending row whose one post was never recorded is due once it is stranded (P7.8).
    assert_eq!(
        due(store
            .due_remote_sends(minutes(5), at(T0), 20)
            .await
            .unwrap()),
        [ids[1], ids[2], ids[0], ids[3]],
        "retrying rows first, then the stranded pending one"
    );
    assert_eq!(
        due(store.due_remote_sends(minutes(5), at(T0), 3).await.unwrap()),
        [ids[1], ids[2], ids[0]],
        "the limit counts both"
    );
    let with_job = &store
        .due_remote_sends(minutes(1), minutes(-60), 1)
        .await
        .unwrap()[0];
    assert_eq!(with_job.job.external_id, "1002", "what the worker posts");

    let sent = store
        .record_remote_outcome(
            ids[1],
            RemoteOutcome::Sent {
                remote_application_id: Some("app-9".into()),
            },
            minutes(2),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.remote_status, RemoteStatus::Sent);
    assert_eq!(sent.remote_application_id.as_deref(), Some("app-9"));
    assert_eq!(sent.remote_sent_at, Some(minutes(2)));
    assert_eq!(
        (sent.remote_next_attempt_at, sent.remote_last_error),
        (None, None)
    );
    assert_eq!(sent.remote_attempts, 1);
    // `sent` is final: a late attempt changes nothing.
    assert_eq!(
        store
            .record_remote_outcome(ids[1], retry(2, 10), minutes(3))
            .await
            .unwrap(),
        None
    );

    let failed = store
        .record_remote_outcome(
            ids[2],
            RemoteOutcome::Failed {
                attempts: 8,
                error: "HTTP 503".into(),
            },
            minutes(3),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (failed.remote_status, failed.remote_attempts),
        (RemoteStatus::Failed, 8)
    );
    assert_eq!(failed.remote_next_attempt_at, None);

    // `pending` may not fail directly; it may be rejected.
    let pending_fail = RemoteOutcome::Failed {
        attempts: 1,
        error: "x".into(),
    };
    assert_eq!(
        store
            .record_remote_outcome(ids[3], pending_fail, minutes(3))
            .await
            .unwrap(),
        None
    );
    let long_error = "e".repeat(600);
    let rejected = store
        .record_remote_outcome(
            ids[3],
            RemoteOutcome::Rejected { error: long_error },
            minutes(3),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rejected.remote_status, RemoteStatus::Rejected);
    assert_eq!(
        rejected.remote_last_error.unwrap().chars().count(),
        500,
        "text(500)"
    );
    assert_eq!(
        store
            .record_remote_outcome(-1, retry(1, 1), minutes(3))
            .await
            .unwrap(),
        None
    );
}

/// P7.2, P11 scenario 11: concurrent identical applies give one row and one success.
async fn concurrent_identical_applications(db: &TestDb) {
    let dana = user(db, "dana").await;
    let jobs = seed_jobs(db, &["1003"]).await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        // Half the callers use a second pool, as another process would.
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            db.reopen()
        };
        let job_id = jobs[0].id;
        tasks.push(tokio::spawn(async move {
            store.apply(new_application(dana, job_id), at(T0)).await
        }));
    }
    let mut created = Vec::new();
    let mut refused = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(a) => created.push(a.application.id),
            Err(ApplyError::AlreadyApplied { application_id }) => refused.push(application_id),
            Err(other) => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one apply succeeds");
    assert_eq!(refused.len(), 9);
    assert!(refused.iter().all(|id| *id == created[0]));
    assert_eq!(rows(db, "applications").await, 1);
}

crate::on_both_backends!(
    apply_stores_a_submitted_application,
    apply_refusals,
    lists_and_reads_are_per_user,
    withdraw_is_conditional,
    remote_outbox,
    concurrent_identical_applications,
);
