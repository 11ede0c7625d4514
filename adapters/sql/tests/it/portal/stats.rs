//! Dashboard counts (P6.11) and the admin summary (P10.3).

use super::{T0, at, batch, seed_jobs, synced, user};
use crate::harness::TestDb;
use domain::ports::{
    ActivityCounts, ApplicationCounts, ApplicationStore, ConnectionStore, JobStatusCounts,
    JobStore, MessageStore, NewApplication, NewChatMessage, PortalStatsStore, RemoteOutcome,
};

fn application(user_id: i64, job_id: i64) -> NewApplication {
    NewApplication {
        user_id,
        job_id,
        resume_link: "https://example.com/cv.pdf".into(),
        cover_letter: String::new(),
        skills: vec![],
        certifications: vec![],
    }
}

async fn activity_and_summary_counts(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let brett = user(db, "brett").await;
    let casey = user(db, "casey").await;
    assert_eq!(
        store.activity_counts(alex).await.unwrap(),
        ActivityCounts::default()
    );
    let jobs = seed_jobs(db, &["1001", "1002", "1003"]).await;
    let a1 = store
        .apply(application(alex, jobs[0].id), at(T0))
        .await
        .unwrap();
    let a2 = store
        .apply(application(alex, jobs[1].id), at(T0))
        .await
        .unwrap();
    store
        .apply(application(brett, jobs[0].id), at(T0))
        .await
        .unwrap();
    store
        .withdraw_application(alex, a2.application.id, at(T0))
        .await
        .unwrap();
    let sent = RemoteOutcome::Sent {
        remote_application_id: None,
    };
    store
        .record_remote_outcome(a1.application.id, sent, at(T0))
        .await
        .unwrap();

    store
        .send_connection_request(brett, alex, at(T0))
        .await
        .unwrap();
    store
        .send_connection_request(alex, brett, at(T0))
        .await
        .unwrap();
    store
        .send_connection_request(casey, alex, at(T0))
        .await
        .unwrap();
    for (i, t) in ["2025-11-20T00:00:00Z", "2025-11-21T00:00:00Z"]
        .iter()
        .enumerate()
    {
        let message = NewChatMessage {
            sender_id: brett,
            receiver_id: alex,
            body: format!("hi {i}"),
            client_msg_id: None,
        };
        store.post_message(message, at(t)).await.unwrap();
    }

    assert_eq!(
        store.activity_counts(alex).await.unwrap(),
        ActivityCounts {
            applications_submitted: 1,
            applications_withdrawn: 1,
            connections: 1,
            incoming_requests: 1,
            unread_messages: 2,
        }
    );
    let casey_counts = store.activity_counts(casey).await.unwrap();
    assert_eq!(casey_counts.connections, 0);
    assert_eq!(casey_counts.incoming_requests, 0);

    // 1003 is archived by the cutoff; 1002 is removed (alex's withdrawn application keeps it),
    // 1001 is listed again.
    let t1 = at("2025-11-21T12:00:00Z");
    let mut newer = synced("1001", "Chef", "2025-11-21T00:00:00Z");
    newer.title = "Chef".into();
    store
        .apply_job_sync(batch(vec![newer, synced("1003", "Chef", T0)]), t1, t1)
        .await
        .unwrap();
    let summary = store
        .portal_summary(at("2025-11-20T12:00:00Z"), at("2025-11-20T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        summary.jobs,
        JobStatusCounts {
            active: 1,
            archived: 1,
            removed: 1,
        }
    );
    assert_eq!(
        summary.applications,
        ApplicationCounts {
            submitted: 2,
            withdrawn: 1,
            remote_pending: 1,
            remote_sent: 1,
            remote_cancelled: 1,
            ..Default::default()
        }
    );
    assert_eq!(summary.connections, 1);
    assert_eq!(summary.recent_messages, 1, "only the last 24 h");
    assert_eq!(summary.job_sync.last_success_at, Some(t1));
}

crate::on_both_backends!(activity_and_summary_counts);
