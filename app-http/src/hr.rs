//! The Employment Hero wiring (http-api.md H2.3, H2.9): the live client over the SQL credential
//! store when its settings are complete, for the OAuth connection and (outside demo mode) the
//! syncs; in demo mode the syncs read the offline HR fake. Missing settings are named, never
//! their values.

use crate::config::Settings;
use crate::state::DynClock;
use domain::ports::{HrConnection, HrDirectory};
use employment_hero::{EhConfig, EhConfigError, EmploymentHero, TokenCipher, setting};
use secrecy::SecretString;
use sql_store::SqlStore;
use std::sync::Arc;

/// What the HR routes use.
pub struct Hr {
    /// The syncs' source; `Err` names the missing settings (503 `not_configured`).
    pub directory: Result<Arc<dyn HrDirectory>, String>,
    /// The OAuth connection; `Err` names the missing settings.
    pub connection: Result<Arc<dyn HrConnection>, String>,
    /// Live Employment Hero's circuit breaker, for `/readyz` (`None`: not configured).
    pub breaker: Option<Arc<dyn crate::routes::service::BreakerReport>>,
}

impl std::fmt::Debug for Hr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hr")
            .field("directory", &self.directory.as_ref().map(|_| "ready"))
            .field("connection", &self.connection.as_ref().map(|_| "ready"))
            .finish()
    }
}

/// The live client, or the settings it lacks.
fn live(
    settings: &Settings,
    store: &SqlStore,
    clock: DynClock,
) -> Result<Arc<EmploymentHero<SqlStore>>, String> {
    let lookup = |name: &str| settings.upstreams.lookup(name);
    let mut missing = match EhConfig::from_lookup(lookup) {
        Err(EhConfigError::Missing(names)) => names,
        Err(e) => return Err(e.to_string()),
        Ok(_) => Vec::new(),
    };
    let key = setting(&lookup, "DATA_ENCRYPTION_KEY").map_err(|e| e.to_string())?;
    let previous = setting(&lookup, "DATA_ENCRYPTION_KEY_PREVIOUS").map_err(|e| e.to_string())?;
    if key.is_none() {
        missing.push("DATA_ENCRYPTION_KEY");
    }
    if !missing.is_empty() {
        return Err(format!("missing settings: {}", missing.join(", ")));
    }
    let config = EhConfig::from_lookup(lookup).map_err(|e| e.to_string())?;
    let key = SecretString::from(key.unwrap_or_default());
    let previous = previous.map(SecretString::from);
    let cipher = TokenCipher::new(&key, previous.as_ref()).map_err(|e| e.to_string())?;
    EmploymentHero::with_clock(config, store.clone(), cipher, clock)
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

pub fn build(
    settings: &Settings,
    store: &SqlStore,
    clock: DynClock,
    demo: Option<Arc<dyn HrDirectory>>,
) -> Hr {
    let live = live(settings, store, clock);
    if let Err(reason) = &live {
        tracing::info!(%reason, "Employment Hero is not configured");
    }
    let connection = live.clone().map(|eh| eh as Arc<dyn HrConnection>);
    let breaker = live.clone().ok().map(|eh| eh as _);
    let directory = match demo {
        Some(fake) => Ok(fake),
        None => live.map(|eh| eh as Arc<dyn HrDirectory>),
    };
    Hr {
        directory,
        connection,
        breaker,
    }
}
