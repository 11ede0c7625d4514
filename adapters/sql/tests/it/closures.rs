//! Office closures (H2.5, H7.3).

use crate::harness::TestDb;
use chrono::{DateTime, NaiveDate, Utc};
use domain::allocation::OfficeClosure;
use domain::ports::ClosureStore;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn closure(start: &str, end: Option<&str>, description: &str) -> OfficeClosure {
    OfficeClosure {
        start_date: d(start),
        end_date: end.map(d),
        description: description.into(),
        tags: vec!["office".into(), "Public Holiday".into()],
    }
}

async fn closures_roundtrip(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-11-20T01:02:03.456Z");
    let created = store
        .create_closure(
            &closure("2025-12-24", Some("2026-01-02"), "Summer shutdown"),
            now,
        )
        .await
        .unwrap();
    assert_eq!(created.created_at, now);
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
}

async fn closures_overlap_filter(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-11-20T00:00:00Z");
    for (start, end) in [
        ("2025-12-01", "2025-12-05"),
        ("2025-12-24", "2026-01-02"),
        ("2026-01-26", "2026-01-26"),
    ] {
        store
            .create_closure(&closure(start, Some(end), ""), now)
            .await
            .unwrap();
    }
    let starts = |list: Vec<domain::ports::StoredClosure>| {
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

async fn closures_update_and_delete(db: &TestDb) {
    let store = &db.store;
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

    assert!(store.delete_closure(&created.id).await.unwrap());
    assert!(!store.delete_closure(&created.id).await.unwrap());
    assert!(store.list_closures(None).await.unwrap().is_empty());
}

crate::on_both_backends!(
    closures_roundtrip,
    closures_overlap_filter,
    closures_update_and_delete
);
