//! A fake Employment Hero (upstreams.md U6.3) on wiremock: an authorise endpoint redirecting with
//! `code` and `state`; a token endpoint that checks `code_verifier` against the stored challenge
//! (S256), issues access tokens valid 900 s on the fake's clock and rotates refresh tokens (a used
//! one then gets 400 `invalid_grant`); organisations, employees and leave with
//! `page_index`/`item_per_page`/`total_items`/`total_pages`; 401 for expired tokens; a switch
//! answering 401 once on page k; and faults per route and call number.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::Clock;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CLIENT_ID: &str = "eh-client-id-7781";
pub const CLIENT_SECRET: &str = "eh-client-s3cr3t-4411";
pub const REDIRECT_URI: &str = "https://allot.example/auth/callback";
pub const ORG: &str = "org-9f1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Authorize,
    Token,
    Organisations,
    Employees,
    Leave,
}

#[derive(Default)]
struct State {
    now: i64,
    serial: u64,
    challenges: HashMap<String, String>,
    access: HashMap<String, i64>,
    refresh: Option<String>,
    used_refresh: HashSet<String>,
    employees: Vec<Value>,
    leave: Vec<Value>,
    orgs: Vec<Value>,
    unauthorized_once: Option<(Route, u32)>,
    /// (route, first call number, last call number, response); call numbers count from 1.
    faults: Vec<(Route, u32, u32, ResponseTemplate)>,
    calls: HashMap<Route, u32>,
    /// Bearer tokens of API calls, in order (to prove tokens are stored before use).
    journal: Vec<String>,
}

#[derive(Clone)]
pub struct FakeEh {
    pub server: Arc<MockServer>,
    state: Arc<Mutex<State>>,
}

impl FakeEh {
    pub async fn start() -> FakeEh {
        let server = Arc::new(MockServer::start().await);
        let state = Arc::new(Mutex::new(State {
            now: 1_750_000_000,
            orgs: vec![json!({"id": ORG, "name": "Wealth Co"})],
            ..State::default()
        }));
        let fake = FakeEh { server, state };
        Mock::given(wiremock::matchers::any())
            .respond_with(fake.clone())
            .mount(&fake.server)
            .await;
        fake
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(self.clone())
    }

    pub fn advance(&self, secs: i64) {
        self.with(|s| s.now += secs);
    }

    /// Issues a token pair as a completed connection would have (access valid 900 s).
    pub fn issue(&self) -> (String, String) {
        self.with(issue)
    }

    pub fn set_employees(&self, n: usize) {
        let items = (1..=n)
            .map(|i| json!({"id": format!("e{i}"), "first_name": "Ada", "last_name": format!("N{i}"),
                            "full_name": format!("Ada N{i}"), "company_email": format!("ada{i}@x.com"),
                            "account_email": null}))
            .collect();
        self.with(|s| s.employees = items);
    }

    pub fn set_raw_employees(&self, items: Vec<Value>) {
        self.with(|s| s.employees = items);
    }

    pub fn set_leave(&self, items: Vec<Value>) {
        self.with(|s| s.leave = items);
    }

    pub fn set_orgs(&self, orgs: Vec<Value>) {
        self.with(|s| s.orgs = orgs);
    }

    pub fn unauthorized_once_on_page(&self, route: Route, page: u32) {
        self.with(|s| s.unauthorized_once = Some((route, page)));
    }

    /// Calls `from..=to` (1-based) of `route` answer `response`.
    pub fn fault(&self, route: Route, from: u32, to: u32, response: ResponseTemplate) {
        self.with(|s| s.faults.push((route, from, to, response)));
    }

    pub fn calls(&self, route: Route) -> u32 {
        self.with(|s| s.calls.get(&route).copied().unwrap_or(0))
    }

    pub fn journal(&self) -> Vec<String> {
        self.with(|s| s.journal.clone())
    }

    pub fn current_refresh(&self) -> Option<String> {
        self.with(|s| s.refresh.clone())
    }

    pub async fn requests(&self, path_suffix: &str) -> Vec<Request> {
        let all = self.server.received_requests().await.unwrap_or_default();
        all.into_iter()
            .filter(|r| r.url.path().ends_with(path_suffix))
            .collect()
    }
}

impl Clock for FakeEh {
    fn now(&self) -> DateTime<Utc> {
        let secs = self.with(|s| s.now);
        DateTime::from_timestamp(secs, 0).unwrap() + TimeDelta::zero()
    }
}

