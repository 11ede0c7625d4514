//! Allot's HTTP server (http-api.md): the HubSpot webhooks, the admin API with its generated
//! OpenAPI document, the service endpoints and the demo mode. Wiring only: the rules live in
//! `domain`, the I/O in `adapters`.

pub mod auth;
pub mod body;
pub mod chat;
pub mod config;
mod deal_input;
pub mod error;
pub mod explain;
mod middleware;
pub mod routes;
mod signature;
pub mod state;
pub mod workers;

use poem::endpoint::make_sync;
use poem::middleware::CatchPanic;
use poem::web::Html;
use poem::{EndpointExt, IntoEndpoint, Route, get, handler};
use poem_openapi::OpenApiService;
use state::AppState;

pub use config::Settings;

/// The OpenAPI service with every JSON route (H0.8).
pub fn openapi(state: &AppState) -> OpenApiService<impl poem_openapi::OpenApi, ()> {
    OpenApiService::new(routes::apis(), "Allot", env!("CARGO_PKG_VERSION"))
        .description("Adviser allocation for financial-advice firms: HubSpot webhooks, admin API and availability.")
        .server(state.settings.public_base_url())
}

/// The whole application as one endpoint.
pub fn app(state: AppState) -> impl poem::Endpoint {
    let api = openapi(&state);
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let https = state.settings.public_base_url().starts_with("https://");
    Route::new()
        .nest("/", api)
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .at("/_ah/warmup", get(warmup))
        .at(
            "/admin/login",
            get(routes::admin_login::login_page).post(routes::admin_login::login_submit),
        )
        .at(
            "/admin/logout",
            get(routes::admin_login::logout_page).post(routes::admin_login::logout_submit),
        )
        .at("/api/portal/chat/ws", get(chat::ws::chat_socket))
        .at("/", get(make_sync(|_| Html(LANDING))))
        .data(state)
        .with(CatchPanic::new().with_handler(middleware::PanicToInternal))
        .around(move |ep, req| middleware::edge(ep, req, https))
        .into_endpoint()
}

const LANDING: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Allot</title></head>\
<body><h1>Allot</h1><p>Adviser allocation service.</p><ul><li><a href=\"/docs\">API documentation</a></li>\
<li><a href=\"/admin/login\">Admin sign-in</a></li></ul></body></html>";

/// `GET /_ah/warmup`: opens one database connection.
#[handler]
async fn warmup(state: poem::web::Data<&AppState>) -> poem::Response {
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %e, "warm-up could not reach the database");
    }
    poem::Response::builder()
        .content_type("text/plain")
        .body("")
}
