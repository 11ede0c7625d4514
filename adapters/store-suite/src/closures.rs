//! Office closures (H2.5, H7.3).

use crate::{at, d};
use domain::allocation::OfficeClosure;
use domain::ports::{ClosureStore, StoredClosure};

pub fn closure(start: &str, end: Option<&str>, description: &str) -> OfficeClosure {
    OfficeClosure {
        start_date: d(start),
        end_date: end.map(d),
        description: description.into(),
        tags: vec!["office".into(), "Public Holiday".into()],
    }
}

/// Create, read back and list; `id_ok` is the backend's id format (a UUID in SQL, a 20-character
/// auto-id in Firestore). Returns the closure created first (24 Dec to 2 Jan, at `now`).
pub async fn closures_roundtrip<S: ClosureStore>(
    store: &S,
    id_ok: fn(&str) -> bool,
) -> StoredClosure {
    let now = at("2025-11-20T01:02:03.456Z");
    let created = store
        .create_closure(
            &closure("2025-12-24", Some("2026-01-02"), "Summer shutdown"),
            now,
        )
        .await
        .unwrap();
    assert_eq!(created.created_at, now);
    assert!(id_ok(&created.id), "backend id format: {}", created.id);
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
        [single.id.as_str(), created.id.as_str()],
        "by start date"
    );
    assert_eq!(store.closures().await.unwrap().len(), 2);
    assert!(store.get_closure("no-such-id").await.unwrap().is_none());
    assert!(
        store.get_closure("a/b").await.unwrap().is_none(),
        "a path-like id is just unknown"
    );
    created
}

/// `list_closures(Some((from, to)))` keeps the closures overlapping the range, whatever order
/// they were created in.
pub async fn closures_overlap_filter<S: ClosureStore>(store: &S) {
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

/// An update keeps `created_at`, never creates (no upsert); a delete reports whether it deleted.
pub async fn closures_update_and_delete<S: ClosureStore>(store: &S) {
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
    assert!(store.get_closure("missing").await.unwrap().is_none());

    assert!(store.delete_closure(&created.id).await.unwrap());
    assert!(!store.delete_closure(&created.id).await.unwrap());
    assert!(store.list_closures(None).await.unwrap().is_empty());
}
