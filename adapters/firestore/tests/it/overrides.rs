//! Capacity overrides (H2.6, H7.4) in the legacy Firestore shapes (U4.5): the shared round trip
//! of `store_suite::overrides`, then what it wrote; and legacy documents read tolerantly.

use crate::fake::FakeFirestore;
use crate::suite::fixture;
use crate::support::{at, store};
use domain::ports::OverrideStore;
use serde_json::json;

#[tokio::test]
async fn overrides_roundtrip() {
    let db = fixture().await;
    let a = store_suite::overrides::overrides_roundtrip(&db.store).await;
    let stored = db
        .fake
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
