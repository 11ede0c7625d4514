//! Employee syncs and lookups (H2.3.2, H2.4, H7.1) through the fake, as the SQL store's tests
//! tell them, plus the order of the commits (U4.6).

use crate::fake::FakeFirestore;
use crate::support::{at, body, d, firestore_requests, store};
use domain::ports::{Employee, EmployeeStore, LeaveFilter, LeaveRequest, SyncSummary};
use firestore_store::FirestoreStore;
use serde_json::json;

pub fn employee(id: &str, name: &str, company: Option<&str>, account: Option<&str>) -> Employee {
    Employee {
        employee_id: id.into(),
        name: name.into(),
        company_email: company.map(Into::into),
        account_email: account.map(Into::into),
    }
}

pub fn leave(id: &str, employee_id: &str, start: &str, end: &str) -> LeaveRequest {
    LeaveRequest {
        leave_request_id: id.into(),
        employee_id: employee_id.into(),
        start_date: d(start),
        end_date: d(end),
        status: "Approved".into(),
        leave_category: Some("Annual Leave".into()),
    }
}

pub fn summary(inserted: usize, updated: usize, unchanged: usize, deleted: usize) -> SyncSummary {
    SyncSummary {
        inserted,
        updated,
        unchanged,
        deleted,
        skipped_unknown_employee: 0,
    }
}

pub async fn employee_ids(store: &FirestoreStore) -> Vec<String> {
    let mut ids: Vec<String> = store
        .list_employees()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.employee.employee_id)
        .collect();
    ids.sort();
    ids
}

pub async fn leave_ids(store: &FirestoreStore, filter: LeaveFilter) -> Vec<String> {
    store
        .list_leave(filter)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.request.leave_request_id)
        .collect()
}

#[tokio::test]
async fn employees_sync_upserts_and_deletes() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let (t1, t2) = (at("2025-03-01T00:00:00Z"), at("2025-03-02T00:00:00.250Z"));
    let first = vec![
        employee("1", "Ann", Some("ann@x.com"), None),
        employee("2", "Bob", None, Some("bob@x.com")),
        employee("3", "Cy", None, None),
    ];
    assert_eq!(
        store.sync_employees(first, t1).await.unwrap(),
        summary(3, 0, 0, 0)
    );
    let second = vec![
        employee("1", "Ann", Some("ann@x.com"), None),
        employee("2", "Bob Brown", None, Some("bob@x.com")),
        employee("4", "Dee", Some("dee@x.com"), Some("d@x.com")),
    ];
    let got = store.sync_employees(second, t2).await.unwrap();
    assert_eq!(got, summary(1, 1, 1, 1));
    assert_eq!(employee_ids(&store).await, ["1", "2", "4"]);
    assert!(store.get_employee("3").await.unwrap().is_none());
    let bob = store.get_employee("2").await.unwrap().unwrap();
    assert_eq!(bob.employee.name, "Bob Brown");
    for e in store.list_employees().await.unwrap() {
        assert_eq!(
            e.synced_at, t2,
            "every listed employee is confirmed by the sync"
        );
    }
    assert_eq!(
        store.get_employee("4").await.unwrap().unwrap().employee,
        employee("4", "Dee", Some("dee@x.com"), Some("d@x.com"))
    );
    let legacy = fake.doc("employees/4").unwrap();
    assert_eq!(legacy["id"], json!({"stringValue": "4"}));
    assert_eq!(legacy["company_email"], json!({"stringValue": "dee@x.com"}));
    assert_eq!(
        fake.doc("employees/1").unwrap()["account_email"],
        json!({"nullValue": null})
    );
}

#[tokio::test]
async fn employees_empty_sync_deletes_nothing() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let t = at("2025-03-01T00:00:00Z");
    store
        .sync_employees(vec![employee("1", "Ann", None, None)], t)
        .await
        .unwrap();
    let before = firestore_requests(&fake).await.len();
    assert_eq!(
        store.sync_employees(vec![], t).await.unwrap(),
        SyncSummary::default()
    );
    assert_eq!(
        firestore_requests(&fake).await.len(),
        before,
        "not even a read"
    );
    assert_eq!(employee_ids(&store).await, ["1"]);
}

#[tokio::test]
async fn employees_repeated_id_last_wins() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let got = store
        .sync_employees(
            vec![
                employee("1", "Old", None, None),
                employee("1", "New", None, None),
            ],
            at("2025-03-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(got, summary(1, 0, 0, 0));
    assert_eq!(
        store
            .get_employee("1")
            .await
            .unwrap()
            .unwrap()
            .employee
            .name,
        "New"
    );
}

#[tokio::test]
async fn u4_6_employee_deletion_removes_its_leave_after_the_upserts() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let t = at("2025-03-01T00:00:00Z");
    store
        .sync_employees(
            vec![
                employee("1", "Ann", None, None),
                employee("2", "Bob", None, None),
            ],
            t,
        )
        .await
        .unwrap();
    store
        .sync_leave(
            vec![
                leave("a", "1", "2025-03-03", "2025-03-04"),
                leave("b", "2", "2025-03-05", "2025-03-05"),
            ],
            t,
        )
        .await
        .unwrap();
    let before = firestore_requests(&fake).await.len();
    let got = store
        .sync_employees(vec![employee("1", "Ann", None, None)], t)
        .await
        .unwrap();
    assert_eq!(got.deleted, 1);
    assert_eq!(leave_ids(&store, LeaveFilter::default()).await, ["a"]);
    assert!(!fake.paths().iter().any(|p| p.starts_with("employees/2")));
    // Upserts in one commit, then the deletions (leave before its employee) in a later one.
    let commits: Vec<serde_json::Value> = firestore_requests(&fake).await[before..]
        .iter()
        .filter(|r| r.url.path().ends_with(":commit"))
        .map(body)
        .collect();
    assert_eq!(commits.len(), 2);
    assert!(
        commits[0]["writes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w.get("update").is_some())
    );
    let deletes: Vec<&str> = commits[1]["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["delete"].as_str().unwrap())
        .collect();
    assert_eq!(deletes.len(), 2);
    assert!(deletes[0].ends_with("/documents/employees/2/leave_requests/b"));
    assert!(deletes[1].ends_with("/documents/employees/2"));
}

#[tokio::test]
async fn employee_lookups() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    store
        .sync_employees(
            vec![
                employee("123", "bea", None, Some("shared@x.com")),
                employee("45", "Al", Some(" Shared@X.com "), None),
                employee("100", "Bea", Some("shared@x.com"), None),
                employee("7", "carl", Some(""), Some("Carl@X.com")),
                employee("8", "Al", Some("al@x.com"), None),
            ],
            at("2025-03-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let listed: Vec<String> = store
        .list_employees()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.employee.employee_id)
        .collect();
    assert_eq!(listed, ["8", "45", "100", "123", "7"]);
    let find = |email: &'static str| {
        let store = &store;
        async move {
            store
                .find_employee_by_email(email)
                .await
                .unwrap()
                .map(|e| e.employee.employee_id)
        }
    };
    assert_eq!(find("SHARED@x.com ").await.as_deref(), Some("45"));
    assert_eq!(find("carl@x.com").await.as_deref(), Some("7"));
    assert_eq!(find("nobody@x.com").await, None);
    assert_eq!(find("  ").await, None);
    assert!(store.get_employee("nope").await.unwrap().is_none());
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
