//! A minimal `TestApp` for the admin CRUD tests (the shared `support.rs` was not on this branch):
//! the server on a bound socket with a temporary SQLite file, in demo mode.

use app_http::Settings;
use app_http::state::AppState;
use poem::listener::{Acceptor, Listener, TcpListener};
use std::net::SocketAddr;

pub const API_KEY: &str = "crud-sync-key-0123456789abcdefghijklmnopq";

pub struct CrudApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl CrudApp {
    pub async fn spawn() -> CrudApp {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        let env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db.to_string_lossy().into_owned()),
            ("COOKIE_SECURE".into(), "false".into()),
            ("PUBLIC_BASE_URL".into(), format!("http://{addr}")),
            ("SYNC_API_KEYS".into(), API_KEY.into()),
            ("LOG_LEVEL".into(), "warn".into()),
        ];
        let settings = Settings::from_sources(None, &env).unwrap();
        let state = AppState::build(settings).await.unwrap();
        let app = app_http::app(state.clone());
        tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        CrudApp {
            addr,
            state,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
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
}

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
