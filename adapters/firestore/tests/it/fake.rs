//! A minimal fake Firestore (upstreams.md U6.5) on a random local port: get, patch with
//! `updateMask` and `currentDocument`, runQuery (collection, `allDescendants`, `orderBy`) and
//! commit, over documents kept in the U4.5 value encoding; plus Google's token endpoint (which
//! verifies the RS256 assertion) and a metadata-server token endpoint. Faults are injected by
//! mounting higher-priority wiremock mocks in front of it.

use crate::fake_ops::{commit, document, patch, run_query};
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
    /// The next this-many PATCHes are applied, then answered too late (the client times out).
    pub late_writes: usize,
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
    pub fn tick(&mut self) -> String {
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
            ("PATCH", Some(doc)) => {
                let answer = patch(&mut state, &doc[1..], request, &body);
                if state.late_writes > 0 {
                    state.late_writes -= 1;
                    return answer.set_delay(std::time::Duration::from_secs(2));
                }
                answer
            }
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
