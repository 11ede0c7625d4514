//! Sessions (security.md S2): storage, the cap of 20, touch throttling, revocation, purge.

use super::{T0, at, new_session, user};
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{
    CreateSessionError, MAX_SESSIONS_PER_USER, Role, SessionLifetimes, SessionStore, UserStore,
};

async fn sessions_roundtrip(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let now = at("2025-11-20T10:00:00.123Z");
    let new = new_session(&"ab".repeat(32), alex.id, now);
    let created = store.create_session(&new, now).await.unwrap();
    assert_eq!((created.created_at, created.last_seen_at), (now, now));
    assert_eq!(created.absolute_expires_at, new.absolute_expires_at);

    let found = store.get_session(&new.id_hash).await.unwrap().unwrap();
    assert_eq!(found.session, created);
    assert_eq!(found.session.csrf_token, new.csrf_token);
    assert_eq!(found.session.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(found.session.user_agent, None);
    assert_eq!(found.user, alex);

    // The role is read from the user row on every request (S7.4).
    store.set_role(alex.id, Role::Admin, now).await.unwrap();
    store
        .create_session(&new_session("s2", alex.id, now), now)
        .await
        .unwrap();
    let found = store.get_session("s2").await.unwrap().unwrap();
    assert_eq!(found.user.role, Role::Admin);

    assert_eq!(store.count_sessions(alex.id).await.unwrap(), 1);
    assert!(store.delete_session("s2").await.unwrap());
    assert!(
        !store.delete_session("s2").await.unwrap(),
        "logout is idempotent"
    );
    assert_eq!(store.get_session("s2").await.unwrap(), None);
}

async fn session_refusals_are_domain_errors(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let now = at(T0);
    assert_eq!(
        store
            .create_session(&new_session("s", alex.id + 1000, now), now)
            .await,
        Err(CreateSessionError::UnknownUser)
    );
    store
        .create_session(&new_session("s", alex.id, now), now)
        .await
        .unwrap();
    assert_eq!(
        store
            .create_session(&new_session("s", alex.id, now), now)
            .await,
        Err(CreateSessionError::DuplicateSession)
    );
    assert_eq!(store.count_sessions(alex.id).await.unwrap(), 1);
}

/// S2.4: the 21st session deletes the oldest, in the same transaction.
async fn sessions_are_capped_at_twenty(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let brett = user(db, "brett").await;
    let start = at(T0);
    store
        .create_session(&new_session("b", brett.id, start), start)
        .await
        .unwrap();
    for i in 0..=MAX_SESSIONS_PER_USER {
        let now = start + TimeDelta::seconds(i64::try_from(i).unwrap());
        store
            .create_session(&new_session(&format!("a{i:02}"), alex.id, now), now)
            .await
            .unwrap();
    }
    assert_eq!(store.count_sessions(alex.id).await.unwrap(), 20);
    assert_eq!(
        store.get_session("a00").await.unwrap(),
        None,
        "the oldest went"
    );
    assert!(store.get_session("a01").await.unwrap().is_some());
    assert!(store.get_session("a20").await.unwrap().is_some());
    assert_eq!(
        store.count_sessions(brett.id).await.unwrap(),
        1,
        "other users keep theirs"
    );
}

/// Logins racing on one account never leave more than 20 sessions.
async fn racing_logins_respect_the_cap(db: &TestDb) {
    let alex = user(db, "alex").await;
    let other = db.reopen();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let now = at(T0) + TimeDelta::milliseconds(i);
        tasks.push(tokio::spawn(async move {
            store
                .create_session(&new_session(&format!("s{i}"), alex.id, now), now)
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(db.store.count_sessions(alex.id).await.unwrap(), 20);
}

async fn touch_writes_at_most_once_a_minute(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let start = at(T0);
    store
        .create_session(&new_session("s", alex.id, start), start)
        .await
        .unwrap();
    let seen = |db: &TestDb| {
        let store = db.store.clone();
        async move {
            store
                .get_session("s")
                .await
                .unwrap()
                .unwrap()
                .session
                .last_seen_at
        }
    };
    assert!(
        !store
            .touch_session("s", start + TimeDelta::seconds(59))
            .await
            .unwrap()
    );
    assert_eq!(seen(db).await, start);
    let minute = start + TimeDelta::seconds(60);
    assert!(store.touch_session("s", minute).await.unwrap());
    assert_eq!(seen(db).await, minute);
    assert!(
        !store
            .touch_session("s", minute + TimeDelta::seconds(30))
            .await
            .unwrap()
    );
    assert!(!store.touch_session("missing", minute).await.unwrap());
}

async fn user_sessions_are_deleted_together(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let brett = user(db, "brett").await;
    let now = at(T0);
    for (id, owner) in [("a1", alex.id), ("a2", alex.id), ("b1", brett.id)] {
        store
            .create_session(&new_session(id, owner, now), now)
            .await
            .unwrap();
    }
    assert_eq!(store.delete_user_sessions(alex.id).await.unwrap(), 2);
    assert_eq!(store.delete_user_sessions(alex.id).await.unwrap(), 0);
    assert_eq!(store.count_sessions(brett.id).await.unwrap(), 1);
}

/// S2.3 lifetimes per role, with the bounds of `Session::is_expired`.
async fn purge_removes_idle_and_absolute_expired_sessions(db: &TestDb) {
    let store = &db.store;
    let employee = user(db, "alex").await;
    let admin = user(db, "root").await;
    store.set_role(admin.id, Role::Admin, at(T0)).await.unwrap();
    let lifetimes = SessionLifetimes::SPEC;
    let start = at(T0);
    let create = |id: &'static str, owner: i64| {
        let store = store.clone();
        async move {
            store
                .create_session(&new_session(id, owner, start), start)
                .await
                .unwrap();
        }
    };
    create("employee-idle", employee.id).await;
    create("employee-busy", employee.id).await;
    create("admin-idle", admin.id).await;
    create("admin-busy", admin.id).await;
    // "busy" sessions are used every 10 minutes.
    let mut now = start;
    while now < start + TimeDelta::hours(13) {
        now += TimeDelta::minutes(10);
        for id in ["employee-busy", "admin-busy"] {
            store.touch_session(id, now).await.unwrap();
        }
        if now == start + TimeDelta::minutes(10) {
            assert_eq!(
                store.purge_expired_sessions(now, &lifetimes).await.unwrap(),
                0
            );
        }
        if now == start + TimeDelta::minutes(20) {
            // Admin idle 15 min: gone; employee idle 30 min: still there.
            assert_eq!(
                store.purge_expired_sessions(now, &lifetimes).await.unwrap(),
                1
            );
            assert_eq!(store.get_session("admin-idle").await.unwrap(), None);
        }
        if now == start + TimeDelta::minutes(30) {
            assert_eq!(
                store.purge_expired_sessions(now, &lifetimes).await.unwrap(),
                1
            );
            assert_eq!(store.get_session("employee-idle").await.unwrap(), None);
        }
        if now == start + TimeDelta::hours(8) - TimeDelta::minutes(10) {
            assert_eq!(
                store.purge_expired_sessions(now, &lifetimes).await.unwrap(),
                0
            );
        }
        if now == start + TimeDelta::hours(8) {
            // The admin's absolute 8 h, although it was used a moment ago.
            assert_eq!(
                store.purge_expired_sessions(now, &lifetimes).await.unwrap(),
                1
            );
            assert_eq!(store.get_session("admin-busy").await.unwrap(), None);
        }
        if now == start + TimeDelta::hours(12) {
            // The employee's stored absolute deadline.
            assert_eq!(
                store.purge_expired_sessions(now, &lifetimes).await.unwrap(),
                1
            );
        }
    }
    assert_eq!(store.count_sessions(employee.id).await.unwrap(), 0);
    assert_eq!(store.count_sessions(admin.id).await.unwrap(), 0);
}

crate::on_both_backends!(
    sessions_roundtrip,
    session_refusals_are_domain_errors,
    sessions_are_capped_at_twenty,
    racing_logins_respect_the_cap,
    touch_writes_at_most_once_a_minute,
    user_sessions_are_deleted_together,
    purge_removes_idle_and_absolute_expired_sessions,
);
