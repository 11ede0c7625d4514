//! `TestApp`: the server on a bound socket (127.0.0.1:0) with a temporary SQLite file, in demo
//! mode, with an API key and a bootstrapped admin. One helper for every suite.

#![allow(dead_code)] // a shared helper: not every suite uses every part

use app_http::Settings;
use app_http::state::{AppState, DynClock};
use poem::listener::{Acceptor, Listener, TcpListener};
use std::net::SocketAddr;

pub const API_KEY: &str = "test-sync-key-0123456789abcdefghijklmnop";
pub const ADMIN: &str = "rootadmin";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`, also the configured `PUBLIC_BASE_URL` (the allowed Origin).
    pub base: String,
    pub state: AppState,
    /// Does not follow redirects, so tests see the 302/303 pages answer.
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// Extra environment on top of the test defaults (a later value replaces a default; an
    /// empty value removes it).
    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        TestApp::spawn_full(extra, None).await
    }

    /// As `spawn_with`, with the server's clock replaced (e.g. `offline_fakes::ManualClock`).
    pub async fn spawn_full(extra: &[(&str, &str)], clock: Option<DynClock>) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor
            .local_addr()
            .into_iter()
            .find_map(|a| a.as_socket_addr().copied())
            .unwrap();
        let base = format!("http://{addr}");
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db.display().to_string()),
            ("COOKIE_SECURE".into(), "false".into()),
            ("PUBLIC_BASE_URL".into(), base.clone()),
            ("SYNC_API_KEYS".into(), API_KEY.into()),
            ("ADMIN_USERNAME".into(), ADMIN.into()),
            ("ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
            (
                "UPLOAD_DIR".into(),
                dir.path().join("uploads").display().to_string(),
            ),
            ("LOG_LEVEL".into(), "warn".into()),
            // The demo employees (alex, brett, ...) would collide with the scenarios' users.
            ("PORTAL_DEMO_EMPLOYEES".into(), "false".into()),
        ];
        for (k, v) in extra {
            env.retain(|(key, _)| key != k);
            if !v.is_empty() {
                env.push(((*k).into(), (*v).into()));
            }
        }
        let settings = Settings::from_sources(None, &env).unwrap();
        let state = match clock {
            Some(clock) => AppState::build_with_clock(settings, clock).await.unwrap(),
            None => AppState::build(settings).await.unwrap(),
        };
        let app = app_http::app(state.clone());
        tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            addr,
            base,
            state,
            client,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The temporary folder holding the database (and `uploads/`).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// GET with the API key; returns the status and the JSON body (`Null` when empty).
    pub async fn get_with_key(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .client
            .get(self.url(path))
            .header("x-api-key", API_KEY)
            .send()
            .await
            .unwrap();
        status_json(r).await
    }

    /// POSTs `body` to `path` signed with v3 at `timestamp_ms` (now when `None`).
    pub async fn signed_post(
        &self,
        path: &str,
        body: &str,
        secret: &str,
        timestamp_ms: Option<i64>,
    ) -> reqwest::Response {
        let ts = timestamp_ms
            .unwrap_or_else(|| chrono::Utc::now().timestamp_millis())
            .to_string();
        let request = hubspot::signature::SignedRequest {
            method: "POST",
            public_base_url: &self.base,
            path_and_query: path,
            body: body.as_bytes(),
        };
        let signature = hubspot::signature::sign_v3(secret, &request, &ts);
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .header("x-hubspot-signature-v3", signature)
            .header("x-hubspot-request-timestamp", ts)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }
}

/// The status and the JSON body (`Null` when empty).
pub async fn status_json(r: reqwest::Response) -> (u16, serde_json::Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}
