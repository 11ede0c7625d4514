//! The Employer API fake of upstreams.md U6.6 on a wiremock server: `GET /jobs` (the 15 fixture
//! jobs), `POST /applications` (validates like U5.3, 404 for unknown or deleted jobs, ids
//! increment), `GET /applications` (filters, key required), with controls: delete or re-add a
//! job, answer one job's POST with a given status and body, refuse connections, count calls.
//! Plus the portal-side setup the acceptance scenarios share (portal.md P11).

#![allow(dead_code)] // shared by the portal suites

use crate::portal_client::PortalUser;
use crate::support::TestApp;
use chrono::{DateTime, Utc};
use domain::ports::{ProfileFields, ProfileStore};
use offline_fakes::ManualClock;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

pub const EMPLOYER_KEY: &str = "test-key";
const FIXTURE_JOBS: &str = include_str!("../../../fixtures/employer_jobs.json");

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

#[derive(Debug, Default)]
struct FakeState {
    jobs: Vec<Value>,
    applications: Vec<Value>,
    next_id: i64,
    post_answers: HashMap<i64, (u16, Value)>,
    received: Vec<Received>,
    jobs_delay: std::time::Duration,
}

#[derive(Clone)]
struct Handler(Arc<Mutex<FakeState>>);

fn error(status: u16, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"success": false, "error": text}))
}

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let headers = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        state.received.push(Received {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request.url.query().unwrap_or("").to_owned(),
            headers,
            body: body.clone(),
        });
        match (request.method.as_str(), request.url.path()) {
            ("GET", "/jobs") => ResponseTemplate::new(200)
                .set_body_json(Value::from(state.jobs.clone()))
                .set_delay(state.jobs_delay),
            ("POST", "/applications") => {
                let (Some(job_id), Some(user_id), Some(_)) = (
                    body["job_id"].as_i64(),
                    body["user_id"].as_i64(),
                    body["resume_link"].as_str(),
                ) else {
                    return error(400, "job_id, user_id and resume_link are required");
                };
                if let Some((status, answer)) = state.post_answers.get(&job_id) {
                    return ResponseTemplate::new(*status).set_body_json(answer.clone());
                }
                if !state.jobs.iter().any(|j| j["id"] == job_id) {
                    return error(404, "job not found");
                }
                state.next_id += 1;
                let id = state.next_id;
                let mut stored = body.clone();
                stored["id"] = json!(id);
                stored["user_id"] = json!(user_id);
                stored["created_at"] = json!("2025-11-20T00:00:00");
                state.applications.insert(0, stored);
                ResponseTemplate::new(201)
                    .set_body_json(json!({"success": true, "application_id": id}))
            }
            ("GET", "/applications") => {
                let key = request
                    .headers
                    .get("x-api-key")
                    .and_then(|v| v.to_str().ok());
                if key != Some(EMPLOYER_KEY) {
                    return error(401, "invalid api key");
                }
                let pairs: HashMap<String, String> =
                    request.url.query_pairs().into_owned().collect();
                let wanted = |field: &str, item: &Value| {
                    pairs.get(field).is_none_or(|v| {
                        item[field].as_i64().map(|i| i.to_string()).as_ref() == Some(v)
                    })
                };
                let found: Vec<Value> = state
                    .applications
                    .iter()
                    .filter(|a| wanted("job_id", a) && wanted("user_id", a))
                    .cloned()
                    .collect();
                ResponseTemplate::new(200).set_body_json(Value::from(found))
            }
            _ => error(404, "not found"),
        }
    }
}

/// The fake on a fixed local port that can go down and come back.
pub struct EmployerFake {
    port: u16,
    state: Arc<Mutex<FakeState>>,
    server: tokio::sync::Mutex<Option<MockServer>>,
}

impl EmployerFake {
    pub async fn start() -> EmployerFake {
        let jobs: Vec<Value> = serde_json::from_str(FIXTURE_JOBS).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(FakeState {
            jobs,
            ..FakeState::default()
        }));
        let fake = EmployerFake {
            port,
            state,
            server: tokio::sync::Mutex::new(None),
        };
        fake.serve(listener).await;
        fake
    }

    async fn serve(&self, listener: std::net::TcpListener) {
        let server = MockServer::builder().listener(listener).start().await;
        Mock::given(any())
            .respond_with(Handler(self.state.clone()))
            .mount(&server)
            .await;
        *self.server.lock().await = Some(server);
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Connections are refused until [`EmployerFake::up`].
    pub async fn down(&self) {
        drop(self.server.lock().await.take());
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the fake still accepts connections");
    }

    pub async fn up(&self) {
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.serve(listener).await;
    }

    pub fn delete_job(&self, id: i64) {
        self.state.lock().unwrap().jobs.retain(|j| j["id"] != id);
    }

    /// Lists a fixture job again.
    pub fn restore_job(&self, id: i64) {
        let fixture: Vec<Value> = serde_json::from_str(FIXTURE_JOBS).unwrap();
        let job = fixture.into_iter().find(|j| j["id"] == id).unwrap();
        self.state.lock().unwrap().jobs.push(job);
    }

    /// Answers every POST for `job_id` with `status` and `body`.
    pub fn answer_post(&self, job_id: i64, status: u16, body: Value) {
        self.state
            .lock()
            .unwrap()
            .post_answers
            .insert(job_id, (status, body));
    }

    /// `GET /jobs` answers after this long.
    pub fn delay_jobs(&self, delay: std::time::Duration) {
        self.state.lock().unwrap().jobs_delay = delay;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// How many `method path` requests arrived.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.received()
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    }
}

/// 2025-11-20T00:00:00.000Z, the clock of every scenario (P11).
pub fn scenario_start() -> DateTime<Utc> {
    "2025-11-20T00:00:00Z".parse().unwrap()
}

/// The server in live mode against `fake` with `EMPLOYER_API_KEY=test-key` and a manual clock.
pub async fn portal_app(fake: &EmployerFake, extra: &[(&str, &str)]) -> (TestApp, ManualClock) {
    let clock = ManualClock::at(scenario_start());
    let url = fake.url();
    let mut env = vec![
        ("EMPLOYER_API_BASE_URL", url.as_str()),
        ("EMPLOYER_API_KEY", EMPLOYER_KEY),
    ];
    env.extend_from_slice(extra);
    let app = TestApp::spawn_full(&env, Some(Arc::new(clock.clone()))).await;
    (app, clock)
}

/// alex's profile of scenario 4, as stored after P4.2 (P11: "a complete profile").
pub async fn save_complete_profile(app: &TestApp, user: &PortalUser) {
    save_profile(app, user, &["Food Safety", "cooking"]).await;
}

pub async fn save_profile(app: &TestApp, user: &PortalUser, skills: &[&str]) {
    let fields = ProfileFields {
        skills: skills.iter().map(|s| (*s).to_owned()).collect(),
        certifications: vec!["Food Handler Certification".into()],
        resume_link: Some("https://example.com/cv.pdf".into()),
        experience: Some("5y".into()),
        ..ProfileFields::default()
    };
    let now = app.state.clock.now();
    app.state
        .store
        .save_profile(user.id, &fields, now)
        .await
        .unwrap();
}

/// The local id of the job with this external id.
pub async fn job_id(app: &TestApp, external_id: i64) -> i64 {
    use domain::ports::JobStore;
    app.state
        .store
        .get_job_by_external_id(&external_id.to_string())
        .await
        .unwrap()
        .unwrap()
        .id
}
