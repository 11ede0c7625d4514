//! The H2.2 flow over mocks of its ports.

use super::*;
use crate::ports::{
    BoxFolderRecord, BoxFolderState, CopyOutcome, Folder, MetadataOutcome, MetadataStatus,
    MockBoxFolders, MockClock, MockContacts, MockFolderStore, MockSleeper, UpstreamError,
};
use futures::executor::block_on;

fn settings() -> FolderSettings {
    FolderSettings::new("Clients/Active".into(), "Templates/Client".into())
}

fn clock() -> MockClock {
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .returning(|| "2025-03-12T01:00:00Z".parse().unwrap());
    clock
}

fn request() -> FolderRequest {
    FolderRequest {
        deal_id: "42".into(),
        primary: Person {
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            ..Person::default()
        },
        partner: Person {
            first_name: Some("Bob".into()),
            last_name: Some("Lee".into()),
            ..Person::default()
        },
        household_type: Some("Couple".into()),
        ..FolderRequest::default()
    }
}

fn folder(id: &str, name: &str) -> Folder {
    Folder {
        id: id.into(),
        name: name.into(),
    }
}

/// Box with both paths and metadata configured; `copy` answers each copy.
fn files(
    copy: impl Fn(&str) -> Result<CopyOutcome, UpstreamError> + Send + 'static,
) -> MockFolderStore {
    let mut files = MockFolderStore::new();
    files.expect_resolve_path().returning(|p| {
        Ok(match p {
            "Clients/Active" => folder("10", "Active"),
            _ => folder("20", "Client"),
        })
    });
    files
        .expect_copy_folder()
        .returning(move |_, _, name| copy(name));
    files.expect_metadata_configured().return_const(true);
    files
        .expect_apply_metadata()
        .returning(|_, _| Ok(MetadataOutcome::Applied));
    files
        .expect_folder_url()
        .returning(|id| format!("https://app.box.com/folder/{id}"));
    files
}

/// A store with no row that grants the claim and expects `created` or `failed`.
fn open_store(expect_created: bool) -> MockBoxFolders {
    let mut store = MockBoxFolders::new();
    store.expect_get_box_folder().returning(|_| Ok(None));
    store.expect_claim_box_folder().returning(|_, _, _| {
        Ok(BoxFolderClaim::Claimed {
            claim_id: "c1".into(),
            previous: None,
        })
    });
    if expect_created {
        store
            .expect_mark_box_folder_created()
            .times(1)
            .returning(|_, _, _, _| Ok(()));
    } else {
        store
            .expect_mark_box_folder_failed()
            .times(1)
            .returning(|_, _| Ok(()));
    }
    store
}

fn run(
    files: &MockFolderStore,
    store: &MockBoxFolders,
    contacts: &MockContacts,
) -> Result<FolderDone, FolderFailure> {
    let (clock, sleeper, settings) = (clock(), MockSleeper::new(), settings());
    let uc = CreateBoxFolder {
        files,
        contacts,
        store,
        clock: &clock,
        sleeper: &sleeper,
        settings: &settings,
    };
    block_on(uc.run(&request()))
}

fn name_in_use(id: &str, name: &str) -> CopyOutcome {
    CopyOutcome::NameInUse {
        conflict: folder(id, name),
        after_ambiguous_retry: false,
    }
}

#[test]
fn h2_2_5_creates_the_copy_with_metadata_and_marks_the_claim_created() {
    let files = files(|name| Ok(CopyOutcome::Created(folder("987", name))));
    let done = run(&files, &open_store(true), &MockContacts::new()).unwrap();
    assert!(done.created);
    assert_eq!(done.folder.folder_name, "Ann & Bob Lee");
    assert_eq!(done.folder.metadata, MetadataStatus::Applied);
    assert_eq!(done.url, "https://app.box.com/folder/987");
    assert_eq!(done.contacts, vec!["Ann Lee", "Bob Lee"]);
    assert_eq!(done.parent_path, "Clients/Active");
}

