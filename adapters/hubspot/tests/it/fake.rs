//! A fake of HubSpot's CRM listings and searches (upstreams.md U6.2): listings page with a
//! numeric `after` and `limit`; searches evaluate `EQ`, `IN`, `GT`, `GTE`, `LT`, `HAS_PROPERTY`
//! and `NOT_HAS_PROPERTY`, one sort, `limit` ≤ 200, and answer 400 when `after + limit > 10,000`.

use serde_json::{Value, json};
use std::collections::HashMap;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A stored CRM object: its numeric id and its properties (strings, or null).
#[derive(Clone, Debug)]
pub struct Object {
    pub id: u64,
    pub properties: Value,
}

pub fn object(id: u64, properties: Value) -> Object {
    Object { id, properties }
}

fn bad_request(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "status": "error", "message": message, "correlationId": "fake",
        "category": "VALIDATION_ERROR"
    }))
}

/// A listing (`GET`, `limit` and `after` in the query) of JSON results.
pub fn listing(results: Vec<Value>) -> impl Fn(&Request) -> ResponseTemplate {
    move |request: &Request| {
        let param = |k: &str| {
            request
                .url
                .query_pairs()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.into_owned())
        };
        let limit: usize = param("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
        let Some(after) = param("after").map_or(Some(0), |a| a.parse::<usize>().ok()) else {
            return bad_request("after must be numeric");
        };
        if limit > 100 {
            return bad_request("limit must be at most 100");
        }
        let end = (after + limit).min(results.len());
        let page = results.get(after.min(end)..end).unwrap_or_default();
        let mut answer = json!({ "results": page });
        if end < results.len() {
            answer["paging"] = json!({"next": {"after": end.to_string(), "link": "…"}});
        }
        ResponseTemplate::new(200).set_body_json(answer)
    }
}

