//! Capacity overrides (H2.6, H7.4) through the fake: the SQL store's behaviours, plus the legacy
//! shapes of U4.5.

use crate::fake::FakeFirestore;
use crate::support::{at, d, store};
use domain::allocation::{CapacityOverride, ClientLimit};
use domain::ports::{OverrideStore, OverrideWriteError};
use serde_json::json;

fn over(email: &str, eff: &str, limit: u32) -> CapacityOverride {
    CapacityOverride {
        adviser_email: email.into(),
        effective_date: d(eff),
        client_limit_monthly: ClientLimit::new(limit).unwrap(),
        pod_type: Some("Solo Adviser".into()),
        notes: None,
    }
}

#[tokio::test]
async fn overrides_roundtrip() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let a = store
        .create_override(
            &over("ken@x.com", "2025-04-02", 10),
            at("2025-11-20T00:00:00.001Z"),
        )
        .await
        .unwrap();
    let b = store
        .create_override(
            &over("ken@x.com", "2025-02-01", 2),
            at("2025-11-20T00:00:00.002Z"),
        )
        .await
        .unwrap();
    let c = store
        .create_override(
            &over("ana@x.com", "2025-05-05", 7),
            at("2025-11-20T00:00:00.003Z"),
        )
        .await
        .unwrap();
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
    let stored = fake
        .doc(&format!("adviser_capacity_overrides/{}", a.id))
        .unwrap();
    assert_eq!(
        stored["client_limit_monthly"],
        json!({"integerValue": "10"})
    );
    assert_eq!(stored["notes"], json!({"nullValue": null}));
    assert_eq!(
        stored["effective_date"],
        json!({"stringValue": "2025-04-02"})
    );
}

#[tokio::test]
async fn overrides_duplicate_is_a_domain_error() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let now = at("2025-11-20T00:00:00Z");
    let first = store
        .create_override(&over("ken@x.com", "2025-04-02", 10), now)
        .await
        .unwrap();
    assert_eq!(
        store
            .create_override(&over(" KEN@x.com", "2025-04-02", 3), now)
            .await,
        Err(OverrideWriteError::DuplicateOverride)
    );
    let other = store
        .create_override(&over("ken@x.com", "2025-04-09", 3), now)
        .await
        .unwrap();
    assert_eq!(
        store
            .update_override(&other.id, &over("ken@x.com", "2025-04-02", 3), now)
            .await,
        Err(OverrideWriteError::DuplicateOverride)
    );
    // An override may keep its own pair.
    store
        .update_override(&other.id, &over("ken@x.com", "2025-04-09", 4), now)
        .await
        .unwrap()
        .unwrap();
    let limit = store.get_override(&first.id).await.unwrap().unwrap();
    assert_eq!(limit.value.client_limit_monthly.get(), 10);
    assert_eq!(store.list_overrides(None).await.unwrap().len(), 2);
}

#[tokio::test]
async fn overrides_update_and_delete() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let created = store
        .create_override(
            &over("ken@x.com", "2025-04-02", 10),
            at("2025-11-20T00:00:00Z"),
        )
        .await
        .unwrap();
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

#[tokio::test]
async fn u4_5_legacy_overrides_read_digit_strings_and_skip_malformed_ones() {
    let fake = FakeFirestore::start().await;
    fake.put(
        "adviser_capacity_overrides/old1",
        json!({
            "adviser_email": {"stringValue": "ken@x.com"},
            "effective_date": {"stringValue": "2024-07-01"},
            "client_limit_monthly": {"stringValue": "12"},
            "pod_type": {"stringValue": ""},
            "created_at": {"stringValue": "2024-06-30T10:00:00+10:00"},
        }),
    );
    fake.put(
        "adviser_capacity_overrides/zero",
        json!({
            "adviser_email": {"stringValue": "ana@x.com"},
            "effective_date": {"stringValue": "2024-07-01"},
            "client_limit_monthly": {"integerValue": "0"},
        }),
    );
    fake.put(
        "adviser_capacity_overrides/no_email",
        json!({"effective_date": {"stringValue": "2024-07-01"},
               "client_limit_monthly": {"integerValue": "3"}}),
    );
    let store = store(&fake);
    let all = store.list_overrides(None).await.unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].value.client_limit_monthly.get(), 12);
    assert_eq!(all[0].value.pod_type, None);
    assert_eq!(all[0].created_at, at("2024-06-30T00:00:00Z"));
    assert_eq!(store.overrides().await.unwrap().len(), 1);
}
