//! U4.5 value encoding, both ways: any value survives a trip to Firestore JSON and back, and
//! domain values survive a trip through the fake (which checks the encoding it receives).

use crate::fake::FakeFirestore;
use crate::support::{at, d, store};
use domain::allocation::{CapacityOverride, ClientLimit, OfficeClosure};
use domain::ports::{ClosureStore, OverrideStore};
use firestore_store::value::{Fields, Value, fields_from_json, fields_to_json};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(Value::Integer),
        (-1e12f64..1e12).prop_map(Value::Double),
        "[ -~]{0,12}".prop_map(Value::String),
        (0i64..4_000_000_000).prop_map(|s| {
            Value::Timestamp(
                chrono::DateTime::from_timestamp(s, 0)
                    .unwrap()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
        }),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4).prop_map(Value::Map),
        ]
    })
}

proptest! {
    #[test]
    fn u4_5_every_value_round_trips(v in value()) {
        let wire = v.to_json();
        prop_assert_eq!(Value::from_json(&wire), Some(v.clone()));
        // Integers travel as decimal strings.
        if let Value::Integer(i) = v {
            prop_assert_eq!(wire["integerValue"].as_str().map(str::to_owned), Some(i.to_string()));
        }
    }

    #[test]
    fn u4_5_documents_round_trip(fields in prop::collection::btree_map("[a-z_]{1,8}", value(), 0..6)) {
        let fields: Fields = fields;
        prop_assert_eq!(fields_from_json(&fields_to_json(&fields)), Some(fields));
    }
}

#[tokio::test]
async fn domain_values_round_trip_through_the_fake() {
    let fake = FakeFirestore::start().await;
    let store = store(&fake);
    let now = at("2025-11-20T01:02:03.123456789Z");
    let closure = OfficeClosure {
        start_date: d("2026-01-26"),
        end_date: Some(d("2026-01-27")),
        description: "Australia Day — \"long\" weekend\n".into(),
        tags: vec!["ünïcode".into(), "a,b".into(), String::new()],
    };
    let created = store.create_closure(&closure, now).await.unwrap();
    let got = store.get_closure(&created.id).await.unwrap().unwrap();
    assert_eq!(got.closure, closure);
    assert_eq!(got.created_at, now, "nanoseconds survive");
    let value = CapacityOverride {
        adviser_email: "Ken.O'Neil@x.com".into(),
        effective_date: d("2025-02-28"),
        client_limit_monthly: ClientLimit::new(u32::MAX).unwrap(),
        pod_type: None,
        notes: Some("a\tb".into()),
    };
    let created = store.create_override(&value, now).await.unwrap();
    let got = store.get_override(&created.id).await.unwrap().unwrap();
    assert_eq!(got.value, value);
}
