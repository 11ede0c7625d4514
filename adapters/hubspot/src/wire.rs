//! The shapes HubSpot answers with (upstreams.md U1.4, U1.5, U1.8, U1.9): pages of CRM objects
//! with `paging.next.after`, and owners. Only what the adapter reads is declared; a missing
//! `results` or object `id` makes the answer unusable (`InvalidResponse`).

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::HashMap;

/// One page of a listing or a search.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    pub results: Vec<T>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

impl<T> Page<T> {
    /// The cursor of the next page; `None` when `paging` or `next` is absent (the last page).
    pub fn next_after(&self) -> Option<&str> {
        Some(self.paging.as_ref()?.next.as_ref()?.after.as_str())
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Paging {
    #[serde(default)]
    pub next: Option<Next>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Next {
    #[serde(deserialize_with = "text_or_number")]
    pub after: String,
}

/// A CRM object: its id and the requested properties (any may be absent or null).
#[derive(Debug, Deserialize)]
pub(crate) struct Record {
    #[serde(deserialize_with = "text_or_number")]
    pub id: String,
    #[serde(default)]
    properties: Option<HashMap<String, Value>>,
}

impl Record {
    /// A property's value; `None` when absent or null.
    pub fn prop(&self, name: &str) -> Option<&Value> {
        self.properties.as_ref()?.get(name).filter(|v| !v.is_null())
    }

    /// A property as the text HubSpot sent (numbers and booleans written out); `None` when absent,
    /// null, or not a scalar.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.prop(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// An id-like property: its text trimmed, `None` when empty.
    pub fn id_text(&self, name: &str) -> Option<String> {
        self.text(name)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }
}

/// An owner (U1.5): only its id and names are read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Owner {
    #[serde(deserialize_with = "text_or_number")]
    pub id: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

/// Ids and cursors are strings in HubSpot's v3 API; integers are accepted too.
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Id::deserialize(d)? {
        Id::Text(s) => s,
        Id::Number(n) => n.to_string(),
    })
}

/// First and last name joined by a space; `None` when both are empty.
pub(crate) fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_records_and_cursors() {
        let page: Page<Record> = serde_json::from_str(
            r#"{"results":[{"id":7,"properties":{"a":"x","b":null,"c":12,"d":true}}],
                "paging":{"next":{"after":"100","link":"…"}}}"#,
        )
        .unwrap();
        assert_eq!(page.next_after(), Some("100"));
        let r = &page.results[0];
        assert_eq!(r.id, "7");
        assert_eq!(r.text("a").as_deref(), Some("x"));
        assert_eq!(r.text("b"), None);
        assert_eq!(r.text("c").as_deref(), Some("12"));
        assert_eq!(r.text("d").as_deref(), Some("true"));
        assert_eq!(r.text("missing"), None);
        let last: Page<Record> = serde_json::from_str(r#"{"results":[],"paging":{}}"#).unwrap();
        assert_eq!(last.next_after(), None);
        assert!(serde_json::from_str::<Page<Record>>(r#"{"paging":{}}"#).is_err());
        assert!(
            serde_json::from_str::<Page<Record>>(r#"{"results":[{"properties":{}}]}"#).is_err()
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            full_name(Some(" Alice "), Some("Anders")).as_deref(),
            Some("Alice Anders")
        );
        assert_eq!(full_name(None, Some("Anders")).as_deref(), Some("Anders"));
        assert_eq!(full_name(Some(" "), None), None);
    }
}
