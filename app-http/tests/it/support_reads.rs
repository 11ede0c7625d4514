//! A minimal demo-mode server on 127.0.0.1:0 with a temporary SQLite file, for the reads tests
//! (the shared `support.rs` may replace it).

use app_http::state::AppState;
use poem::listener::{Acceptor, Listener, TcpListener};

pub struct ReadsApp {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl ReadsApp {
    pub async fn spawn() -> ReadsApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind");
        let addr = acceptor
            .local_addr()
            .into_iter()
            .next()
            .and_then(|a| a.as_socket_addr().copied())
            .expect("local address");
        let base = format!("http://{addr}");
        let db = dir.path().join("app.db");
        let env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), format!("sqlite://{}", db.display())),
            ("COOKIE_SECURE".into(), "false".into()),
            ("PUBLIC_BASE_URL".into(), base.clone()),
        ];
        let settings = app_http::Settings::from_sources(None, &env).expect("settings");
        let state = AppState::build(settings).await.expect("state");
        let app = app_http::app(state.clone());
        tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        ReadsApp {
            base,
            state,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}
