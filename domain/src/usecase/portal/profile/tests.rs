use super::*;
use crate::portal::profile::ProfileItem;
use crate::ports::{MockPhotoStore, MockProfileStore, PhotoChange, Profile};
use futures::executor::block_on;

fn now() -> DateTime<Utc> {
    "2025-11-20T00:00:00Z".parse().unwrap()
}

fn photo(name: &str) -> Photo {
    Photo {
        filename: format!("{name}.png"),
        content_type: "image/png".into(),
    }
}

fn profile(user_id: i64, photo: Option<Photo>) -> Profile {
    Profile {
        user_id,
        fields: ProfileFields::default(),
        photo,
        created_at: now(),
        updated_at: now(),
    }
}

#[test]
fn a_missing_profile_reads_empty_and_incomplete_p4_1() {
    let mut store = MockProfileStore::new();
    store.expect_get_profile().returning(|_| Ok(None));
    let view = block_on(Profiles::new(store, MockPhotoStore::new()).get(4)).unwrap();
    assert_eq!(view.user_id, 4);
    assert_eq!(view.completeness.missing, ProfileItem::ALL.to_vec());
    assert!(!view.completeness.complete);
    assert_eq!(view.updated_at, None);
}

#[test]
fn save_validates_before_writing_p4_3() {
    let profiles = Profiles::new(MockProfileStore::new(), MockPhotoStore::new());
    let input = ProfileInput {
        resume_link: Some("javascript://example.com/%0Aalert(1)".into()),
        ..ProfileInput::default()
    };
    let err = block_on(profiles.save(1, &input, now())).unwrap_err();
    assert_eq!(
        err,
        ProfileError::Invalid(FieldErrors::from([("resume_link", FieldCode::InvalidUrl)]))
    );
}

#[test]
fn save_stores_normalised_fields_p4_2() {
    let mut store = MockProfileStore::new();
    store
        .expect_save_profile()
        .withf(|_, f, _| f.skills == vec!["Food Safety", "cooking"])
        .returning(|id, f, _| {
            Ok(Profile {
                fields: f.clone(),
                ..profile(id, None)
            })
        });
    let input = ProfileInput {
        skills: Some(vec![" cooking , Food Safety, cooking,Food Safety ".into()]),
        ..ProfileInput::default()
    };
    let view =
        block_on(Profiles::new(store, MockPhotoStore::new()).save(1, &input, now())).unwrap();
    assert_eq!(view.completeness.missing.len(), 3);
}

#[test]
fn a_new_photo_deletes_the_old_file_after_the_commit_p4_7() {
    let mut store = MockProfileStore::new();
    store.expect_set_photo().returning(|id, p, _| {
        Ok(PhotoChange {
            profile: profile(id, Some(p.clone())),
            previous: Some(photo("old")),
        })
    });
    let mut files = MockPhotoStore::new();
    files.expect_store_photo().returning(|_| Ok(photo("new")));
    files
        .expect_delete_photo()
        .withf(|name| name == "old.png")
        .times(1)
        .returning(|_| Ok(()));
    let view = block_on(Profiles::new(store, files).upload_photo(1, vec![1], now())).unwrap();
    assert_eq!(view.photo, Some(photo("new")));
}

#[test]
fn a_failed_commit_deletes_the_new_file_p4_6() {
    let mut store = MockProfileStore::new();
    store.expect_set_photo().returning(|_, _, _| {
        Err(ProfileWriteError::Store(StoreError::Unavailable(
            "x".into(),
        )))
    });
    let mut files = MockPhotoStore::new();
    files.expect_store_photo().returning(|_| Ok(photo("new")));
    files
        .expect_delete_photo()
        .withf(|name| name == "new.png")
        .times(1)
        .returning(|_| Ok(()));
    let err = block_on(Profiles::new(store, files).upload_photo(1, vec![1], now()));
    assert!(matches!(err, Err(ProfileError::Store(_))));
}

#[test]
fn empty_and_refused_uploads_p4_6() {
    let profiles = Profiles::new(MockProfileStore::new(), MockPhotoStore::new());
    let err = block_on(profiles.upload_photo(1, vec![], now())).unwrap_err();
    assert_eq!(
        err,
        ProfileError::Invalid(FieldErrors::from([("photo", FieldCode::Required)]))
    );
    let mut files = MockPhotoStore::new();
    files
        .expect_store_photo()
        .returning(|_| Err(PhotoError::Unsupported));
    let profiles = Profiles::new(MockProfileStore::new(), files);
    let err = block_on(profiles.upload_photo(1, b"<svg/>".to_vec(), now())).unwrap_err();
    assert_eq!(err, ProfileError::UnsupportedPhoto);
}

#[test]
fn delete_removes_the_row_then_the_file_p4_5() {
    let mut store = MockProfileStore::new();
    store
        .expect_delete_profile()
        .returning(|id| Ok(Some(profile(id, Some(photo("a"))))));
    let mut files = MockPhotoStore::new();
    files
        .expect_delete_photo()
        .withf(|n| n == "a.png")
        .times(1)
        .returning(|_| Ok(()));
    block_on(Profiles::new(store, files).delete(1)).unwrap();
    let mut none = MockProfileStore::new();
    none.expect_delete_profile().returning(|_| Ok(None));
    block_on(Profiles::new(none, MockPhotoStore::new()).delete(1)).unwrap();
}

#[test]
fn the_sweep_spares_referenced_and_young_files_p4_7() {
    let mut store = MockProfileStore::new();
    store
        .expect_photo_filenames()
        .returning(|| Ok(vec!["a.png".into()]));
    let mut files = MockPhotoStore::new();
    files
        .expect_sweep_photos()
        .withf(|refs, cutoff| {
            refs == ["a.png".to_owned()] && *cutoff == now() - TimeDelta::hours(1)
        })
        .returning(|_, _| Ok(2));
    assert_eq!(
        block_on(Profiles::new(store, files).sweep(now())).unwrap(),
        2
    );
}
