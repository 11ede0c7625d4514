//! Office closures (H2.5, H7.3) through the fake: the SQL store's behaviours, plus the legacy
//! shapes of U4.5.

use crate::fake::FakeFirestore;
use crate::support::{at, d, store};
use domain::allocation::OfficeClosure;
use domain::ports::{ClosureStore, StoredClosure};
use serde_json::json;

fn closure(start: &str, end: Option<&str>, description: &str) -> OfficeClosure {
    OfficeClosure {
        start_date: d(start),
        end_date: end.map(d),
        description: description.into(),
        tags: vec!["office".into(), "Public Holiday".into()],
    }
}

#[tokio::test]
async fn closures_roundtrip() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let now = at("2025-11-20T01:02:03.456Z");
    let created = store
        .create_closure(
            &closure("2025-12-24", Some("2026-01-02"), "Summer shutdown"),
            now,
        )
        .await
        .unwrap();
    assert_eq!(created.created_at, now);
    assert_eq!(created.id.len(), 20);
    assert!(created.id.chars().all(|c| c.is_ascii_alphanumeric()));
    let single = store
        .create_closure(&closure("2025-12-03", None, "Team day"), now)
        .await
        .unwrap();
    assert_eq!(
        single.closure.end_date,
        Some(d("2025-12-03")),
        "no end date = one day"
    );
    let got = store.get_closure(&created.id).await.unwrap().unwrap();
    assert_eq!(got, created);
    assert_eq!(got.closure.tags, ["office", "Public Holiday"]);
    let all = store.list_closures(None).await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [single.id.as_str(), created.id.as_str()]
    );
    assert_eq!(store.closures().await.unwrap().len(), 2);
    assert!(store.get_closure("no-such-id").await.unwrap().is_none());
    assert!(store.get_closure("a/b").await.unwrap().is_none());
    // The legacy shape (U4.5), as written.
    assert_eq!(
        fake.doc(&format!("office_closures/{}", created.id))
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
async fn closures_overlap_filter() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let now = at("2025-11-20T00:00:00Z");
    for (start, end) in [
        ("2025-12-24", "2026-01-02"),
        ("2025-12-01", "2025-12-05"),
        ("2026-01-26", "2026-01-26"),
    ] {
        store
            .create_closure(&closure(start, Some(end), ""), now)
            .await
            .unwrap();
    }
    let starts = |list: Vec<StoredClosure>| {
        list.into_iter()
            .map(|c| c.closure.start_date.to_string())
            .collect::<Vec<_>>()
    };
    let hit = store
        .list_closures(Some((d("2025-12-05"), d("2025-12-24"))))
        .await
        .unwrap();
    assert_eq!(starts(hit), ["2025-12-01", "2025-12-24"]);
    let none = store
        .list_closures(Some((d("2026-01-03"), d("2026-01-25"))))
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn closures_update_and_delete() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let created = store
        .create_closure(
            &closure("2025-12-03", None, "Team day"),
            at("2025-11-20T00:00:00Z"),
        )
        .await
        .unwrap();
    let later = at("2025-11-21T09:00:00Z");
    let updated = store
        .update_closure(
            &created.id,
            &closure("2025-12-04", Some("2025-12-05"), "Moved"),
            later,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.closure.start_date, d("2025-12-04"));
    assert_eq!(updated.closure.description, "Moved");
    assert_eq!(
        (updated.created_at, updated.updated_at),
        (created.created_at, later)
    );
    assert!(
        store
            .update_closure("missing", &closure("2025-12-04", None, ""), later)
            .await
            .unwrap()
            .is_none(),
        "no upsert"
    );
    assert!(!fake.paths().contains(&"office_closures/missing".to_owned()));
    assert!(store.delete_closure(&created.id).await.unwrap());
    assert!(!store.delete_closure(&created.id).await.unwrap());
    assert!(store.list_closures(None).await.unwrap().is_empty());
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
