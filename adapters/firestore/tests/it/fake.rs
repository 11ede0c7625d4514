//! A minimal fake Firestore (upstreams.md U6.5) on a random local port: get, patch with
//! `updateMask` and `currentDocument`, runQuery (collection, `allDescendants`, `orderBy`) and
//! commit, over documents kept in the U4.5 value encoding; plus Google's token endpoint (which
//! verifies the RS256 assertion) and a metadata-server token endpoint. Faults are injected by
//! mounting higher-priority wiremock mocks in front of it.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

pub const PROJECT: &str = "test-project";
pub const ROOT: &str = "/v1/projects/test-project/databases/(default)/documents";
pub const NAME_ROOT: &str = "projects/test-project/databases/(default)/documents";
pub const CLIENT_EMAIL: &str = "allot@test-project.iam.gserviceaccount.com";
pub const KEY_ID: &str = "test-key-id-0001";
pub const PUBLIC_KEY: &str = include_str!("test-only-key.pub.pem");

#[derive(Clone, Debug)]
pub struct Doc {
    pub fields: Map<String, Value>,
    pub create_time: String,
    pub update_time: String,
}

#[derive(Default)]
pub struct State {
    /// Documents by path below the root (`office_closures/abc`, `employees/1/leave_requests/2`).
    pub docs: BTreeMap<String, Doc>,
    pub valid_tokens: HashSet<String>,
    pub tokens_issued: usize,
    /// `expires_in` of issued tokens.
    pub expires_in: u64,
    /// Accept the emulator's `Bearer owner`.
    pub accept_owner: bool,
    clock: u64,
    /// The assertion claims of the last token request.
    pub last_claims: Option<Value>,
}

pub struct FakeFirestore {
    pub server: MockServer,
    pub state: Arc<Mutex<State>>,
}

impl FakeFirestore {
    pub async fn start() -> FakeFirestore {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            expires_in: 3599,
            ..State::default()
        }));
        Mock::given(any())
            .respond_with(Responder {
                state: Arc::clone(&state),
                token_url: format!("{}/token", server.uri()),
            })
            .with_priority(10)
            .mount(&server)
            .await;
        FakeFirestore { server, state }
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Stores a document as given (raw U4.5 fields), e.g. a legacy one.
    pub fn put(&self, path: &str, fields: Value) {
        let mut state = self.state();
        let now = state.tick();
        let fields = fields.as_object().cloned().unwrap_or_default();
        state.docs.insert(
            path.to_owned(),
            Doc {
                fields,
                create_time: now.clone(),
                update_time: now,
            },
        );
    }

    pub fn doc(&self, path: &str) -> Option<Map<String, Value>> {
        self.state().docs.get(path).map(|d| d.fields.clone())
    }

    pub fn paths(&self) -> Vec<String> {
        self.state().docs.keys().cloned().collect()
    }

    /// Every issued token stops working (revoked, or expired early on Google's side).
    pub fn revoke_tokens(&self) {
        self.state().valid_tokens.clear();
    }
}

impl State {
    fn tick(&mut self) -> String {
        self.clock += 1;
        format!("2025-01-01T00:00:00.{:06}Z", self.clock)
    }

    fn issue(&mut self) -> ResponseTemplate {
        self.tokens_issued += 1;
        let token = format!("ya29.fake-token-{}", self.tokens_issued);
        self.valid_tokens.insert(token.clone());
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}))
    }
}

pub fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": {"code": status, "message": message, "status": code}}))
}

fn document(path: &str, doc: &Doc) -> Value {
    json!({"name": format!("{NAME_ROOT}/{path}"), "fields": doc.fields,
           "createTime": doc.create_time, "updateTime": doc.update_time})
}

