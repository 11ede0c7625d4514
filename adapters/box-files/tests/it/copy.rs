//! U3.5 the template copy: 201, 409 `item_name_in_use` (list or object), and a retry after an
//! ambiguous failure whose 409 is reported as our own copy.

use crate::support::*;
use domain::ports::{CopyOutcome, Folder, FolderStore, UpstreamError};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const COPY_PATH: &str = "/2.0/folders/300/copy";

/// Box's copy (U6.4): creates a folder in the parent, or answers 409 with the conflict when the
/// name is taken. `slow_calls` lists call numbers (1-based) that create the folder and then hang
/// past the client's timeout.
#[derive(Default)]
struct CopyFake {
    folders: Mutex<HashMap<String, String>>,
    calls: AtomicU32,
    slow_calls: Vec<u32>,
    conflicts_as_object: bool,
}

impl Respond for CopyFake {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let name = body["name"].as_str().unwrap().to_owned();
        let parent = body["parent"]["id"].as_str().unwrap().to_owned();
        let mut folders = self.folders.lock().unwrap();
        if let Some(id) = folders.get(&name) {
            let conflict = serde_json::json!({"type": "folder", "id": id, "name": name});
            let conflicts = if self.conflicts_as_object {
                conflict
            } else {
                serde_json::json!([conflict])
            };
            return ResponseTemplate::new(409).set_body_json(serde_json::json!({
                "type": "error", "status": 409, "code": "item_name_in_use",
                "message": "Item with the same name already exists",
                "context_info": {"conflicts": conflicts}, "request_id": "r409"
            }));
        }
        let id = format!("9{}", folders.len() + 1);
        folders.insert(name.clone(), id.clone());
        let answer = ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "type": "folder", "id": id, "name": name, "parent": {"type": "folder", "id": parent}
        }));
        if self.slow_calls.contains(&call) {
            answer.set_delay(Duration::from_secs(2))
        } else {
            answer
        }
    }
}

async fn copy_fake(server: &MockServer, fake: CopyFake) {
    Mock::given(method("POST"))
        .and(path(COPY_PATH))
        .respond_with(fake)
        .mount(server)
        .await;
}

async fn copies(server: &MockServer) -> usize {
    api_requests(server)
        .await
        .iter()
        .filter(|r| r.url.path() == COPY_PATH)
        .count()
}

async fn copy(server: &MockServer, name: &str) -> Result<CopyOutcome, UpstreamError> {
    client(server).copy_folder("300", "200", name).await
}

#[tokio::test]
async fn u3_5_a_copy_sends_the_parent_and_name_and_reads_the_new_folder() {
    let server = fake_box().await;
    copy_fake(&server, CopyFake::default()).await;
    let outcome = copy(&server, "Ann & Bob Lee").await.unwrap();
    assert_eq!(
        outcome,
        CopyOutcome::Created(Folder {
            id: "91".into(),
            name: "Ann & Bob Lee".into()
        })
    );
    let api = api_requests(&server).await;
    assert_eq!(api.len(), 1);
    assert_eq!(api[0].method.as_str(), "POST");
    assert_eq!(header_of(&api[0], "content-type"), Some("application/json"));
    assert_eq!(
        body(&api[0]),
        serde_json::json!({"parent": {"id": "200"}, "name": "Ann & Bob Lee"})
    );
}

#[tokio::test]
async fn u3_5_a_409_names_the_conflicting_folder_as_a_list_or_an_object() {
    for conflicts_as_object in [false, true] {
        let server = fake_box().await;
        let fake = CopyFake {
            conflicts_as_object,
            ..CopyFake::default()
        };
        fake.folders
            .lock()
            .unwrap()
            .insert("Ann Lee".into(), "555".into());
        copy_fake(&server, fake).await;
        let outcome = copy(&server, "Ann Lee").await.unwrap();
        assert_eq!(
            outcome,
            CopyOutcome::NameInUse {
                conflict: Folder {
                    id: "555".into(),
                    name: "Ann Lee".into()
                },
                after_ambiguous_retry: false,
            },
            "object form: {conflicts_as_object}"
        );
        assert_eq!(copies(&server).await, 1, "a 409 is final");
    }
}

#[tokio::test]
async fn s14_1_a_copy_that_timed_out_after_creating_is_adopted_on_the_retry() {
    let server = fake_box().await;
    copy_fake(
        &server,
        CopyFake {
            slow_calls: vec![1],
            ..CopyFake::default()
        },
    )
    .await;
    let outcome = copy(&server, "Ann Lee").await.unwrap();
    assert_eq!(
        outcome,
        CopyOutcome::NameInUse {
            conflict: Folder {
                id: "91".into(),
                name: "Ann Lee".into()
            },
            after_ambiguous_retry: true,
        }
    );
    assert_eq!(copies(&server).await, 2, "the copy is retried once by hand");
}

#[tokio::test]
async fn u3_5_a_409_after_a_refused_attempt_is_not_reported_as_ours() {
    // A 503 means Box did not act on the request; a 502 may hide a finished copy.
    for (status, ambiguous) in [(503, false), (502, true)] {
        let server = fake_box().await;
        Mock::given(method("POST"))
            .and(path(COPY_PATH))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        let fake = CopyFake::default();
        fake.folders
            .lock()
            .unwrap()
            .insert("Ann Lee".into(), "555".into());
        copy_fake(&server, fake).await;
        let CopyOutcome::NameInUse {
            after_ambiguous_retry,
            ..
        } = copy(&server, "Ann Lee").await.unwrap()
        else {
            panic!("expected a conflict");
        };
        assert_eq!(after_ambiguous_retry, ambiguous, "{status}");
    }
}

#[tokio::test]
async fn u3_5_a_409_without_conflicts_is_resolved_by_listing_the_parent() {
    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path(COPY_PATH))
        .respond_with(box_error(409, "item_name_in_use"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2.0/folders/200/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 1, "offset": 0, "limit": 1000,
            "entries": [{"type": "folder", "id": "556", "name": "Ann Lee"}]
        })))
        .mount(&server)
        .await;
    let CopyOutcome::NameInUse { conflict, .. } = copy(&server, "Ann Lee").await.unwrap() else {
        panic!("expected a conflict");
    };
    assert_eq!(conflict.id, "556");
}

#[tokio::test]
async fn u3_5_other_copy_failures() {
    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path(COPY_PATH))
        .respond_with(box_error(409, "operation_blocked_temporary"))
        .mount(&server)
        .await;
    assert_eq!(
        copy(&server, "A").await.unwrap_err(),
        UpstreamError::Conflict {
            code: "operation_blocked_temporary".into()
        }
    );

    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path(COPY_PATH))
        .respond_with(box_error(400, "bad_request"))
        .mount(&server)
        .await;
    let err = copy(&server, "A").await.unwrap_err();
    assert!(
        matches!(err, UpstreamError::Rejected { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(copies(&server).await, 1);

    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path(COPY_PATH))
        .respond_with(box_error(500, "internal_server_error"))
        .mount(&server)
        .await;
    let err = copy(&server, "A").await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
    assert_eq!(copies(&server).await, 3, "at most three attempts");
}
