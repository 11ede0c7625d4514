//! The portal admin's applications (P10.2, P10.4).

use super::applications::{minutes, new_application};
use super::{T0, at, seed_jobs, user};
use crate::harness::TestDb;
use domain::ports::{
    AdminApplicationQuery, ApplicationAdminStore, ApplicationStatus, ApplicationStore,
    RemoteOutcome, RemoteStatus, ResendError,
};

/// P10.2, P10.4.
async fn admin_listing_and_resend(db: &TestDb) {
    let store = &db.store;
    let (alex, brett) = (user(db, "alex").await, user(db, "brett").await);
    let jobs = seed_jobs(db, &["1001", "1002", "1003"]).await;
    let a1 = store
        .apply(new_application(alex, jobs[0].id), at(T0))
        .await
        .unwrap()
        .application
        .id;
    let b2 = store
        .apply(new_application(brett, jobs[1].id), minutes(1))
        .await
        .unwrap()
        .application
        .id;
    let b3 = store
        .apply(new_application(brett, jobs[2].id), minutes(2))
        .await
        .unwrap()
        .application
        .id;
    let rejected = RemoteOutcome::Rejected {
        error: "job closed upstream".into(),
    };
    store
        .record_remote_outcome(b2, rejected.clone(), minutes(3))
        .await
        .unwrap()
        .unwrap();
    let sent = RemoteOutcome::Sent {
        remote_application_id: None,
    };
    store
        .record_remote_outcome(a1, sent, minutes(3))
        .await
        .unwrap()
        .unwrap();

    let query = |before, limit| AdminApplicationQuery {
        status: None,
        remote_status: None,
        before,
        limit,
    };
    let page = store.admin_list_applications(query(None, 2)).await.unwrap();
    let ids: Vec<i64> = page.applications.iter().map(|a| a.application.id).collect();
    assert_eq!(ids, [b3, b2], "newest first");
    assert_eq!(page.next_before, Some(b2));
    let first = &page.applications[0];
    assert_eq!(first.applicant.username, "brett");
    assert_eq!(first.applicant.email, "brett@example.com");
    assert_eq!(first.job.external_id, "1003");
    let rest = store
        .admin_list_applications(query(Some(b2), 2))
        .await
        .unwrap();
    assert_eq!(rest.applications.len(), 1);
    assert_eq!(rest.applications[0].application.id, a1);
    assert_eq!(rest.next_before, None);
    let only_rejected = store
        .admin_list_applications(AdminApplicationQuery {
            remote_status: Some(RemoteStatus::Rejected),
            ..query(None, 50)
        })
        .await
        .unwrap();
    assert_eq!(only_rejected.applications.len(), 1);
    assert_eq!(
        only_rejected.applications[0]
            .application
            .remote_last_error
            .as_deref(),
        Some("job closed upstream")
    );
    let withdrawn = store
        .admin_list_applications(AdminApplicationQuery {
            status: Some(ApplicationStatus::Withdrawn),
            ..query(None, 50)
        })
        .await
        .unwrap();
    assert!(withdrawn.applications.is_empty());

    let resent = store.resend_application(b2, minutes(10)).await.unwrap();
    let r = &resent.application;
    assert_eq!(r.remote_status, RemoteStatus::Retrying);
    assert_eq!(r.remote_attempts, 0);
    assert_eq!(r.remote_next_attempt_at, Some(minutes(10)));
    assert_eq!(
        store.admin_get_application(b2).await.unwrap(),
        Some(resent.clone())
    );
    assert_eq!(
        store.resend_application(a1, minutes(10)).await,
        Err(ResendError::InvalidStatus {
            status: ApplicationStatus::Submitted,
            remote_status: RemoteStatus::Sent
        })
    );
    assert_eq!(
        store.resend_application(-1, minutes(10)).await,
        Err(ResendError::NotFound)
    );
    // A withdrawn application is never resent, whatever its remote status.
    store
        .record_remote_outcome(b3, rejected, minutes(3))
        .await
        .unwrap()
        .unwrap();
    store
        .withdraw_application(brett, b3, minutes(4))
        .await
        .unwrap();
    assert_eq!(
        store.resend_application(b3, minutes(10)).await,
        Err(ResendError::InvalidStatus {
            status: ApplicationStatus::Withdrawn,
            remote_status: RemoteStatus::Rejected
        })
    );
    assert_eq!(store.admin_get_application(-1).await.unwrap(), None);
}

crate::on_both_backends!(admin_listing_and_resend);
