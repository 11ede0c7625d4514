//! Employee syncs (H2.3.2, H7.1) in the legacy Firestore shapes: the shared behaviours of
//! `store_suite::employees`, then the documents and commits they made (U4.5, U4.6).

use crate::fake::FakeFirestore;
use crate::suite::fixture;
use crate::support::{at, body, firestore_requests, store};
use domain::ports::{Employee, EmployeeStore};
use serde_json::{Value, json};
use store_suite::{employee, employees};

#[tokio::test]
async fn employees_sync_upserts_and_deletes() {
    let db = fixture().await;
    employees::employees_sync_upserts_and_deletes(&db.store).await;
    let legacy = db.fake.doc("employees/4").unwrap();
    assert_eq!(legacy["id"], json!({"stringValue": "4"}));
    assert_eq!(legacy["company_email"], json!({"stringValue": "dee@x.com"}));
    assert_eq!(
        db.fake.doc("employees/1").unwrap()["account_email"],
        json!({"nullValue": null})
    );
}

#[tokio::test]
async fn an_empty_employee_sync_sends_nothing() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let t = at("2025-03-01T00:00:00Z");
    store
        .sync_employees(vec![employee("1", "Ann", None, None)], t)
        .await
        .unwrap();
    let before = firestore_requests(&fake).await.len();
    store.sync_employees(vec![], t).await.unwrap();
    assert_eq!(
        firestore_requests(&fake).await.len(),
        before,
        "not even a read"
    );
}

/// The writes of one commit request.
fn writes(commit: &Value) -> &Vec<Value> {
    commit["writes"].as_array().unwrap()
}

#[tokio::test]
async fn u4_6_employee_deletion_removes_its_leave_after_the_upserts() {
    let db = fixture().await;
    // Syncs employees 1 and 2, their leave a and b, then employee 1 alone.
    employees::employee_deletion_cascades_to_leave(&db.store).await;
    assert!(!db.fake.paths().iter().any(|p| p.starts_with("employees/2")));
    let commits: Vec<Value> = firestore_requests(&db.fake)
        .await
        .iter()
        .filter(|r| r.url.path().ends_with(":commit"))
        .map(body)
        .collect();
    // The last sync: upserts in one commit, then the deletions (leave before its employee) in a
    // later one; the commit before them is the leave sync's.
    let [leave_sync, upserts, deletions] = &commits[commits.len() - 3..] else {
        panic!("three commits: {commits:?}")
    };
    assert!(writes(leave_sync).iter().all(|w| {
        w["update"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("/leave_requests/"))
    }));
    assert!(writes(upserts).iter().all(|w| w.get("update").is_some()));
    let deletes: Vec<&str> = writes(deletions)
        .iter()
        .map(|w| w["delete"].as_str().unwrap())
        .collect();
    assert_eq!(deletes.len(), 2);
    assert!(deletes[0].ends_with("/documents/employees/2/leave_requests/b"));
    assert!(deletes[1].ends_with("/documents/employees/2"));
}

#[tokio::test]
async fn many_employees_go_out_in_commits_of_at_most_500() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let all: Vec<Employee> = (0..1_201)
        .map(|i| employee(&i.to_string(), "E", None, None))
        .collect();
    let got = store
        .sync_employees(all, at("2025-03-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(got.inserted, 1_201);
    let sizes: Vec<usize> = firestore_requests(&fake)
        .await
        .iter()
        .filter(|r| r.url.path().ends_with(":commit"))
        .map(|r| body(r)["writes"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [500, 500, 201]);
}
