//! Service endpoints (http-api.md H2.11): liveness, readiness.

use crate::routes::ApiTags;
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use upstream_http::BreakerState;

/// One live upstream client whose circuit breaker (U0.6) `/readyz` reports.
pub trait BreakerReport: Send + Sync {
    fn breaker_state(&self) -> BreakerState;
}

impl BreakerReport for hubspot::HubSpotCrm {
    fn breaker_state(&self) -> BreakerState {
        hubspot::HubSpotCrm::breaker_state(self)
    }
}

impl BreakerReport for box_files::BoxFiles {
    fn breaker_state(&self) -> BreakerState {
        box_files::BoxFiles::breaker_state(self)
    }
}

impl BreakerReport for employer_api::EmployerApiClient {
    fn breaker_state(&self) -> BreakerState {
        employer_api::EmployerApiClient::breaker_state(self)
    }
}

impl<S: Send + Sync> BreakerReport for employment_hero::EmploymentHero<S> {
    fn breaker_state(&self) -> BreakerState {
        employment_hero::EmploymentHero::breaker_state(self)
    }
}

/// The live upstreams' breakers; `None` when the upstream is not configured or is a demo fake
/// (reported `disabled`). Firestore is not wired into the server, so it is always `disabled`.
#[derive(Clone, Default)]
pub struct Breakers {
    pub hubspot: Option<Arc<dyn BreakerReport>>,
    pub employment_hero: Option<Arc<dyn BreakerReport>>,
    pub box_files: Option<Arc<dyn BreakerReport>>,
    pub employer_api: Option<Arc<dyn BreakerReport>>,
}

impl std::fmt::Debug for Breakers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.states()).finish()
    }
}

impl Breakers {
    /// H2.11: `upstreams` of `/readyz`, under the spec's names.
    pub fn states(&self) -> BTreeMap<String, String> {
        let state = |b: &Option<Arc<dyn BreakerReport>>| {
            b.as_ref()
                .map_or("disabled", |b| b.breaker_state().as_str())
        };
        [
            ("hubspot", state(&self.hubspot)),
            ("employment_hero", state(&self.employment_hero)),
            ("box", state(&self.box_files)),
            ("employer_api", state(&self.employer_api)),
            ("firestore", "disabled"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

#[derive(Debug)]
pub struct ServiceApi;

#[derive(Debug, Object)]
pub struct Health {
    /// `ok`.
    pub status: String,
    pub version: String,
}

#[derive(Debug, Object)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: String,
    /// `database`, `migrations`: `ok` or `failed`.
    pub checks: BTreeMap<String, String>,
    /// Breaker states, informational: `closed`, `open`, `half_open`, `disabled`.
    pub upstreams: BTreeMap<String, String>,
    /// The failing check, when not ready.
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
}

#[derive(Debug, ApiResponse)]
pub enum ReadyResponse {
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

#[OpenApi]
impl ServiceApi {
    /// Liveness: 200 whenever the process serves HTTP.
    #[oai(path = "/healthz", method = "get", tag = "ApiTags::Service")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
    }

    /// Readiness: the database answers `SELECT 1` within 1 s and migrations are current.
    #[oai(path = "/readyz", method = "get", tag = "ApiTags::Service")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let db = tokio::time::timeout(Duration::from_secs(1), state.store.ping()).await;
        let db_ok = matches!(db, Ok(Ok(())));
        let migrations_ok = db_ok
            && matches!(
                tokio::time::timeout(Duration::from_secs(1), state.store.migrations_current())
                    .await,
                Ok(Ok(true))
            );
        let ok = |b: bool| if b { "ok" } else { "failed" }.to_owned();
        let mut checks = BTreeMap::new();
        checks.insert("database".to_owned(), ok(db_ok));
        checks.insert("migrations".to_owned(), ok(migrations_ok));
        let upstreams = state.breakers.states();
        let error = if !db_ok {
            Some("database".to_owned())
        } else if !migrations_ok {
            Some("migrations".to_owned())
        } else {
            None
        };
        let body = Readiness {
            status: if error.is_none() {
                "ready"
            } else {
                "not_ready"
            }
            .into(),
            checks,
            upstreams,
            error,
        };
        if body.error.is_none() {
            ReadyResponse::Ready(Json(body))
        } else {
            ReadyResponse::NotReady(Json(body))
        }
    }
}
