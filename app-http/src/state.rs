//! The server's wiring: which adapter serves each port (live HubSpot or the demo fakes), the SQL
//! store, the clocks, and the process-wide limits (S3.3).

use crate::config::{ConfigError, DEMO_CLIENT_SECRET, Settings};
use crate::explain::JsonExplainer;
use chrono::{DateTime, Utc};
use domain::allocation::Config as FirmConfig;
use domain::portal::jobs::CachePolicy;
use domain::ports::{Clock, Crm, EmployerApi, LeaveSource, Sleeper};
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
pub type DynEmployer = Arc<dyn EmployerApi>;
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
    /// P0.8, S1.4: the registration email domains and password blocklist.
    pub registration: domain::portal::fields::RegistrationRules,
    /// P4.6: the photo files in `UPLOAD_DIR`.
    pub photos: photo_store::DiskPhotoStore,
    /// H2.2: Box and the CRM contacts; `None` when Box is not configured.
    pub folders: Option<crate::folders::Folders>,
    /// H2.3, H2.9: Employment Hero (or the demo HR fake).
    pub hr: crate::hr::Hr,
    /// The Employer API: live client or the in-process fixture (P6.2).
    pub employer: DynEmployer,
    /// P0.8 job cache settings.
    pub job_policy: CachePolicy,
    /// P6.4: one job sync per process.
    pub job_sync: crate::job_sync::JobSyncGate,
    /// H2.11: the live upstreams' circuit breakers, reported by `/readyz`.
    pub breakers: crate::routes::service::Breakers,
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
    #[error("Employer API: {0}")]
    Employer(String),
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

        let registration = crate::auth::portal_start::registration_rules(&settings)?;
        crate::auth::bootstrap::bootstrap_admin(
            &store,
            &settings,
            &registration.blocklist,
            clock.now(),
        )
        .await?;
        let photos = crate::auth::portal_start::open_photos(&settings)?;
        let hasher = crate::auth::passwords::Hasher::default();
        crate::auth::portal_start::sweep_photos(&store, &photos, clock.now()).await;
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

        let (mut demo_hr, mut live_contacts) = (None, None);
        let mut breakers = crate::routes::service::Breakers::default();
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
            if settings.portal_demo_employees
                && let Err(e) =
                    crate::auth::demo_employees::seed(&store, &hasher, clock.now()).await
            {
                tracing::warn!(error = %e, "demo employees not created");
            }
            demo_hr = Some(Arc::new(offline_fakes::ScenarioHr::from_scenario(&scenario)) as _);
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
            breakers.hubspot = Some(crm.clone() as _);
            live_contacts = Some(crm.clone());
            (
                crm as DynCrm,
                Arc::new(store.clone()) as DynLeave,
                clock.clone(),
                None,
                firm_from_env,
            )
        };

        let folders = match (&demo, live_contacts) {
            (Some(_), _) => Some(crate::folders::demo(&settings)),
            (None, Some(contacts)) => crate::folders::live(&settings, contacts),
            (None, None) => None,
        };
        let hr = crate::hr::build(&settings, &store, clock.clone(), demo_hr);
        let job_policy = settings.job_cache_policy()?;
        let (employer, job_wait, employer_breaker) =
            employer_api_port(&settings, demo.is_some(), clock.now())?;
        breakers.employer_api = employer_breaker;

        breakers.box_files = folders.as_ref().and_then(|f| f.breaker.clone());
        breakers.employment_hero = hr.breaker.clone();
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
                hasher,
                session_secret,
                registration,
                photos,
                folders,
                hr,
                employer,
                job_policy,
                job_sync: crate::job_sync::JobSyncGate::new(job_wait),
                breakers,
                chat,
            }),
        })
    }
}

fn live_hubspot(settings: &Settings) -> Result<Arc<hubspot::HubSpotCrm>, StartError> {
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

/// P6.2: the live client, or the in-process fixture (U5.8), whose dates are moved into the last
/// two weeks in demo mode so the demo shows active jobs. Also how long a caller waits for a
/// running sync (P6.4). The mode is logged.
/// The Employer API port, how long a caller waits for a running job sync (P6.4), and the live
/// client's breaker for `/readyz`.
type EmployerPort = (
    DynEmployer,
    std::time::Duration,
    Option<Arc<dyn crate::routes::service::BreakerReport>>,
);

fn employer_api_port(
    settings: &Settings,
    demo: bool,
    now: DateTime<Utc>,
) -> Result<EmployerPort, StartError> {
    use employer_api::{CALL_DEADLINE_MARGIN, DEFAULT_TIMEOUT, EmployerApiClient, EmployerMode};
    match settings.employer_mode()? {
        EmployerMode::Live(config) => {
            let client =
                EmployerApiClient::new(&config).map_err(|e| StartError::Employer(e.to_string()))?;
            tracing::info!(base_url = %config.base_url, key = config.has_api_key(), "Employer API: live mode");
            let client = Arc::new(client);
            Ok((client.clone(), config.call_deadline, Some(client)))
        }
        EmployerMode::Fixture => {
            let fixture = if demo {
                offline_fakes::OfflineEmployer::relative_to(now.date_naive())
            } else {
                offline_fakes::OfflineEmployer::fixed()
            };
            tracing::warn!(
                demo,
                "Employer API: fixture mode (the 15 fixture jobs, in process)"
            );
            Ok((
                Arc::new(fixture),
                DEFAULT_TIMEOUT + CALL_DEADLINE_MARGIN,
                None,
            ))
        }
    }
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