fn issue(s: &mut State) -> (String, String) {
    s.serial += 1;
    let access = format!("at-{}-SECRETACCESS", s.serial);
    let refresh = format!("rt-{}-SECRETREFRESH", s.serial);
    s.access.insert(access.clone(), s.now + 900);
    s.refresh = Some(refresh.clone());
    (access, refresh)
}

fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn invalid_grant() -> ResponseTemplate {
    json_response(
        400,
        json!({"error": "invalid_grant", "error_description": "The provided authorization grant is invalid"}),
    )
}

fn tokens(s: &mut State) -> ResponseTemplate {
    let (access, refresh) = issue(s);
    json_response(
        200,
        json!({"access_token": access, "refresh_token": refresh, "token_type": "bearer",
               "expires_in": 900, "scope": "read"}),
    )
}

fn token_endpoint(s: &mut State, form: &HashMap<String, String>) -> ResponseTemplate {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
        return json_response(401, json!({"error": "invalid_client"}));
    }
    match field("grant_type") {
        "authorization_code" => {
            let Some(challenge) = s.challenges.remove(field("code")) else {
                return invalid_grant();
            };
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier")));
            if computed != challenge || field("redirect_uri") != REDIRECT_URI {
                return invalid_grant();
            }
            tokens(s)
        }
        "refresh_token" => {
            let given = field("refresh_token").to_owned();
            if s.refresh.as_deref() != Some(given.as_str()) || s.used_refresh.contains(&given) {
                return invalid_grant();
            }
            s.used_refresh.insert(given);
            tokens(s)
        }
        _ => json_response(400, json!({"error": "unsupported_grant_type"})),
    }
}

fn page(items: &[Value], query: &HashMap<String, String>) -> ResponseTemplate {
    let index: usize = query
        .get("page_index")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let per: usize = query
        .get("item_per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let total_pages = items.len().div_ceil(per).max(1);
    let slice: Vec<Value> = items
        .iter()
        .skip((index - 1) * per)
        .take(per)
        .cloned()
        .collect();
    json_response(
        200,
        json!({"data": {"items": slice, "page_index": index, "item_per_page": per,
                        "total_items": items.len(), "total_pages": total_pages}}),
    )
}

impl Respond for FakeEh {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path().to_owned();
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let route = if path.ends_with("/oauth2/authorize") {
            Route::Authorize
        } else if path.ends_with("/oauth2/token") {
            Route::Token
        } else if path.ends_with("/employees") {
            Route::Employees
        } else if path.ends_with("/leave_requests") {
            Route::Leave
        } else if path.ends_with("/organisations") {
            Route::Organisations
        } else {
            return ResponseTemplate::new(404);
        };
        let mut s = self.state.lock().unwrap();
        let n = {
            let c = s.calls.entry(route).or_default();
            *c += 1;
            *c
        };
        if let Some((_, _, _, r)) = s
            .faults
            .iter()
            .find(|(r, a, b, _)| *r == route && (*a..=*b).contains(&n))
        {
            return r.clone();
        }
        match route {
            Route::Authorize => {
                s.serial += 1;
                let code = format!("code-{}", s.serial);
                s.challenges
                    .insert(code.clone(), query["code_challenge"].clone());
                let location = format!(
                    "{}?code={code}&state={}",
                    query["redirect_uri"], query["state"]
                );
                ResponseTemplate::new(302).insert_header("Location", location)
            }
            Route::Token => {
                let body = String::from_utf8_lossy(&request.body);
                let as_query = reqwest::Url::parse(&format!("http://form/?{body}")).unwrap();
                let form: HashMap<String, String> = as_query.query_pairs().into_owned().collect();
                token_endpoint(&mut s, &form)
            }
            api => {
                let bearer = request
                    .headers
                    .get("authorization")
                    .and_then(|h| h.to_str().ok())
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .unwrap_or("")
                    .to_owned();
                s.journal.push(bearer.clone());
                let valid = s.access.get(&bearer).is_some_and(|exp| *exp > s.now);
                let page_index: u32 = query
                    .get("page_index")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                if s.unauthorized_once == Some((api, page_index)) {
                    s.unauthorized_once = None;
                    // The token "expired" mid-sync.
                    s.access.remove(&bearer);
                    return json_response(401, json!({"message": "Unauthorized"}));
                }
                if !valid {
                    return json_response(401, json!({"message": "Unauthorized"}));
                }
                let items = match api {
                    Route::Employees => s.employees.clone(),
                    Route::Leave => s.leave.clone(),
                    _ => s.orgs.clone(),
                };
                page(&items, &query)
            }
        }
    }
}
