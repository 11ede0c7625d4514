//! Capacity overrides (H2.6, H7.4).

use crate::harness::TestDb;
use chrono::{DateTime, NaiveDate, Utc};
use domain::allocation::{CapacityOverride, ClientLimit};
use domain::ports::{OverrideStore, OverrideWriteError};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn over(email: &str, eff: &str, limit: u32) -> CapacityOverride {
    CapacityOverride {
        adviser_email: email.into(),
        effective_date: eff.parse::<NaiveDate>().unwrap(),
        client_limit_monthly: ClientLimit::new(limit).unwrap(),
        pod_type: Some("Solo Adviser".into()),
        notes: None,
    }
}

async fn overrides_roundtrip(db: &TestDb) {
    let store = &db.store;
    let t1 = at("2025-11-20T00:00:00.001Z");
    let a = store
        .create_override(&over("ken@x.com", "2025-04-02", 10), t1)
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
}

async fn overrides_duplicate_is_a_domain_error(db: &TestDb) {
    let store = &db.store;
    let now = at("2025-11-20T00:00:00Z");
    let first = store
        .create_override(&over("ken@x.com", "2025-04-02", 10), now)
        .await
        .unwrap();
    assert_eq!(
        store
            .create_override(&over("ken@x.com", "2025-04-02", 3), now)
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

async fn overrides_update_and_delete(db: &TestDb) {
    let store = &db.store;
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

crate::on_both_backends!(
    overrides_roundtrip,
    overrides_duplicate_is_a_domain_error,
    overrides_update_and_delete
);
