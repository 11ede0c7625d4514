//! Leave (H2.3.3, H7.2) in the legacy Firestore shapes (U4.5): a request lives under its
//! employee, and legacy documents are read tolerantly. The shared leave behaviours run in `suite`.

use crate::fake::FakeFirestore;
use crate::support::{at, d, store};
use domain::ports::{EmployeeStore, LeaveFilter};
use serde_json::json;
use store_suite::{ann_and_bob, leave, sync_employees, sync_leave};

#[tokio::test]
async fn a_moved_leave_request_is_rewritten_under_its_new_employee() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let t = at("2025-03-01T00:00:00Z");
    sync_employees(&store, ann_and_bob(), t).await;
    sync_leave(&store, vec![leave("b", "1", "2025-03-10", "2025-03-10")], t).await;
    sync_leave(&store, vec![leave("b", "2", "2025-03-11", "2025-03-12")], t).await;
    assert!(
        !fake
            .paths()
            .contains(&"employees/1/leave_requests/b".to_owned()),
        "the moved request left its old employee"
    );
    let doc = fake.doc("employees/2/leave_requests/b").unwrap();
    assert_eq!(doc["leave_request_id"], json!({"stringValue": "b"}));
    assert_eq!(doc["employee_id"], json!({"stringValue": "2"}));
    assert_eq!(doc["start_date"], json!({"stringValue": "2025-03-11"}));
    assert_eq!(
        doc["leave_category"],
        json!({"stringValue": "Annual Leave"})
    );
}

#[tokio::test]
async fn u4_5_legacy_leave_with_timestamps_and_malformed_requests() {
    let fake = FakeFirestore::start().await;
    fake.put(
        "employees/5",
        json!({"id": {"stringValue": "5"}, "name": {"stringValue": "Eve"},
                                   "company_email": {"stringValue": "eve@x.com"}}),
    );
    fake.put(
        "employees/5/leave_requests/L1",
        json!({"start_date": {"timestampValue": "2025-06-02T00:00:00Z"},
               "end_date": {"stringValue": "2025-06-03T23:59:59+10:00"},
               "status": {"stringValue": "Approved"}}),
    );
    fake.put(
        "employees/5/leave_requests/L2",
        json!({"status": {"stringValue": "Approved"}}),
    );
    // A root-level collection of the same name belongs to no employee.
    fake.put(
        "leave_requests/L3",
        json!({"start_date": {"stringValue": "2025-06-02"},
               "end_date": {"stringValue": "2025-06-02"}}),
    );
    let store = store(&fake);
    let all = store.list_leave(LeaveFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].request.employee_id, "5");
    assert_eq!(all[0].request.end_date, d("2025-06-03"));
    assert_eq!(all[0].request.leave_category, None);
    assert_eq!(all[0].employee_email.as_deref(), Some("eve@x.com"));
    // A sync replaces the employees' leave and leaves the foreign collection alone.
    store
        .sync_leave(vec![], at("2025-06-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(fake.paths(), ["employees/5", "leave_requests/L3"]);
}
