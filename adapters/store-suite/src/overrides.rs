//! Capacity overrides (H2.6, H7.4).

use crate::{at, d};
use chrono::{DateTime, Utc};
use domain::allocation::{CapacityOverride, ClientLimit};
use domain::ports::{OverrideStore, OverrideWriteError, StoredOverride};

pub fn over(email: &str, eff: &str, limit: u32) -> CapacityOverride {
    CapacityOverride {
        adviser_email: email.into(),
        effective_date: d(eff),
        client_limit_monthly: ClientLimit::new(limit).unwrap(),
        pod_type: Some("Solo Adviser".into()),
        notes: None,
    }
}

/// A create that must succeed.
async fn create<S: OverrideStore>(
    store: &S,
    value: &CapacityOverride,
    now: DateTime<Utc>,
) -> StoredOverride {
    store.create_override(value, now).await.unwrap()
}

/// Create, read back, list (by email, date, id; filtered by ekey) and the engine's input order.
/// Returns the first override created (ken@x.com from 2025-04-02, limit 10, no notes).
pub async fn overrides_roundtrip<S: OverrideStore>(store: &S) -> StoredOverride {
    let a = create(
        store,
        &over("ken@x.com", "2025-04-02", 10),
        at("2025-11-20T00:00:00.001Z"),
    )
    .await;
    let b = create(
        store,
        &over("ken@x.com", "2025-02-01", 2),
        at("2025-11-20T00:00:00.002Z"),
    )
    .await;
    let c = create(
        store,
        &over("ana@x.com", "2025-05-05", 7),
        at("2025-11-20T00:00:00.003Z"),
    )
    .await;
    assert_eq!(store.get_override(&a.id).await.unwrap().unwrap(), a);
    assert_eq!(a.value.pod_type.as_deref(), Some("Solo Adviser"));
    assert_eq!(a.value.notes, None);

    let listed: Vec<String> = store
        .list_overrides(None)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(
        listed,
        [c.id.clone(), b.id.clone(), a.id.clone()],
        "by email, date, id"
    );
    let kens = store
        .list_overrides(Some(" KEN@x.com".into()))
        .await
        .unwrap();
    assert_eq!(kens.len(), 2);

    let for_engine: Vec<u32> = store
        .overrides()
        .await
        .unwrap()
        .iter()
        .map(|o| o.client_limit_monthly.get())
        .collect();
    assert_eq!(for_engine, [10, 2, 7], "creation order (LM4 input order)");
    a
}

/// A second override for the same (adviser ekey, date) is refused on create and on update; an
/// override may keep its own pair; refused writes change nothing.
pub async fn overrides_duplicate_is_a_domain_error<S: OverrideStore>(store: &S) {
    let now = at("2025-11-20T00:00:00Z");
    let first = create(store, &over("ken@x.com", "2025-04-02", 10), now).await;
    assert_eq!(
        store
            .create_override(&over("ken@x.com", "2025-04-02", 3), now)
            .await,
        Err(OverrideWriteError::DuplicateOverride)
    );
    let other = create(store, &over("ken@x.com", "2025-04-09", 3), now).await;
    assert_eq!(
        store
            .update_override(&other.id, &over("ken@x.com", "2025-04-02", 3), now)
            .await,
        Err(OverrideWriteError::DuplicateOverride)
    );
    store
        .update_override(&other.id, &over("ken@x.com", "2025-04-09", 4), now)
        .await
        .unwrap()
        .expect("an override may keep its own pair");
    // Nothing was lost or changed by the refused writes.
    assert_eq!(
        store
            .get_override(&first.id)
            .await
            .unwrap()
            .unwrap()
            .value
            .client_limit_monthly
            .get(),
        10
    );
    assert_eq!(store.list_overrides(None).await.unwrap().len(), 2);
}

/// The unique pair is (ekey(adviser_email), effective_date): the same adviser written with other
/// case or spaces is a duplicate too. (The HTTP layer trims and lowercases before the store, H2.6;
/// this is the store's own guarantee.)
pub async fn overrides_duplicate_pair_is_keyed_by_ekey<S: OverrideStore>(store: &S) {
    let now = at("2025-11-20T00:00:00Z");
    create(store, &over("ken@x.com", "2025-04-02", 10), now).await;
    assert_eq!(
        store
            .create_override(&over(" KEN@x.com", "2025-04-02", 3), now)
            .await,
        Err(OverrideWriteError::DuplicateOverride),
        "the pair is keyed by the email's ekey"
    );
    assert_eq!(store.list_overrides(None).await.unwrap().len(), 1);
}

/// An update replaces the value and keeps `created_at`, never creates; a delete reports whether
/// it deleted.
pub async fn overrides_update_and_delete<S: OverrideStore>(store: &S) {
    let created = create(
        store,
        &over("ken@x.com", "2025-04-02", 10),
        at("2025-11-20T00:00:00Z"),
    )
    .await;
    let later = at("2025-11-21T00:00:00Z");
    let mut changed = over("ken@x.com", "2025-04-07", 4);
    changed.notes = Some("ramp-up".into());
    let updated = store
        .update_override(&created.id, &changed, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.value, changed);
    assert_eq!(
        (updated.created_at, updated.updated_at),
        (created.created_at, later)
    );
    assert_eq!(
        store.update_override("missing", &changed, later).await,
        Ok(None)
    );
    assert!(store.delete_override(&created.id).await.unwrap());
    assert!(!store.delete_override(&created.id).await.unwrap());
}