#[test]
fn h2_2_2_a_created_row_answers_existing_without_any_box_call() {
    let mut store = MockBoxFolders::new();
    store.expect_get_box_folder().returning(|_| {
        Ok(Some(BoxFolderRecord {
            deal_id: "42".into(),
            state: BoxFolderState::Created,
            folder: Some(BoxFolder {
                folder_id: "987".into(),
                folder_name: "Ann & Bob Lee".into(),
                metadata: MetadataStatus::Applied,
            }),
            claimed_at: "2025-03-01T00:00:00Z".parse().unwrap(),
            created_at: None,
        }))
    });
    let mut files = MockFolderStore::new();
    files.expect_folder_url().returning(|id| format!("u/{id}"));
    let done = run(&files, &store, &MockContacts::new()).unwrap();
    assert!(!done.created && done.replayed);
    assert_eq!(done.folder.folder_id, "987");
}

#[test]
fn h2_2_5_a_name_taken_by_a_folder_not_ours_gets_a_suffix() {
    let mut files = files(|name| {
        Ok(if name == "Ann & Bob Lee" {
            name_in_use("5", name)
        } else {
            CopyOutcome::Created(folder("988", name))
        })
    });
    files.expect_folder_metadata().returning(|_| Ok(None));
    let done = run(&files, &open_store(true), &MockContacts::new()).unwrap();
    assert_eq!(done.folder.folder_name, "Ann & Bob Lee (2)");
    assert!(done.created);
}

#[test]
fn h2_2_5_a_conflict_carrying_our_deal_id_is_adopted() {
    let mut files = files(|name| Ok(name_in_use("5", name)));
    files.expect_folder_metadata().returning(|_| {
        Ok(Some(
            [(MetadataField::HsDealRecordId, "42".to_owned())].into(),
        ))
    });
    let done = run(&files, &open_store(true), &MockContacts::new()).unwrap();
    assert!(!done.created, "adopted: status existing");
    assert!(!done.replayed, "adopting is not a replay");
    assert_eq!(done.folder.folder_id, "5");
}

#[test]
fn h2_2_5_twenty_taken_names_are_exhausted_and_free_the_claim() {
    let mut files = files(|name| Ok(name_in_use("5", name)));
    files
        .expect_folder_metadata()
        .times(MAX_SUFFIX as usize)
        .returning(|_| Ok(None));
    let err = run(&files, &open_store(false), &MockContacts::new()).unwrap_err();
    assert_eq!(err, FolderFailure::NameExhausted);
}

#[test]
fn u3_7_box_failures_map_to_503_when_retryable_and_502_otherwise() {
    let files = files(|_| Err(UpstreamError::unavailable("timeout")));
    let err = run(&files, &open_store(false), &MockContacts::new()).unwrap_err();
    assert_eq!(err.code(), "upstream_unavailable");
    let mut files = MockFolderStore::new();
    files
        .expect_resolve_path()
        .returning(|_| Err(UpstreamError::NotFound));
    let err = run(&files, &open_store(false), &MockContacts::new()).unwrap_err();
    assert_eq!(err.code(), "upstream_error");
}

#[test]
fn h2_2_3_a_crm_failure_is_upstream_unavailable() {
    let mut contacts = MockContacts::new();
    contacts
        .expect_deal_contacts()
        .returning(|_| Err(UpstreamError::RateLimited { retry_after: None }));
    let files = MockFolderStore::new();
    let (clock, sleeper, settings) = (clock(), MockSleeper::new(), settings());
    let store = open_store(false);
    let uc = CreateBoxFolder {
        files: &files,
        contacts: &contacts,
        store: &store,
        clock: &clock,
        sleeper: &sleeper,
        settings: &settings,
    };
    let err = block_on(uc.run(&FolderRequest {
        deal_id: "42".into(),
        ..FolderRequest::default()
    }))
    .unwrap_err();
    assert!(matches!(
        err,
        FolderFailure::UpstreamUnavailable {
            upstream: "hubspot",
            ..
        }
    ));
}
