//! The exact requests of U4.4: paths, `updateMask`, `currentDocument` preconditions, runQuery
//! and commit bodies, and the bearer token on every call.

use crate::fake::{FakeFirestore, NAME_ROOT, ROOT};
use crate::support::{at, body, d, firestore_requests, store};
use domain::allocation::OfficeClosure;
use domain::ports::{ClosureStore, EmployeeStore, LeaveFilter};
use serde_json::json;
use wiremock::Request;

fn query(r: &Request) -> Vec<(String, String)> {
    r.url.query_pairs().into_owned().collect()
}

fn masked(r: &Request) -> Vec<String> {
    query(r)
        .into_iter()
        .filter(|(k, _)| k == "updateMask.fieldPaths")
        .map(|(_, v)| v)
        .collect()
}

fn precondition(r: &Request) -> Option<String> {
    query(r)
        .into_iter()
        .find(|(k, _)| k == "currentDocument.exists")
        .map(|(_, v)| v)
}

fn closure() -> OfficeClosure {
    OfficeClosure {
        start_date: d("2025-12-24"),
        end_date: None,
        description: "Shutdown".into(),
        tags: vec![],
    }
}

#[tokio::test]
async fn u4_4_closure_crud_sends_the_documented_requests() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let now = at("2025-11-20T00:00:00Z");
    let created = store.create_closure(&closure(), now).await.unwrap();
    store.get_closure(&created.id).await.unwrap().unwrap();
    store
        .update_closure(&created.id, &closure(), now)
        .await
        .unwrap()
        .unwrap();
    store.list_closures(None).await.unwrap();
    assert!(store.delete_closure(&created.id).await.unwrap());
    let sent = firestore_requests(&fake).await;
    let doc_path = format!("{ROOT}/office_closures/{}", created.id);
    let shape: Vec<(String, String)> = sent
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect();
    let expected = [
        ("PATCH", doc_path.clone()),
        ("GET", doc_path.clone()),
        ("PATCH", doc_path.clone()),
        ("POST", format!("{ROOT}:runQuery")),
        ("GET", doc_path.clone()),
        ("POST", format!("{ROOT}:commit")),
    ];
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p))
        .collect();
    assert_eq!(shape, expected);

    // Create: every field named, created only if absent.
    assert_eq!(
        masked(&sent[0]),
        [
            "created_at",
            "description",
            "end_date",
            "start_date",
            "tags",
            "updated_at"
        ]
    );
    assert_eq!(precondition(&sent[0]).as_deref(), Some("false"));
    let fields = &body(&sent[0])["fields"];
    assert_eq!(fields["end_date"], json!({"stringValue": "2025-12-24"}));
    assert_eq!(fields["tags"], json!({"arrayValue": {"values": []}}));
    // Update: only the editable fields (and the legacy `reason`), never an upsert.
    assert_eq!(
        masked(&sent[2]),
        [
            "start_date",
            "end_date",
            "description",
            "reason",
            "tags",
            "updated_at"
        ]
    );
    assert_eq!(precondition(&sent[2]).as_deref(), Some("true"));
    assert!(body(&sent[2])["fields"].get("created_at").is_none());
    assert!(body(&sent[2])["fields"].get("reason").is_none());
    // Query and delete bodies.
    assert_eq!(
        body(&sent[3]),
        json!({"structuredQuery": {
            "from": [{"collectionId": "office_closures"}],
            "orderBy": [{"field": {"fieldPath": "start_date"}, "direction": "ASCENDING"}]}})
    );
    assert_eq!(
        body(&sent[5]),
        json!({"writes": [{"delete": format!("{NAME_ROOT}/office_closures/{}", created.id)}]})
    );
    for r in &sent {
        let auth = r.headers.get("authorization").unwrap().to_str().unwrap();
        assert_eq!(auth, "Bearer ya29.fake-token-1", "{} {}", r.method, r.url);
        if !r.body.is_empty() {
            let ct = r.headers.get("content-type").unwrap().to_str().unwrap();
            assert_eq!(ct, "application/json");
        }
    }
    assert_eq!(
        fake.state().tokens_issued,
        1,
        "one token for the whole story"
    );
}

#[tokio::test]
async fn u4_4_leave_is_read_across_employees_and_written_by_commit() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let t = at("2025-03-01T00:00:00Z");
    store
        .sync_employees(vec![store_suite::employee("7", "Ann", None, None)], t)
        .await
        .unwrap();
    store
        .sync_leave(
            vec![store_suite::leave("L1", "7", "2025-03-03", "2025-03-04")],
            t,
        )
        .await
        .unwrap();
    store.list_leave(LeaveFilter::default()).await.unwrap();
    let sent = firestore_requests(&fake).await;
    let queries: Vec<serde_json::Value> = sent
        .iter()
        .filter(|r| r.url.path().ends_with(":runQuery"))
        .map(body)
        .collect();
    assert!(
        queries.contains(&json!({"structuredQuery": {"from": [{"collectionId": "employees"}]}}))
    );
    assert!(queries.contains(&json!({"structuredQuery": {
        "from": [{"collectionId": "leave_requests", "allDescendants": true}]}})));
    let commits: Vec<serde_json::Value> = sent
        .iter()
        .filter(|r| r.url.path().ends_with(":commit"))
        .map(body)
        .collect();
    assert_eq!(
        commits[0]["writes"][0]["updateMask"],
        json!({"fieldPaths": ["id", "name", "company_email", "account_email", "synced_at"]})
    );
    let write = &commits[1]["writes"][0];
    assert_eq!(
        write["update"]["name"],
        json!(format!("{NAME_ROOT}/employees/7/leave_requests/L1"))
    );
    assert_eq!(
        write["updateMask"]["fieldPaths"],
        json!([
            "leave_request_id",
            "employee_id",
            "start_date",
            "end_date",
            "status",
            "leave_category",
            "synced_at"
        ])
    );
    assert!(sent.iter().all(|r| !r.url.path().contains("batchWrite")));
}