/// A search over `objects`, evaluated as HubSpot would.
pub fn search(objects: Vec<Object>) -> impl Fn(&Request) -> ResponseTemplate {
    let objects: Vec<Indexed> = objects.into_iter().map(Indexed::new).collect();
    move |request: &Request| {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return bad_request("body is not JSON");
        };
        let limit = body["limit"].as_u64().unwrap_or(10) as usize;
        let after = match &body["after"] {
            Value::Null => 0,
            Value::String(a) => match a.parse::<usize>() {
                Ok(a) => a,
                Err(_) => return bad_request("after must be numeric"),
            },
            _ => return bad_request("after must be a string"),
        };
        if limit > 200 {
            return bad_request("limit must be at most 200");
        }
        if after + limit > 10_000 {
            return bad_request("paging past 10,000 results");
        }
        let groups: Vec<Vec<Filter>> = body["filterGroups"]
            .as_array()
            .map(|gs| {
                gs.iter()
                    .map(|g| {
                        let fs = g["filters"]
                            .as_array()
                            .map(Vec::as_slice)
                            .unwrap_or_default();
                        fs.iter().map(Filter::new).collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut found: Vec<&Indexed> = objects
            .iter()
            .filter(|o| groups.is_empty() || groups.iter().any(|g| g.iter().all(|f| f.matches(o))))
            .collect();
        if let Some(sort) = body["sorts"].get(0) {
            let property = sort["propertyName"].as_str().unwrap_or_default();
            found.sort_by_cached_key(|o| (o.key(property).clone(), o.object.id));
            if sort["direction"] == "DESCENDING" {
                found.reverse();
            }
        }
        let wanted: Vec<&str> = body["properties"]
            .as_array()
            .map(|p| p.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let end = (after + limit).min(found.len());
        let results: Vec<Value> = found
            .get(after.min(end)..end)
            .unwrap_or_default()
            .iter()
            .map(|Indexed { object: o, .. }| {
                let properties: serde_json::Map<String, Value> = wanted
                    .iter()
                    .map(|p| ((*p).to_owned(), o.properties[*p].clone()))
                    .collect();
                json!({"id": o.id.to_string(), "properties": properties,
                       "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z",
                       "archived": false})
            })
            .collect();
        let mut answer = json!({"total": found.len(), "results": results});
        if end < found.len() {
            answer["paging"] = json!({"next": {"after": end.to_string()}});
        }
        ResponseTemplate::new(200).set_body_json(answer)
    }
}

fn value_of(object: &Object, property: &str) -> Option<String> {
    if property == "hs_object_id" {
        return Some(object.id.to_string());
    }
    match &object.properties[property] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A property value as the fake orders it: absent first, then numbers and instants by value
/// (epoch ms), then other text lexically.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Absent,
    Number(i128),
    Text(String),
}

impl SortKey {
    fn of(value: Option<String>) -> SortKey {
        let Some(v) = value else {
            return SortKey::Absent;
        };
        v.parse::<i128>()
            .ok()
            .or_else(|| {
                chrono::DateTime::parse_from_rfc3339(&v)
                    .ok()
                    .map(|t| i128::from(t.timestamp_millis()))
            })
            .map_or(SortKey::Text(v), SortKey::Number)
    }
}

/// An object with the sort key of each of its properties, computed once.
struct Indexed {
    object: Object,
    keys: HashMap<String, SortKey>,
}

impl Indexed {
    fn new(object: Object) -> Indexed {
        let mut keys: HashMap<String, SortKey> = object
            .properties
            .as_object()
            .map(|p| {
                p.keys()
                    .map(|k| (k.clone(), SortKey::of(value_of(&object, k))))
                    .collect()
            })
            .unwrap_or_default();
        keys.insert(
            "hs_object_id".into(),
            SortKey::Number(i128::from(object.id)),
        );
        Indexed { object, keys }
    }

    fn key(&self, property: &str) -> &SortKey {
        self.keys.get(property).unwrap_or(&SortKey::Absent)
    }
}

/// A search filter, read once per request.
struct Filter {
    property: String,
    operator: String,
    value: SortKey,
    text: Option<String>,
    values: Vec<String>,
}

impl Filter {
    fn new(filter: &Value) -> Filter {
        let text = filter["value"].as_str().map(str::to_owned);
        Filter {
            property: filter["propertyName"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            operator: filter["operator"].as_str().unwrap_or_default().to_owned(),
            value: SortKey::of(text.clone()),
            text,
            values: filter["values"]
                .as_array()
                .map(|vs| {
                    vs.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn matches(&self, indexed: &Indexed) -> bool {
        let have = indexed.key(&self.property);
        let text = || value_of(&indexed.object, &self.property);
        let present = *have != SortKey::Absent;
        match self.operator.as_str() {
            "HAS_PROPERTY" => present,
            "NOT_HAS_PROPERTY" => !present,
            "EQ" => present && text() == self.text,
            "IN" => text().is_some_and(|h| self.values.contains(&h)),
            "GT" => present && *have > self.value,
            "GTE" => present && *have >= self.value,
            "LT" => present && *have < self.value,
            other => panic!("the fake does not know the operator {other}"),
        }
    }
}

/// Mounts the meetings and deals searches over these objects.
pub async fn mount_searches(server: &MockServer, meetings: Vec<Object>, deals: Vec<Object>) {
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/meetings/search"))
        .respond_with(search(meetings))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/deals/search"))
        .respond_with(search(deals))
        .mount(server)
        .await;
}

/// Mounts the users and owners listings.
pub async fn mount_listings(server: &MockServer, users: Vec<Value>, owners: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/users"))
        .respond_with(listing(users))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners"))
        .respond_with(listing(owners))
        .mount(server)
        .await;
}

/// A meeting: owner, start (as HubSpot would send it) and type.
pub fn meeting(id: u64, owner: &str, start: &str, kind: &str) -> Object {
    object(
        id,
        json!({"hubspot_owner_id": owner, "hs_meeting_start_time": start,
               "hs_activity_type": kind, "hs_meeting_title": format!("Meeting {id}"),
               "hs_meeting_outcome": "SCHEDULED"}),
    )
}

/// An open deal of the default pipeline and first stage without a Clarify.
pub fn deal(id: u64, advisor_email: &str, agreement_start_date: Value) -> Object {
    object(
        id,
        json!({"pipeline": "152417162", "dealstage": "257144337",
               "advisor_email": advisor_email, "agreement_start_date": agreement_start_date,
               "dealname": format!("Deal {id}"), "hubspot_owner_id": null,
               "most_recent_clarify_booked_date": null, "most_recent_clarify_call_date": null}),
    )
}

/// An ISO instant `minutes` after 2025-03-03T00:00:00Z, as HubSpot writes it.
pub fn at_minute(minutes: i64) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2025-03-03T00:00:00Z").unwrap();
    (base + chrono::Duration::minutes(minutes))
        .to_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