/// Whether a value has exactly the U4.5 encoding (so the tests catch a wrong one).
fn well_formed(value: &Value) -> bool {
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
        "arrayValue" => inner.get("values").map_or(true, |v| {
            v.as_array().is_some_and(|a| a.iter().all(well_formed))
        }),
        "mapValue" => inner.get("fields").map_or(true, |f| {
            f.as_object().is_some_and(|m| m.values().all(well_formed))
        }),
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

struct Responder {
    state: Arc<Mutex<State>>,
    token_url: String,
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        let path = request.url.path().to_owned();
        let method = request.method.as_str();
        if path == "/token" && method == "POST" {
            return self.token(&mut state, request);
        }
        if path == "/metadata/token" && method == "GET" {
            let flavour = request.headers.get("metadata-flavor");
            if flavour.and_then(|v| v.to_str().ok()) != Some("Google") {
                return error(403, "PERMISSION_DENIED", "missing Metadata-Flavor");
            }
            return state.issue();
        }
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_owned();
        let owner = state.accept_owner && auth == "owner";
        if !owner && !state.valid_tokens.contains(&auth) {
            return error(401, "UNAUTHENTICATED", "Request had invalid credentials.");
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        match (method, path.strip_prefix(ROOT)) {
            ("POST", Some(":runQuery")) => run_query(&state, &body),
            ("POST", Some(":commit")) => commit(&mut state, &body),
            ("GET", Some(doc)) => match state.docs.get(doc.trim_start_matches('/')) {
                Some(d) => ResponseTemplate::new(200).set_body_json(document(&doc[1..], d)),
                None => error(404, "NOT_FOUND", "No document to get."),
            },
            ("PATCH", Some(doc)) => patch(&mut state, &doc[1..], request, &body),
            _ => error(404, "NOT_FOUND", "no such route in the fake"),
        }
    }
}

impl Responder {
    /// Google's token endpoint: checks the form and the RS256 assertion (U4.3).
    fn token(&self, state: &mut State, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body);
        let form: BTreeMap<String, String> = reqwest::Url::parse(&format!("http://form/?{body}"))
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        if form.get("grant_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            return ResponseTemplate::new(400)
                .set_body_json(json!({"error": "unsupported_grant_type"}));
        }
        let assertion = form.get("assertion").cloned().unwrap_or_default();
        let header = jsonwebtoken::decode_header(&assertion);
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&self.token_url]);
        validation.set_issuer(&[CLIENT_EMAIL]);
        let key = DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
        let claims = jsonwebtoken::decode::<Value>(&assertion, &key, &validation);
        let (Ok(header), Ok(claims)) = (header, claims) else {
            return ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"}));
        };
        let c = &claims.claims;
        let lifetime = c["exp"].as_u64().unwrap_or(0) - c["iat"].as_u64().unwrap_or(0);
        if header.kid.as_deref() != Some(KEY_ID)
            || c["scope"] != "https://www.googleapis.com/auth/datastore"
            || lifetime != 3600
        {
            return ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"}));
        }
        state.last_claims = Some(c.clone());
        state.issue()
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
) -> Result<(), ResponseTemplate> {
    match (exists, current) {
        (Some(false), Some(_)) => {
            return Err(error(409, "ALREADY_EXISTS", "Document already exists"));
        }
        (Some(true), None) => return Err(error(404, "NOT_FOUND", "No document to update")),
        _ => {}
    }
    if let Some(t) = update_time
        && current.map(|d| d.update_time.as_str()) != Some(t)
    {
        return Err(error(
            400,
            "FAILED_PRECONDITION",
            "the stored version does not match",
        ));
    }
    Ok(())
}

fn patch(state: &mut State, path: &str, request: &Request, body: &Value) -> ResponseTemplate {
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
    if let Err(refused) = precondition(state.docs.get(path), exists, update_time) {
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

fn commit(state: &mut State, body: &Value) -> ResponseTemplate {
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
            if let Err(refused) = precondition(docs.get(&path), exists, time) {
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
        if let Err(refused) = precondition(docs.get(&path), exists, time) {
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

fn run_query(state: &State, body: &Value) -> ResponseTemplate {
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
