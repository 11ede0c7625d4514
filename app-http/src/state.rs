//! The server's wiring: which adapter serves each port (live HubSpot or the demo fakes), the SQL
//! store, the clocks, and the process-wide limits (S3.3).

use crate::config::{ConfigError, DEMO_CLIENT_SECRET, Settings};
use crate::explain::JsonExplainer;
use chrono::{DateTime, Utc};
use domain::allocation::Config as FirmConfig;
use domain::ports::{Clock, Crm, LeaveSource, Sleeper};
use domain::usecase::AllocateDeal;
use domain::usecase::webhook::WebhookSettings;
use offline_fakes::OfflineFakes;
use secrecy::ExposeSecret;
use sql_store::{DatabaseUrl, SqlStore};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Waiting on the tokio timer.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

#[async_trait::async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }
}

pub type DynCrm = Arc<dyn Crm>;
pub type DynLeave = Arc<dyn LeaveSource>;
pub type DynClock = Arc<dyn Clock>;
/// The allocation use case as the server wires it: CRM and leave by configuration, closures and
/// overrides always read fresh from SQL (C9).
pub type Allocator = AllocateDeal<DynCrm, DynLeave, SqlStore, SqlStore, DynClock>;

/// Everything a handler may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub inner: Arc<Inner>,
}

pub struct Inner {
    pub settings: Settings,
    pub firm: FirmConfig,
    pub store: SqlStore,
    pub crm: DynCrm,
    pub allocator: Allocator,
    /// The real clock: claims, receipts, sessions.
    pub clock: DynClock,
    pub sleeper: TokioSleeper,
    pub explainer: JsonExplainer,
    pub webhook: WebhookSettings,
    /// Current and previous HubSpot client secrets, for S8.2.
    pub signing_secrets: Vec<String>,
    /// The demo fakes when in demo mode (their recorded writes are shown by tests and the log).
    pub demo: Option<OfflineFakes>,
    /// S3.3: 8 allocation computations per process.
    pub allocation_slots: Semaphore,
    /// H2.8.3: one availability computation per process.
    pub availability_slot: Semaphore,
    /// S1.5: password hashing behind its semaphore.
    pub hasher: crate::auth::passwords::Hasher,
    /// S4.3: the HMAC key of pre-session CSRF tokens (random per process when unset outside
    /// production).
    pub session_secret: Vec<u8>,
    /// P9: sockets, the chat hub and the chat limits.
    pub chat: crate::chat::ChatRuntime,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("settings", &self.settings)
            .field("demo", &self.demo.is_some())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.inner.settings)
            .field("demo", &self.inner.demo.is_some())
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

/// Start-up failures.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("DATABASE_URL: {0}")]
    Database(String),
    #[error("migrations failed: {0}")]
    Migrations(String),
    #[error("HubSpot: {0}")]
    HubSpot(String),
    #[error("the demo scenario cannot be used: {0}")]
    Demo(String),
}

/// The bundled demo firm (H2.1.7).
const DEMO_SCENARIO: &str = include_str!("../../fixtures/demo/scenario.json");

