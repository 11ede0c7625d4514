//! The fake's document operations (U6.5): patch with `updateMask` and `currentDocument`, atomic
//! commit, and runQuery over a collection or all its descendants with `orderBy`.

use crate::fake::{Doc, NAME_ROOT, State, error};
use serde_json::{Map, Value, json};
use wiremock::{Request, ResponseTemplate};

pub fn document(path: &str, doc: &Doc) -> Value {
    json!({"name": format!("{NAME_ROOT}/{path}"), "fields": doc.fields,
           "createTime": doc.create_time, "updateTime": doc.update_time})
}

/// Whether a value has exactly the U4.5 encoding (so the tests catch a wrong one).
pub fn well_formed(value: &Value) -> bool {
    let Some(object) = value.as_object().filter(|o| o.len() == 1) else {
        return false;
    };
    let (kind, inner) = object.iter().next().unwrap();
    match kind.as_str() {
        "stringValue" | "timestampValue" => inner.is_string(),
        "integerValue" => inner.as_str().is_some_and(|s| s.parse::<i64>().is_ok()),
        "doubleValue" => inner.is_number(),
        "booleanValue" => inner.is_boolean(),
        "nullValue" => inner.is_null(),
        "arrayValue" => inner
            .get("values")
            .is_none_or(|v| v.as_array().is_some_and(|a| a.iter().all(well_formed))),
        "mapValue" => inner
            .get("fields")
            .is_none_or(|f| f.as_object().is_some_and(|m| m.values().all(well_formed))),
        _ => false,
    }
}

/// Sort key of a value for `orderBy`: type rank, then number or text.
fn order_key(value: &Value) -> (u8, f64, String) {
    let (kind, inner) = value.as_object().and_then(|o| o.iter().next()).unwrap();
    match kind.as_str() {
        "nullValue" => (0, 0.0, String::new()),
        "booleanValue" => (
            1,
            f64::from(u8::from(inner.as_bool().unwrap())),
            String::new(),
        ),
        "integerValue" => (2, inner.as_str().unwrap().parse().unwrap(), String::new()),
        "doubleValue" => (2, inner.as_f64().unwrap(), String::new()),
        "timestampValue" => (3, 0.0, inner.as_str().unwrap().to_owned()),
        "stringValue" => (4, 0.0, inner.as_str().unwrap().to_owned()),
        _ => (9, 0.0, inner.to_string()),
    }
}

/// Applies one masked update to a copy of the fields: masked fields absent from `new` go.
fn merged(
    old: Option<&Doc>,
    new: &Map<String, Value>,
    mask: Option<&[String]>,
) -> Map<String, Value> {
    let Some(mask) = mask else {
        return new.clone();
    };
    let mut fields = old.map(|d| d.fields.clone()).unwrap_or_default();
    for field in mask {
        match new.get(field) {
            Some(v) => fields.insert(field.clone(), v.clone()),
            None => fields.remove(field),
        };
    }
    fields
}

/// A `currentDocument` precondition against the current document, as Firestore answers it.
fn precondition(
    current: Option<&Doc>,
    exists: Option<bool>,
    update_time: Option<&str>,
) -> Option<ResponseTemplate> {
    match (exists, current) {
        (Some(false), Some(_)) => {
            return Some(error(409, "ALREADY_EXISTS", "Document already exists"));
        }
        (Some(true), None) => return Some(error(404, "NOT_FOUND", "No document to update")),
        _ => {}
    }
    if let Some(t) = update_time
        && current.map(|d| d.update_time.as_str()) != Some(t)
    {
        return Some(error(
            400,
            "FAILED_PRECONDITION",
            "the stored version does not match",
        ));
    }
    None
}

pub fn patch(state: &mut State, path: &str, request: &Request, body: &Value) -> ResponseTemplate {
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let mask: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == "updateMask.fieldPaths")
        .map(|(_, v)| v.clone())
        .collect();
    let exists = query
        .iter()
        .find(|(k, _)| k == "currentDocument.exists")
        .map(|(_, v)| v == "true");
    let update_time = query
        .iter()
        .find(|(k, _)| k == "currentDocument.updateTime")
        .map(|(_, v)| v.as_str());
    let fields = body["fields"].as_object().cloned().unwrap_or_default();
    if !fields.values().all(well_formed) {
        return error(400, "INVALID_ARGUMENT", "bad value encoding");
    }
    if let Some(refused) = precondition(state.docs.get(path), exists, update_time) {
        return refused;
    }
    let fields = merged(
        state.docs.get(path),
        &fields,
        (!mask.is_empty()).then_some(&mask[..]),
    );
    let now = state.tick();
    let create_time = state
        .docs
        .get(path)
        .map_or(now.clone(), |d| d.create_time.clone());
    let doc = Doc {
        fields,
        create_time,
        update_time: now,
    };
    let answer = document(path, &doc);
    state.docs.insert(path.to_owned(), doc);
    ResponseTemplate::new(200).set_body_json(answer)
}

