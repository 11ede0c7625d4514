//! A server on 127.0.0.1:0 in demo mode with a temporary SQLite file.

use app_http::Settings;
use app_http::state::AppState;
use poem::listener::{Acceptor, Listener, TcpListener};

pub const ADMIN: &str = "rootadmin";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
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
        let base = format!("http://127.0.0.1:{}", addr.port());
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db.display().to_string()),
            ("PUBLIC_BASE_URL".into(), base.clone()),
            ("COOKIE_SECURE".into(), "false".into()),
            ("ADMIN_USERNAME".into(), ADMIN.into()),
            ("ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
            ("LOG_LEVEL".into(), "warn".into()),
        ];
        for (k, v) in extra {
            env.retain(|(key, _)| key != k);
            env.push(((*k).into(), (*v).into()));
        }
        let settings = Settings::from_sources(None, &env).unwrap();
        let state = AppState::build(settings).await.unwrap();
        let app = app_http::app(state.clone());
        tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base,
            client,
            state,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}
