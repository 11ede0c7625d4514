//! Office closures (H2.5, H7.3) in the legacy Firestore shapes (U4.5): the shared behaviours of
//! `store_suite::closures`, then what they wrote; and legacy documents read tolerantly.

use crate::fake::FakeFirestore;
use crate::suite::{fixture, is_auto_id};
use crate::support::{at, d, store};
use domain::ports::ClosureStore;
use serde_json::json;
use store_suite::closures;

#[tokio::test]
async fn closures_roundtrip() {
    let db = fixture().await;
    let created = closures::closures_roundtrip(&db.store, is_auto_id).await;
    // The legacy shape (U4.5), as written.
    assert_eq!(
        db.fake
            .doc(&format!("office_closures/{}", created.id))
            .unwrap(),
        *json!({
            "start_date": {"stringValue": "2025-12-24"},
            "end_date": {"stringValue": "2026-01-02"},
            "description": {"stringValue": "Summer shutdown"},
            "tags": {"arrayValue": {"values": [
                {"stringValue": "office"}, {"stringValue": "Public Holiday"}]}},
            "created_at": {"stringValue": "2025-11-20T01:02:03.456Z"},
            "updated_at": {"stringValue": "2025-11-20T01:02:03.456Z"},
        })
        .as_object()
        .unwrap()
    );
}

#[tokio::test]
async fn closures_update_and_delete() {
    let db = fixture().await;
    closures::closures_update_and_delete(&db.store).await;
    assert!(
        !db.fake
            .paths()
            .contains(&"office_closures/missing".to_owned()),
        "no upsert"
    );
}

#[tokio::test]
async fn u4_5_legacy_closures_are_read_tolerantly_and_malformed_ones_skipped() {
    let fake = FakeFirestore::start().await;
    fake.put(
        "office_closures/legacy1",
        json!({
            "start_date": {"stringValue": "2025-04-18"},
            "reason": {"stringValue": "Good Friday"},
            "tags": {"stringValue": "public holiday, office ,"},
            "created_at": {"stringValue": "2024-01-01T00:00:00Z"},
        }),
    );
    fake.put(
        "office_closures/legacy2",
        json!({
            "start_date": {"timestampValue": "2025-04-21T00:00:00Z"},
            "end_date": {"stringValue": "2025-04-22"},
            "description": {"stringValue": "Easter"},
            "reason": {"stringValue": "ignored"},
            "tags": {"arrayValue": {}},
        }),
    );
    fake.put(
        "office_closures/broken",
        json!({"end_date": {"stringValue": "2025-04-22"}}),
    );
    fake.put(
        "office_closures/bad_date",
        json!({"start_date": {"stringValue": "18/04/2025"}}),
    );
    let store = store(&fake);
    let all = store.list_closures(None).await.unwrap();
    assert_eq!(all.len(), 2, "malformed closures are skipped: {all:?}");
    let good_friday = &all[0];
    assert_eq!(good_friday.id, "legacy1");
    assert_eq!(good_friday.closure.end_date, Some(d("2025-04-18")));
    assert_eq!(good_friday.closure.description, "Good Friday");
    assert_eq!(good_friday.closure.tags, ["public holiday", "office"]);
    assert_eq!(good_friday.created_at, at("2024-01-01T00:00:00Z"));
    let easter = &all[1];
    assert_eq!(easter.closure.start_date, d("2025-04-21"));
    assert_eq!(easter.closure.description, "Easter");
    assert!(easter.closure.tags.is_empty());
    // An edit writes `description` and drops the legacy `reason`.
    store
        .update_closure("legacy1", &easter.closure, at("2025-05-01T00:00:00Z"))
        .await
        .unwrap()
        .unwrap();
    let stored = fake.doc("office_closures/legacy1").unwrap();
    assert!(!stored.contains_key("reason"));
    assert_eq!(
        stored["created_at"],
        json!({"stringValue": "2024-01-01T00:00:00Z"})
    );
}
