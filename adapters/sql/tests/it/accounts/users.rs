//! Users (P1.1, P3): unique keys, logins, password and role changes, listings, bootstrap.

use super::{T0, at, new_session, new_user, user};
use crate::harness::TestDb;
use domain::ports::{
    BootstrapOutcome, CreateUserError, LoginKey, Photo, ProfileFields, ProfileStore, Role,
    SessionStore, UserCounts, UserQuery, UserStore,
};

async fn users_roundtrip(db: &TestDb) {
    let store = &db.store;
    let mut alex = new_user("Alex.Smith");
    alex.email = "alex@example.com".into();
    let created = store.create_user(&alex, at(T0)).await.unwrap();
    assert!(created.id > 0);
    assert_eq!(
        (
            created.username.as_str(),
            created.email.as_str(),
            created.role
        ),
        ("Alex.Smith", "alex@example.com", Role::Employee)
    );
    assert_eq!(created.password_hash, alex.password_hash);
    assert_eq!((created.created_at, created.updated_at), (at(T0), at(T0)));

    assert_eq!(
        store.get_user(created.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(store.get_user(created.id + 1000).await.unwrap(), None);
    for login in [" ALEX.smith ", "alex.smith", "Alex@Example.com "] {
        let found = store
            .find_user_by_login(&LoginKey::parse(login))
            .await
            .unwrap();
        assert_eq!(found.map(|u| u.id), Some(created.id), "{login}");
    }
    for login in ["alex", "alex.smith@example.com"] {
        assert_eq!(
            store
                .find_user_by_login(&LoginKey::parse(login))
                .await
                .unwrap(),
            None
        );
    }
    let brett = user(db, "brett").await;
    assert_ne!(brett.id, created.id);
}

async fn taken_keys_are_domain_errors(db: &TestDb) {
    let store = &db.store;
    user(db, "Alex").await;
    let mut same_name = new_user("aLEX");
    same_name.email = "other@example.com".into();
    assert_eq!(
        store.create_user(&same_name, at(T0)).await,
        Err(CreateUserError::UsernameTaken),
        "usernames are unique case-insensitively"
    );
    let mut same_email = new_user("brett");
    same_email.email = "alex@example.com".into();
    assert_eq!(
        store.create_user(&same_email, at(T0)).await,
        Err(CreateUserError::EmailTaken)
    );
    assert_eq!(
        store.create_user(&new_user("ALEX"), at(T0)).await,
        Err(CreateUserError::EmailTaken),
        "email first when both are taken (P3.2)"
    );
    assert_eq!(store.count_users_by_role().await.unwrap().employees, 1);
}

/// Registrations racing for one username: one wins, the others get `UsernameTaken`, never a
/// store failure. Half of them go through a second pool, as another process would.
async fn racing_registrations_get_domain_errors(db: &TestDb) {
    let other = db.reopen();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let mut candidate = new_user("casey");
        candidate.email = format!("casey{i}@example.com");
        tasks.push(tokio::spawn(async move {
            store.create_user(&candidate, at(T0)).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(e) => assert_eq!(e, CreateUserError::UsernameTaken),
        }
    }
    assert_eq!(created, 1);
}

async fn password_changes_revoke_sessions(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let brett = user(db, "brett").await;
    let now = at("2025-11-20T10:00:00Z");
    for (id, owner) in [("a1", alex.id), ("a2", alex.id), ("b1", brett.id)] {
        store
            .create_session(&new_session(id, owner, now), now)
            .await
            .unwrap();
    }
    assert!(
        store
            .set_password_hash(alex.id, "$argon2id$new", now)
            .await
            .unwrap()
    );
    let stored = store.get_user(alex.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.password_hash.as_str(), stored.updated_at),
        ("$argon2id$new", now)
    );
    assert_eq!(store.count_sessions(alex.id).await.unwrap(), 0);
    assert_eq!(store.count_sessions(brett.id).await.unwrap(), 1);
    assert!(
        !store
            .set_password_hash(alex.id + 1000, "$x", now)
            .await
            .unwrap()
    );
}

async fn password_upgrades_compare_and_keep_sessions(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let now = at("2025-11-20T10:00:00Z");
    store
        .create_session(&new_session("a1", alex.id, now), now)
        .await
        .unwrap();
    assert!(
        !store
            .upgrade_password_hash(alex.id, "$stale", "$argon2id$upgraded", now)
            .await
            .unwrap(),
        "a hash changed meanwhile is not overwritten"
    );
    assert!(
        store
            .upgrade_password_hash(alex.id, &alex.password_hash, "$argon2id$upgraded", now)
            .await
            .unwrap()
    );
    let stored = store.get_user(alex.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "$argon2id$upgraded");
    assert_eq!(store.count_sessions(alex.id).await.unwrap(), 1);
}

async fn role_changes_revoke_sessions(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let now = at("2025-11-20T10:00:00Z");
    store
        .create_session(&new_session("a1", alex.id, now), now)
        .await
        .unwrap();
    assert_eq!(
        store.set_role(alex.id, Role::Admin, now).await.unwrap(),
        Some(Role::Employee)
    );
    let stored = store.get_user(alex.id).await.unwrap().unwrap();
    assert_eq!((stored.role, stored.updated_at), (Role::Admin, now));
    assert_eq!(store.count_sessions(alex.id).await.unwrap(), 0);

    store
        .create_session(&new_session("a2", alex.id, now), now)
        .await
        .unwrap();
    assert_eq!(
        store.set_role(alex.id, Role::Admin, now).await.unwrap(),
        Some(Role::Admin)
    );
    assert_eq!(
        store.count_sessions(alex.id).await.unwrap(),
        1,
        "no change, no revocation"
    );
    assert_eq!(
        store
            .set_role(alex.id + 1000, Role::Admin, now)
            .await
            .unwrap(),
        None
    );
}

async fn users_are_listed_and_counted(db: &TestDb) {
    let store = &db.store;
    let caller = user(db, "zed").await;
    let under = user(db, "a_b").await;
    let plain = user(db, "Axb").await;
    let dee = user(db, "dee").await;
    store.set_role(dee.id, Role::Admin, at(T0)).await.unwrap();
    let fields = ProfileFields {
        headline: Some("Chef".into()),
        ..ProfileFields::default()
    };
    store.save_profile(plain.id, &fields, at(T0)).await.unwrap();
    let photo = Photo {
        filename: format!("{}.png", "ab".repeat(16)),
        content_type: "image/png".into(),
    };
    store.set_photo(plain.id, &photo, at(T0)).await.unwrap();

    assert_eq!(
        store.count_users_by_role().await.unwrap(),
        UserCounts {
            employees: 3,
            admins: 1
        }
    );

    let everyone = UserQuery {
        exclude: Some(caller.id),
        limit: 50,
        ..UserQuery::default()
    };
    let page = store.list_users(&everyone).await.unwrap();
    assert_eq!(page.total, 3);
    let names: Vec<_> = page.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(
        names,
        ["a_b", "Axb", "dee"],
        "case-folded username order, caller left out"
    );
    assert_eq!(page.users[1].headline.as_deref(), Some("Chef"));
    assert_eq!(page.users[1].photo, Some(photo.clone()));
    assert_eq!(
        (page.users[0].headline.clone(), page.users[0].photo.clone()),
        (None, None)
    );
    assert_eq!(page.users[2].role, Role::Admin);

    let second = store
        .list_users(&UserQuery {
            limit: 1,
            offset: 1,
            ..everyone.clone()
        })
        .await
        .unwrap();
    assert_eq!((second.total, second.users.len()), (3, 1));
    assert_eq!(second.users[0].id, plain.id);

    // `_` is a literal, not LIKE's any-character; the search is case-folded.
    let literal = UserQuery {
        search: Some("A_".into()),
        ..everyone.clone()
    };
    let found = store.list_users(&literal).await.unwrap();
    assert_eq!((found.total, found.users[0].id), (1, under.id));
    let none = UserQuery {
        search: Some("%".into()),
        ..everyone.clone()
    };
    assert_eq!(store.list_users(&none).await.unwrap().total, 0);
    let all = store
        .list_users(&UserQuery {
            limit: 10,
            ..UserQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, 4);

    let summaries = store
        .user_summaries(&[dee.id, plain.id, caller.id + 1000])
        .await
        .unwrap();
    let ids: Vec<_> = summaries.iter().map(|u| u.id).collect();
    let mut expected = vec![plain.id, dee.id];
    expected.sort();
    assert_eq!(ids, expected);
}

async fn bootstrap_creates_one_admin_once(db: &TestDb) {
    let store = &db.store;
    user(db, "alex").await;
    let mut admin = new_user("Root");
    admin.email = "root@admin.invalid".into();
    let BootstrapOutcome::Created(created) = store.bootstrap_admin(&admin, at(T0)).await.unwrap()
    else {
        panic!("no admin was created");
    };
    assert_eq!(
        (created.role, created.username.as_str()),
        (Role::Admin, "Root")
    );

    let mut again = admin.clone();
    again.password_hash = "$argon2id$from-the-environment".into();
    assert_eq!(
        store.bootstrap_admin(&again, at(T0)).await,
        Ok(BootstrapOutcome::AdminExists)
    );
    let mut other = new_user("second");
    other.role = Role::Admin;
    assert_eq!(
        store.bootstrap_admin(&other, at(T0)).await,
        Ok(BootstrapOutcome::AdminExists)
    );
    let stored = store.get_user(created.id).await.unwrap().unwrap();
    assert_eq!(
        stored.password_hash, admin.password_hash,
        "never overwritten"
    );
    assert_eq!(store.count_users_by_role().await.unwrap().admins, 1);
}

/// Several processes starting at once with the same variables: exactly one admin.
async fn racing_bootstraps_create_one_admin(db: &TestDb) {
    let other = db.reopen();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.bootstrap_admin(&new_user("root"), at(T0)).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            BootstrapOutcome::Created(_) => created += 1,
            BootstrapOutcome::AdminExists => {}
        }
    }
    assert_eq!(created, 1);
    assert_eq!(
        db.store.count_users_by_role().await.unwrap(),
        UserCounts {
            employees: 0,
            admins: 1
        }
    );
}

async fn bootstrap_reports_a_taken_username(db: &TestDb) {
    user(db, "root").await;
    let mut admin = new_user("ROOT");
    admin.email = "root@admin.invalid".into();
    assert_eq!(
        db.store.bootstrap_admin(&admin, at(T0)).await,
        Err(CreateUserError::UsernameTaken)
    );
}

crate::on_both_backends!(
    users_roundtrip,
    taken_keys_are_domain_errors,
    racing_registrations_get_domain_errors,
    password_changes_revoke_sessions,
    password_upgrades_compare_and_keep_sessions,
    role_changes_revoke_sessions,
    users_are_listed_and_counted,
    bootstrap_creates_one_admin_once,
    racing_bootstraps_create_one_admin,
    bootstrap_reports_a_taken_username,
);
