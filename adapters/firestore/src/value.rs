//! Firestore's typed JSON values (upstreams.md U4.5), both ways: `{"stringValue": "…"}`,
//! `{"integerValue": "7"}` (a decimal string), `{"doubleValue": 1.5}`, `{"booleanValue": true}`,
//! `{"nullValue": null}`, `{"timestampValue": "…Z"}`, `{"arrayValue": {"values": […]}}` (an empty
//! array may omit `values`) and `{"mapValue": {"fields": {…}}}`.

use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;

/// The fields of one document, by name.
pub type Fields = BTreeMap<String, Value>;

/// One Firestore value. Kinds the legacy collections never hold (bytes, references, geo points)
/// are kept as [`Value::Other`] so a read never fails on them.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Integer(i64),
    Double(f64),
    Timestamp(String),
    String(String),
    Array(Vec<Value>),
    Map(Fields),
    Other(Json),
}

impl Value {
    /// The Firestore JSON of this value.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => json!({"nullValue": null}),
            Value::Boolean(b) => json!({"booleanValue": b}),
            // Firestore's JSON carries 64-bit integers as decimal strings.
            Value::Integer(i) => json!({"integerValue": i.to_string()}),
            Value::Double(d) => json!({"doubleValue": d}),
            Value::Timestamp(t) => json!({"timestampValue": t}),
            Value::String(s) => json!({"stringValue": s}),
            Value::Array(values) => json!({"arrayValue": {
                "values": values.iter().map(Value::to_json).collect::<Vec<_>>()
            }}),
            Value::Map(fields) => json!({"mapValue": {"fields": fields_to_json(fields)}}),
            Value::Other(raw) => raw.clone(),
        }
    }

    /// Reads a Firestore JSON value; `None` when it is not one (not an object with one known
    /// kind). Integers are accepted as strings or numbers, doubles also as `"NaN"`-style strings.
    pub fn from_json(json: &Json) -> Option<Value> {
        let object = json.as_object()?;
        let (kind, inner) = object.iter().next()?;
        Some(match kind.as_str() {
            "nullValue" => Value::Null,
            "booleanValue" => Value::Boolean(inner.as_bool()?),
            "integerValue" => Value::Integer(match inner {
                Json::String(s) => s.trim().parse().ok()?,
                other => other.as_i64()?,
            }),
            "doubleValue" => Value::Double(match inner {
                Json::String(s) => s.trim().parse().ok()?,
                other => other.as_f64()?,
            }),
            "timestampValue" => Value::Timestamp(inner.as_str()?.to_owned()),
            "stringValue" => Value::String(inner.as_str()?.to_owned()),
            "arrayValue" => Value::Array(match inner.get("values") {
                None | Some(Json::Null) => Vec::new(),
                Some(values) => values
                    .as_array()?
                    .iter()
                    .map(Value::from_json)
                    .collect::<Option<_>>()?,
            }),
            "mapValue" => Value::Map(match inner.get("fields") {
                None | Some(Json::Null) => Fields::new(),
                Some(fields) => fields_from_json(fields)?,
            }),
            "bytesValue" | "referenceValue" | "geoPointValue" => Value::Other(json.clone()),
            _ => return None,
        })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Timestamp(s) => Some(s),
            _ => None,
        }
    }
}

/// A document's `fields` as Firestore JSON.
pub fn fields_to_json(fields: &Fields) -> Json {
    Json::Object(
        fields
            .iter()
            .map(|(name, value)| (name.clone(), value.to_json()))
            .collect::<Map<_, _>>(),
    )
}

/// A `fields` object; `None` when it is not an object. A field whose value cannot be read is
/// left out (reads are tolerant, U4.5), so one odd field never hides the whole document.
pub fn fields_from_json(json: &Json) -> Option<Fields> {
    Some(
        json.as_object()?
            .iter()
            .filter_map(|(name, value)| Some((name.clone(), Value::from_json(value)?)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u4_5_each_kind_has_its_wire_shape() {
        let table = [
            (Value::String("a".into()), json!({"stringValue": "a"})),
            (Value::Integer(7), json!({"integerValue": "7"})),
            (Value::Integer(-12), json!({"integerValue": "-12"})),
            (Value::Double(1.5), json!({"doubleValue": 1.5})),
            (Value::Boolean(true), json!({"booleanValue": true})),
            (Value::Null, json!({"nullValue": null})),
            (
                Value::Timestamp("2025-01-02T03:04:05Z".into()),
                json!({"timestampValue": "2025-01-02T03:04:05Z"}),
            ),
            (
                Value::Array(vec![Value::String("x".into())]),
                json!({"arrayValue": {"values": [{"stringValue": "x"}]}}),
            ),
            (
                Value::Map(Fields::from([("k".into(), Value::Integer(1))])),
                json!({"mapValue": {"fields": {"k": {"integerValue": "1"}}}}),
            ),
        ];
        for (value, wire) in table {
            assert_eq!(value.to_json(), wire, "{value:?}");
            assert_eq!(Value::from_json(&wire), Some(value));
        }
    }

    #[test]
    fn u4_5_tolerant_reads() {
        assert_eq!(
            Value::from_json(&json!({"arrayValue": {}})),
            Some(Value::Array(vec![]))
        );
        assert_eq!(
            Value::from_json(&json!({"mapValue": {}})),
            Some(Value::Map(Fields::new()))
        );
        assert_eq!(
            Value::from_json(&json!({"integerValue": 3})),
            Some(Value::Integer(3))
        );
        assert_eq!(Value::from_json(&json!({"integerValue": "x"})), None);
        assert_eq!(Value::from_json(&json!({"oddValue": 1})), None);
        assert_eq!(Value::from_json(&json!("plain")), None);
        let fields = fields_from_json(&json!({
            "a": {"stringValue": "ok"}, "b": {"integerValue": "not a number"}
        }))
        .unwrap();
        assert_eq!(fields.len(), 1, "the unreadable field is left out");
    }
}