pub fn commit(state: &mut State, body: &Value) -> ResponseTemplate {
    let writes = body["writes"].as_array().cloned().unwrap_or_default();
    if writes.len() > 500 {
        return error(
            400,
            "INVALID_ARGUMENT",
            "maximum 500 writes allowed per request",
        );
    }
    // Atomic: every write applies to a copy, which replaces the state only if all succeed.
    let mut docs = state.docs.clone();
    let now = state.tick();
    let relative = |name: &str| name.strip_prefix(NAME_ROOT).map(|p| p[1..].to_owned());
    for write in &writes {
        let pre = &write["currentDocument"];
        let (exists, time) = (pre["exists"].as_bool(), pre["updateTime"].as_str());
        if let Some(name) = write["delete"].as_str() {
            let Some(path) = relative(name) else {
                return error(400, "INVALID_ARGUMENT", "bad name");
            };
            if let Some(refused) = precondition(docs.get(&path), exists, time) {
                return refused;
            }
            docs.remove(&path);
            continue;
        }
        let update = &write["update"];
        let Some(path) = update["name"].as_str().and_then(relative) else {
            return error(400, "INVALID_ARGUMENT", "bad write");
        };
        let fields = update["fields"].as_object().cloned().unwrap_or_default();
        if !fields.values().all(well_formed) {
            return error(400, "INVALID_ARGUMENT", "bad value encoding");
        }
        if let Some(refused) = precondition(docs.get(&path), exists, time) {
            return refused;
        }
        let mask: Option<Vec<String>> = write["updateMask"]["fieldPaths"].as_array().map(|m| {
            m.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        });
        let fields = merged(docs.get(&path), &fields, mask.as_deref());
        let create_time = docs
            .get(&path)
            .map_or(now.clone(), |d| d.create_time.clone());
        docs.insert(
            path,
            Doc {
                fields,
                create_time,
                update_time: now.clone(),
            },
        );
    }
    state.docs = docs;
    let results: Vec<Value> = writes.iter().map(|_| json!({"updateTime": now})).collect();
    ResponseTemplate::new(200).set_body_json(json!({"writeResults": results, "commitTime": now}))
}

pub fn run_query(state: &State, body: &Value) -> ResponseTemplate {
    let query = &body["structuredQuery"];
    let from = &query["from"][0];
    let Some(collection) = from["collectionId"].as_str() else {
        return error(400, "INVALID_ARGUMENT", "from.collectionId is required");
    };
    let all = from["allDescendants"].as_bool().unwrap_or(false);
    let order: Vec<String> = query["orderBy"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter_map(|f| f["field"]["fieldPath"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut hits: Vec<(&String, &Doc)> = state
        .docs
        .iter()
        .filter(|(path, _)| {
            let parts: Vec<&str> = path.split('/').collect();
            let in_collection = parts.len() >= 2 && parts[parts.len() - 2] == collection;
            in_collection && (all || parts.len() == 2)
        })
        // Firestore leaves out documents without the ordered fields.
        .filter(|(_, d)| order.iter().all(|f| d.fields.contains_key(f)))
        .collect();
    hits.sort_by(|a, b| {
        for f in &order {
            let (ka, kb) = (order_key(&a.1.fields[f]), order_key(&b.1.fields[f]));
            let c = ka.partial_cmp(&kb).unwrap();
            if c.is_ne() {
                return c;
            }
        }
        a.0.cmp(b.0)
    });
    let read_time = "2025-01-01T00:00:00Z";
    let mut items: Vec<Value> = hits
        .into_iter()
        .map(|(path, doc)| json!({"document": document(path, doc), "readTime": read_time}))
        .collect();
    if items.is_empty() {
        items.push(json!({"readTime": read_time}));
    }
    ResponseTemplate::new(200).set_body_json(items)
}
