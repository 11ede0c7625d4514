//! Profiles (P1.2, P4): upsert, lists as JSON, photo writes that hand back the old file.

use super::{T0, at, user};
use crate::harness::TestDb;
use chrono::TimeDelta;
use domain::ports::{Photo, ProfileFields, ProfileStore, ProfileWriteError};

fn fields() -> ProfileFields {
    ProfileFields {
        headline: Some("Line cook".into()),
        summary: Some("Ten years of \"service\", all night.".into()),
        skills: vec![
            "Food Safety".into(),
            "cooking".into(),
            "crème brûlée, 🍮".into(),
        ],
        certifications: vec!["First Aid".into()],
        resume_link: Some("https://example.com/cv.pdf".into()),
        experience: Some("Kitchens\nand more kitchens".into()),
    }
}

fn photo(n: u8, ext: &str) -> Photo {
    Photo {
        filename: format!("{}.{ext}", format!("{n:02x}").repeat(16)),
        content_type: if ext == "png" {
            "image/png"
        } else {
            "image/jpeg"
        }
        .into(),
    }
}

async fn profiles_roundtrip(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    assert_eq!(store.get_profile(alex.id).await.unwrap(), None);

    let created_at = at(T0);
    let saved = store
        .save_profile(alex.id, &fields(), created_at)
        .await
        .unwrap();
    assert_eq!(
        (saved.user_id, saved.fields.clone(), saved.photo.clone()),
        (alex.id, fields(), None)
    );
    assert_eq!(
        (saved.created_at, saved.updated_at),
        (created_at, created_at)
    );
    assert_eq!(store.get_profile(alex.id).await.unwrap(), Some(saved));

    // A save replaces every field: absent means null or [].
    let later = created_at + TimeDelta::minutes(5);
    let cleared = store
        .save_profile(alex.id, &ProfileFields::default(), later)
        .await
        .unwrap();
    assert_eq!(cleared.fields, ProfileFields::default());
    assert_eq!(
        (cleared.created_at, cleared.updated_at),
        (created_at, later)
    );
}

async fn saves_never_touch_the_photo(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let now = at(T0);
    store
        .set_photo(alex.id, &photo(1, "png"), now)
        .await
        .unwrap();
    let saved = store.save_profile(alex.id, &fields(), now).await.unwrap();
    assert_eq!(saved.photo, Some(photo(1, "png")));
    assert_eq!(saved.fields, fields());
}

async fn photo_writes_return_the_previous_photo(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let brett = user(db, "brett").await;
    let start = at(T0);

    // An upload before any save creates an empty profile.
    let first = store
        .set_photo(alex.id, &photo(1, "png"), start)
        .await
        .unwrap();
    assert_eq!(first.previous, None);
    assert_eq!(first.profile.photo, Some(photo(1, "png")));
    assert_eq!(first.profile.fields, ProfileFields::default());

    let later = start + TimeDelta::minutes(1);
    let second = store
        .set_photo(alex.id, &photo(2, "jpg"), later)
        .await
        .unwrap();
    assert_eq!(second.previous, Some(photo(1, "png")));
    assert_eq!(
        (second.profile.created_at, second.profile.updated_at),
        (start, later)
    );
    store
        .set_photo(brett.id, &photo(3, "png"), start)
        .await
        .unwrap();

    let mut names = store.photo_filenames().await.unwrap();
    names.sort();
    assert_eq!(names, [photo(2, "jpg").filename, photo(3, "png").filename]);

    let cleared_at = start + TimeDelta::minutes(2);
    assert_eq!(
        store.clear_photo(alex.id, cleared_at).await.unwrap(),
        Some(photo(2, "jpg"))
    );
    let profile = store.get_profile(alex.id).await.unwrap().unwrap();
    assert_eq!((profile.photo, profile.updated_at), (None, cleared_at));
    assert_eq!(store.clear_photo(alex.id, cleared_at).await.unwrap(), None);
    assert_eq!(
        store.clear_photo(alex.id + 1000, cleared_at).await.unwrap(),
        None
    );
    assert_eq!(
        store.photo_filenames().await.unwrap(),
        [photo(3, "png").filename]
    );
}

async fn deleting_a_profile_returns_it(db: &TestDb) {
    let store = &db.store;
    let alex = user(db, "alex").await;
    let now = at(T0);
    store.save_profile(alex.id, &fields(), now).await.unwrap();
    store
        .set_photo(alex.id, &photo(7, "jpg"), now)
        .await
        .unwrap();
    let deleted = store.delete_profile(alex.id).await.unwrap().unwrap();
    assert_eq!(
        (deleted.fields, deleted.photo),
        (fields(), Some(photo(7, "jpg")))
    );
    assert_eq!(store.get_profile(alex.id).await.unwrap(), None);
    assert_eq!(
        store.delete_profile(alex.id).await.unwrap(),
        None,
        "deleting again is fine"
    );
}

async fn profiles_of_unknown_users_are_refused(db: &TestDb) {
    let store = &db.store;
    let now = at(T0);
    assert_eq!(
        store.save_profile(4242, &fields(), now).await,
        Err(ProfileWriteError::UnknownUser)
    );
    assert_eq!(
        store.set_photo(4242, &photo(1, "png"), now).await,
        Err(ProfileWriteError::UnknownUser)
    );
    assert_eq!(store.get_profile(4242).await.unwrap(), None);
}

/// First saves racing for one user: one row, every save succeeds.
async fn racing_first_saves_make_one_profile(db: &TestDb) {
    let alex = user(db, "alex").await;
    let other = db.reopen();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let mut mine = fields();
        mine.headline = Some(format!("take {i}"));
        tasks.push(tokio::spawn(async move {
            store.save_profile(alex.id, &mine, at(T0)).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let profile = db.store.get_profile(alex.id).await.unwrap().unwrap();
    assert!(profile.fields.headline.unwrap().starts_with("take "));
}

crate::on_both_backends!(
    profiles_roundtrip,
    saves_never_touch_the_photo,
    photo_writes_return_the_previous_photo,
    deleting_a_profile_returns_it,
    profiles_of_unknown_users_are_refused,
    racing_first_saves_make_one_profile,
);
