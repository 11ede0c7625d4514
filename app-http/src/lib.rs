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
pub mod folders;
pub mod hr;
pub mod job_sync;
mod middleware;
pub mod pages;
pub mod routes;
mod signature;
pub mod state;
pub mod workers;

use poem::{Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Route, get, handler};
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
    let pages: Vec<(&str, &str)> = [PAGE_ROUTES, pages::ROUTES].concat();
    let allow = std::sync::Arc::new(middleware::AllowTable::new(&api.spec(), &pages));
    let csp = std::sync::Arc::new(pages::csp::Policies::new(&state.settings.public_base_url()));
    let panics = std::sync::Arc::new(middleware::PanicToInternal::new(&pages));
    let routes = pages::mount(Route::new())
        // The API nested at `/` owns the exact path `/` too, so the landing page is served here.
        .nest("/", api.into_endpoint().around(landing))
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
        .at(
            "/portal/login",
            get(routes::admin_login::portal_login_page)
                .post(routes::admin_login::portal_login_submit),
        )
        .at("/auth/start", get(routes::eh_oauth::start))
        .at("/auth/callback", get(routes::eh_oauth::callback))
        .at("/api/portal/chat/ws", get(chat::ws::chat_socket));
    #[cfg(feature = "test-failpoints")]
    let routes = routes.around(middleware::failpoint);
    routes
        .data(state)
        .around(move |ep, req| panics.clone().around(ep, req))
        .around(move |ep, req| pages::csp::around(ep, req, csp.clone()))
        .around(move |ep, req| middleware::edge(ep, req, https, allow.clone()))
        .into_endpoint()
}

/// The routes outside the OpenAPI document and their methods, for `Allow` on a 405 (H0.9).
const PAGE_ROUTES: &[(&str, &str)] = &[
    ("/", "GET"),
    ("/openapi.json", "GET"),
    ("/_ah/warmup", "GET"),
    ("/admin/login", "GET, POST"),
    ("/admin/logout", "GET, POST"),
    ("/auth/start", "GET"),
    ("/auth/callback", "GET"),
];

/// `GET /` (H2.11) in front of the API; another method on `/` is a 405.
async fn landing<E: Endpoint>(api: E, req: poem::Request) -> poem::Result<poem::Response> {
    if req.uri().path() != "/" {
        return api.call(req).await.map(IntoResponse::into_response);
    }
    let readable = matches!(
        *req.method(),
        poem::http::Method::GET | poem::http::Method::HEAD
    );
    match req.data::<AppState>() {
        Some(state) if readable => Ok(pages::landing::page(state, &req).await),
        _ if readable => Err(poem::Error::from_status(
            poem::http::StatusCode::INTERNAL_SERVER_ERROR,
        )),
        _ => Err(poem::Error::from_status(
            poem::http::StatusCode::METHOD_NOT_ALLOWED,
        )),
    }
}

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
