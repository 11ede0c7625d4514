//! `app-http`: starts Allot's HTTP server. With no HubSpot token (outside production) it serves
//! the demo firm from `fixtures/demo/scenario.json` on a local SQLite file.

use anyhow::Context;
use app_http::Settings;
use app_http::state::AppState;
use poem::Server;
use poem::listener::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load().context("configuration")?;
    init_logs(&settings);
    let addr = format!("{}:{}", settings.host, settings.port);
    let state = AppState::build(settings).await.context("start-up")?;
    app_http::workers::spawn(state.clone());
    tracing::info!(%addr, demo = state.demo.is_some(), "Allot listening; API docs at /docs");
    let chat_state = state.clone();
    Server::new(TcpListener::bind(addr))
        .run_with_graceful_shutdown(
            app_http::app(state),
            async move {
                let _ = tokio::signal::ctrl_c().await;
                // H5.6: open chat sockets close with 1001 rather than wait out the grace period.
                chat_state.chat.shutdown();
            },
            Some(std::time::Duration::from_secs(10)),
        )
        .await
        .context("server")
}

fn init_logs(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if settings.log_format.eq_ignore_ascii_case("text") {
        builder.init();
    } else {
        builder.json().flatten_event(true).init();
    }
}
