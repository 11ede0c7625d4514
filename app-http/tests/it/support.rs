//! `TestApp`: the server on a bound socket with a temporary SQLite file, in demo mode.

use app_http::Settings;
use app_http::state::AppState;
use poem::listener::{Acceptor, Listener, TcpListener};
use std::net::SocketAddr;

pub const API_KEY: &str = "test-sync-key-0123456789abcdefghijklmnop";

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// Extra environment on top of the test defaults.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db.to_string_lossy().into_owned()),
            ("COOKIE_SECURE".into(), "false".into()),
            ("PUBLIC_BASE_URL".into(), format!("http://{addr}")),
            ("SYNC_API_KEYS".into(), API_KEY.into()),
            ("LOG_LEVEL".into(), "warn".into()),
        ];
        for (k, v) in extra {
            env.retain(|(key, _)| key != k);
            env.push((k.to_string(), v.to_string()));
        }
        let settings = Settings::from_sources(None, &env).unwrap();
        let state = AppState::build(settings).await.unwrap();
        let app = app_http::app(state.clone());
        tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        TestApp {
            addr,
            state,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
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
        let base = format!("http://{}", self.addr);
        let request = hubspot::signature::SignedRequest {
            method: "POST",
            public_base_url: &base,
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