impl AppState {
    /// The server on the system clock.
    pub async fn build(settings: Settings) -> Result<AppState, StartError> {
        AppState::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// The server with `clock` as "now" for sessions, receipts and the portal (P0.1: tests pass a
    /// manual clock; nothing exposes it over HTTP).
    pub async fn build_with_clock(
        settings: Settings,
        clock: DynClock,
    ) -> Result<AppState, StartError> {
        let firm_from_env = settings.firm_config()?;
        if settings.is_production() && settings.hubspot_token.is_none() {
            return Err(ConfigError::Invalid(
                "HUBSPOT_TOKEN is required in production (demo mode is refused)".into(),
            )
            .into());
        }
        let raw_url = settings
            .database_url
            .as_ref()
            .map(|u| u.expose_secret().to_owned())
            .unwrap_or_else(|| "./data/app.db".into());
        let url = DatabaseUrl::parse(&raw_url).map_err(|e| StartError::Database(e.to_string()))?;
        ensure_parent_dir(&url);
        let store = SqlStore::new(&url).map_err(|e| StartError::Database(e.to_string()))?;
        if settings.run_migrations {
            store
                .migrate()
                .await
                .map_err(|e| StartError::Migrations(e.to_string()))?;
        }

        crate::auth::bootstrap::bootstrap_admin(&store, &settings).await?;
        let chat = crate::chat::ChatRuntime::new(&store, &url);
        let session_secret = crate::auth::bootstrap::session_secret(&settings)?;

        let mut secrets: Vec<String> = [
            &settings.hubspot_client_secret,
            &settings.hubspot_client_secret_previous,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.expose_secret().to_owned())
        .collect();

        let (crm, leave, engine_clock, demo, firm): (DynCrm, DynLeave, DynClock, _, _) = if settings
            .demo_mode()
        {
            let text = match &settings.demo_scenario {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| StartError::Demo(format!("{}: {e}", path.display())))?,
                None => DEMO_SCENARIO.to_owned(),
            };
            let scenario =
                scenario::parse_scenario(&text).map_err(|e| StartError::Demo(e.to_string()))?;
            let fakes = OfflineFakes::from_scenario(&scenario);
            if let Err(e) = seed_demo_store(&store, &fakes).await {
                // The server still starts; /readyz reports the database.
                tracing::warn!(error = %e, "demo closures and overrides not seeded");
            }
            if secrets.is_empty() {
                secrets.push(DEMO_CLIENT_SECRET.to_owned());
            }
            tracing::warn!(
                advisers = scenario.firm.advisers.len(),
                today = %scenario.today,
                "demo mode: no HUBSPOT_TOKEN; HubSpot, Employment Hero and Box are offline fakes"
            );
            let firm = scenario.config;
            (
                fakes.crm.clone() as DynCrm,
                fakes.leave.clone() as DynLeave,
                Arc::new(fakes.clock) as DynClock,
                Some(fakes),
                firm,
            )
        } else {
            let crm = live_hubspot(&settings)?;
            (
                crm,
                Arc::new(store.clone()) as DynLeave,
                clock.clone(),
                None,
                firm_from_env,
            )
        };

        let webhook = WebhookSettings {
            dedupe_window: chrono::TimeDelta::days(i64::from(
                settings.allocation_dedupe_days.max(4),
            )),
            ..WebhookSettings::default()
        };
        let allocator = AllocateDeal::new(
            crm.clone(),
            leave,
            store.clone(),
            store.clone(),
            engine_clock,
            firm,
        );
        Ok(AppState {
            inner: Arc::new(Inner {
                settings,
                firm,
                store,
                crm,
                allocator,
                clock,
                sleeper: TokioSleeper,
                explainer: JsonExplainer,
                webhook,
                signing_secrets: secrets,
                demo,
                allocation_slots: Semaphore::new(8),
                availability_slot: Semaphore::new(1),
                hasher: crate::auth::passwords::Hasher::default(),
                session_secret,
                chat,
            }),
        })
    }
}

fn live_hubspot(settings: &Settings) -> Result<DynCrm, StartError> {
    let Some(token) = &settings.hubspot_token else {
        return Err(StartError::HubSpot("HUBSPOT_TOKEN is not set".into()));
    };
    let mut config = hubspot::HubSpotConfig::new(token.expose_secret().to_owned());
    if let Some(base) = &settings.hubspot_base_url {
        config.base_url = base.trim_end_matches('/').to_owned();
    }
    config.deal_owner_properties = settings.deal_owner_properties();
    let crm = hubspot::HubSpotCrm::new(&config).map_err(|e| StartError::HubSpot(e.to_string()))?;
    Ok(Arc::new(crm))
}

/// A SQLite file in a folder that does not exist yet (the default `./data/app.db`).
fn ensure_parent_dir(url: &DatabaseUrl) {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// The demo firm's closures and overrides go into the store on first start, so the admin API
/// shows and edits what the demo allocation reads.
async fn seed_demo_store(store: &SqlStore, fakes: &OfflineFakes) -> Result<(), StartError> {
    use domain::ports::{ClosureStore, OverrideStore};
    let demo = |e: domain::ports::StoreError| StartError::Database(e.to_string());
    let now = Utc::now();
    if store.closures().await.map_err(demo)?.is_empty() {
        for closure in fakes.closures.closures().await.map_err(demo)? {
            store.create_closure(&closure, now).await.map_err(demo)?;
        }
    }
    if store.overrides().await.map_err(demo)?.is_empty() {
        for o in fakes.overrides.overrides().await.map_err(demo)? {
            if let Err(e) = store.create_override(&o, now).await {
                tracing::warn!(error = %e, "demo override not seeded");
            }
        }
    }
    Ok(())
}
