//! What every story needs: a fake Employer API, a client pointed at it with fast retries, an
//! application to send, and the requests the fake received.

use domain::ports::{EmployerApi, NewUpstreamApplication, UpstreamError};
use employer_api::{EmployerApiClient, EmployerApiConfig};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const KEY: &str = "emp-key-0000-TEST-s3cr3t";

/// The exact `GET /jobs` body of the 15 fixture jobs (U5.7).
pub const FIXTURE_JOBS: &str = include_str!("../../../../fixtures/employer_jobs.json");

/// The defaults with the key, pointed at the fake, with timeouts and waits in milliseconds.
pub fn config(server: &MockServer) -> EmployerApiConfig {
    EmployerApiConfig {
        request_timeout: Duration::from_millis(500),
        call_deadline: Duration::from_secs(3),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        ..EmployerApiConfig::new(server.uri())
    }
    .with_api_key(KEY)
}

pub fn client(server: &MockServer) -> EmployerApiClient {
    EmployerApiClient::new(&config(server)).unwrap()
}

/// A client of a port nothing listens on.
pub fn refused_client(server: &MockServer) -> EmployerApiClient {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    EmployerApiClient::new(&EmployerApiConfig {
        base_url: format!("http://127.0.0.1:{port}"),
        ..config(server)
    })
    .unwrap()
}

pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).map(|v| v.to_str().unwrap())
}

pub fn application() -> NewUpstreamApplication {
    NewUpstreamApplication {
        job_id: 1001,
        user_id: 7,
        resume_link: "https://example.com/cv/7.pdf".into(),
        skills: vec!["Cooking".into(), "Food Safety".into()],
        certifications: vec!["Food Handler Certification".into()],
        cover_letter: "I would love to join the team.".into(),
    }
}

/// The three calls of the port, for stories that run on each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    ListJobs,
    Post,
    Find,
}

pub const OPS: [Op; 3] = [Op::ListJobs, Op::Post, Op::Find];

impl Op {
    pub fn method(self) -> &'static str {
        match self {
            Op::Post => "POST",
            _ => "GET",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Op::ListJobs => "/jobs",
            Op::Post | Op::Find => "/applications",
        }
    }

    pub fn success(self) -> ResponseTemplate {
        match self {
            Op::ListJobs => ResponseTemplate::new(200).set_body_string(FIXTURE_JOBS),
            Op::Post => ResponseTemplate::new(201)
                .set_body_json(json!({"success": true, "application_id": 42})),
            Op::Find => ResponseTemplate::new(200).set_body_json(json!([])),
        }
    }

    /// Reads are retried (U5.4); the POST is sent once.
    pub fn retryable(self) -> bool {
        self != Op::Post
    }

    pub async fn run(self, client: &EmployerApiClient) -> Result<(), UpstreamError> {
        match self {
            Op::ListJobs => client.list_jobs().await.map(drop),
            Op::Post => client
                .post_application(&application(), "portal-application-9")
                .await
                .map(drop),
            Op::Find => client.find_applications(1001, 7).await.map(drop),
        }
    }

    /// Answers `fault` the first `times` calls of this route, then success; `times = 0` is success
    /// only.
    pub async fn mount(self, server: &MockServer, fault: ResponseTemplate, times: u64) {
        if times > 0 {
            Mock::given(method(self.method()))
                .and(path(self.path()))
                .respond_with(fault)
                .up_to_n_times(times)
                .mount(server)
                .await;
        }
        Mock::given(method(self.method()))
            .and(path(self.path()))
            .respond_with(self.success())
            .mount(server)
            .await;
    }
}

/// An error envelope of the Employer API (U5.3).
pub fn error_body(status: u16, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"success": false, "error": text}))
}

pub fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}
