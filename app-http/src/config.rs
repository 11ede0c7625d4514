//! Typed, layered configuration (style.md 9; http-api.md H8; security.md S10, S15): defaults, then
//! `allot.toml` (or the file named by `ALLOT_CONFIG`), then the environment. Every secret may come
//! from `<NAME>_FILE` instead; both set is a start-up error. Secrets are `SecretString` and the
//! `Debug` output never shows them.

use domain::allocation::{Config as FirmConfig, ConfigValues};
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub mod upstreams;
pub use upstreams::UpstreamSettings;

/// Every setting the server reads, by its environment name (lowercased here).
const KEYS: &[&str] = &[
    "app_env",
    "host",
    "port",
    "public_base_url",
    "database_url",
    "run_migrations",
    "allocation_dedupe_days",
    "firm_timezone",
    "prestart_weeks",
    "buffer_weeks",
    "horizon_weeks",
    "max_clarifies_per_week",
    "base_limit_monthly",
    "solo_limit_monthly",
    "hubspot_token",
    "hubspot_base_url",
    "hubspot_client_secret",
    "hubspot_client_secret_previous",
    "hubspot_accept_v2_signatures",
    "hubspot_deal_owner_properties",
    "sync_api_keys",
    "trust_appengine_cron_header",
    "log_level",
    "log_format",
    "session_secret",
    "cookie_secure",
    "allowed_origins",
    "trust_proxy_hops",
    "admin_username",
    "admin_password",
    "demo_scenario",
    "admin_email",
    "portal_registration_open",
    "portal_registration_email_domains",
    "upload_dir",
    "password_blocklist_file",
    "portal_demo_employees",
    "employer_api_base_url",
    "employer_api_key",
    "employer_api_enabled",
    "employer_api_timeout",
    "job_cache_ttl_secs",
    "job_sync_failure_backoff_secs",
    "job_archive_days",
];

/// The secrets of S10.1 this server reads; each also as `<NAME>_FILE`.
const SECRET_KEYS: &[&str] = &[
    "database_url",
    "hubspot_token",
    "hubspot_client_secret",
    "hubspot_client_secret_previous",
    "sync_api_keys",
    "session_secret",
    "admin_password",
    "employer_api_key",
];

/// The published demo signing secret (H2.1.7): only ever used in demo mode.
pub const DEMO_CLIENT_SECRET: &str = "allot-demo-secret";

#[derive(Clone, Serialize, Deserialize)]
pub struct Settings {
    pub app_env: String,
    pub host: String,
    pub port: u16,
    pub public_base_url: Option<String>,
    #[serde(serialize_with = "expose::opt")]
    pub database_url: Option<SecretString>,
    pub run_migrations: bool,
    pub allocation_dedupe_days: u32,
    pub firm_timezone: String,
    pub prestart_weeks: u32,
    pub buffer_weeks: u32,
    pub horizon_weeks: u32,
    pub max_clarifies_per_week: u32,
    pub base_limit_monthly: u32,
    pub solo_limit_monthly: u32,
    #[serde(serialize_with = "expose::opt")]
    pub hubspot_token: Option<SecretString>,
    pub hubspot_base_url: Option<String>,
    #[serde(serialize_with = "expose::opt")]
    pub hubspot_client_secret: Option<SecretString>,
    #[serde(serialize_with = "expose::opt")]
    pub hubspot_client_secret_previous: Option<SecretString>,
    pub hubspot_accept_v2_signatures: bool,
    pub hubspot_deal_owner_properties: String,
    #[serde(serialize_with = "expose::opt")]
    pub sync_api_keys: Option<SecretString>,
    pub trust_appengine_cron_header: bool,
    pub log_level: String,
    pub log_format: String,
    #[serde(serialize_with = "expose::opt")]
    pub session_secret: Option<SecretString>,
    pub cookie_secure: bool,
    pub allowed_origins: Option<String>,
    pub trust_proxy_hops: u32,
    pub admin_username: Option<String>,
    #[serde(serialize_with = "expose::opt")]
    pub admin_password: Option<SecretString>,
    /// The scenario file the demo mode serves; the bundled demo firm when unset.
    pub demo_scenario: Option<PathBuf>,
    /// P3.5: the first admin's email; `<username>@admin.invalid` when unset.
    pub admin_email: Option<String>,
    /// P0.8: `false` → register answers 403 `registration_closed`.
    pub portal_registration_open: bool,
    /// P0.8: comma list of email domains allowed to register; empty allows all.
    pub portal_registration_email_domains: String,
    /// P0.8, S6.3: photo storage, outside any static web root.
    pub upload_dir: PathBuf,
    /// S1.4: one refused password per line.
    pub password_blocklist_file: Option<PathBuf>,
    /// Demo mode only: create the demo employees of `fixtures/demo/employees.json`.
    pub portal_demo_employees: bool,
    /// Box and Employment Hero (U0.10).
    #[serde(flatten)]
    pub upstreams: UpstreamSettings,
    /// P0.8: unset → fixture mode (P6.2).
    pub employer_api_base_url: Option<String>,
    #[serde(serialize_with = "expose::opt")]
    pub employer_api_key: Option<SecretString>,
    /// `None` = not set (true); production needs an explicit `false` for fixture mode (P6.2).
    pub employer_api_enabled: Option<bool>,
    pub employer_api_timeout: u64,
    pub job_cache_ttl_secs: i64,
    pub job_sync_failure_backoff_secs: i64,
    pub job_archive_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            app_env: "development".into(),
            host: "0.0.0.0".into(),
            port: 8080,
            public_base_url: None,
            database_url: None,
            run_migrations: true,
            allocation_dedupe_days: 7,
            firm_timezone: "Australia/Sydney".into(),
            prestart_weeks: 3,
            buffer_weeks: 2,
            horizon_weeks: 52,
            max_clarifies_per_week: 2,
            base_limit_monthly: 6,
            solo_limit_monthly: 4,
            hubspot_token: None,
            hubspot_base_url: None,
            hubspot_client_secret: None,
            hubspot_client_secret_previous: None,
            hubspot_accept_v2_signatures: false,
            hubspot_deal_owner_properties: "advisor".into(),
            sync_api_keys: None,
            trust_appengine_cron_header: false,
            log_level: "info".into(),
            log_format: "json".into(),
            session_secret: None,
            cookie_secure: true,
            allowed_origins: None,
            trust_proxy_hops: 0,
            admin_username: None,
            admin_password: None,
            demo_scenario: None,
            admin_email: None,
            portal_registration_open: true,
            portal_registration_email_domains: String::new(),
            upload_dir: PathBuf::from("./data/uploads"),
            password_blocklist_file: None,
            portal_demo_employees: true,
            upstreams: UpstreamSettings::default(),
            employer_api_base_url: None,
            employer_api_key: None,
            employer_api_enabled: None,
            employer_api_timeout: 10,
            job_cache_ttl_secs: 900,
            job_sync_failure_backoff_secs: 60,
            job_archive_days: 30,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |s: &Option<SecretString>| if s.is_some() { "[set]" } else { "[unset]" };
        f.debug_struct("Settings")
            .field("app_env", &self.app_env)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("public_base_url", &self.public_base_url)
            .field("database_url", &set(&self.database_url))
            .field("hubspot_token", &set(&self.hubspot_token))
            .field("hubspot_client_secret", &set(&self.hubspot_client_secret))
            .field("sync_api_keys", &set(&self.sync_api_keys))
            .field("session_secret", &set(&self.session_secret))
            .field("admin_username", &self.admin_username)
            .field("admin_password", &set(&self.admin_password))
            .field("employer_api_base_url", &self.employer_api_base_url)
            .field("employer_api_key", &set(&self.employer_api_key))
            .finish_non_exhaustive()
    }
}

/// A configuration problem that stops start-up. Names the setting, never its value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("both {0} and {0}_FILE are set; set one")]
    BothSet(String),
    #[error("{name}_FILE names a file that cannot be read: {source}")]
    SecretFile {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Defaults, then the TOML file, then the process environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let file = std::env::var("ALLOT_CONFIG").unwrap_or_else(|_| "allot.toml".into());
        Settings::from_sources(Some(PathBuf::from(file)), &env)
    }

    /// As [`Settings::load`] with an explicit file and environment (tests).
    pub fn from_sources(
        file: Option<PathBuf>,
        env: &[(String, String)],
    ) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file(file));
        }
        let lookup = |name: &str| {
            env.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        for key in KEYS.iter().chain(upstreams::KEYS) {
            if let Some(value) = lookup(key) {
                // Parsed like figment's Env provider: "8080" and "true" reach typed fields.
                // Secrets stay text whatever they look like.
                let text = SECRET_KEYS.contains(key)
                    || upstreams::SECRET_KEYS.contains(key)
                    || upstreams::TEXT_KEYS.contains(key);
                let value: figment::value::Value = if text {
                    figment::value::Value::from(value)
                } else {
                    value
                        .parse()
                        .unwrap_or_else(|_| figment::value::Value::from(value))
                };
                figment = figment.merge(Serialized::default(key, value));
            }
        }
        for key in SECRET_KEYS.iter().chain(upstreams::SECRET_KEYS) {
            let file_var = format!("{key}_file");
            if let Some(path) = lookup(&file_var) {
                if lookup(key).is_some() {
                    return Err(ConfigError::BothSet(key.to_uppercase()));
                }
                let mut value =
                    std::fs::read_to_string(&path).map_err(|source| ConfigError::SecretFile {
                        name: key.to_uppercase(),
                        source,
                    })?;
                if value.ends_with('\n') {
                    value.pop();
                }
                figment = figment.merge(Serialized::default(key, value));
            }
        }
        figment
            .extract::<Settings>()
            .map_err(|e| ConfigError::Invalid(redact_figment_error(&e)))
    }

    pub fn is_production(&self) -> bool {
        self.app_env.eq_ignore_ascii_case("production")
    }

    /// Demo mode (H2.1.7): no HubSpot token outside production.
    pub fn demo_mode(&self) -> bool {
        self.hubspot_token.is_none() && !self.is_production()
    }

    pub fn public_base_url(&self) -> String {
        self.public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", self.port))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The firm's allocation configuration (allocation.md CF1); out-of-range values stop start-up.
    pub fn firm_config(&self) -> Result<FirmConfig, ConfigError> {
        let tz: chrono_tz::Tz = self
            .firm_timezone
            .parse()
            .map_err(|_| ConfigError::Invalid("FIRM_TIMEZONE is not an IANA time zone".into()))?;
        let values = ConfigValues {
            prestart_weeks: self.prestart_weeks,
            buffer_weeks: self.buffer_weeks,
            horizon_weeks: self.horizon_weeks,
            max_clarifies_per_week: self.max_clarifies_per_week,
            base_limit_monthly: self.base_limit_monthly,
            solo_limit_monthly: self.solo_limit_monthly,
        };
        FirmConfig::new(tz, values).map_err(|e| ConfigError::Invalid(e.to_string()))
    }

    /// The deal properties written with the owner id (H2.1.5).
    pub fn deal_owner_properties(&self) -> Vec<String> {
        self.hubspot_deal_owner_properties
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect()
    }
}

/// figment errors quote values; keep only which key failed.
fn redact_figment_error(e: &figment::Error) -> String {
    match &e.path.last() {
        Some(key) => format!("{} has an invalid value", key.to_uppercase()),
        None => "the configuration could not be read".into(),
    }
}

pub(crate) mod expose {
    use secrecy::{ExposeSecret, SecretString};
    use serde::Serializer;

    /// Only used to feed the defaults layer to figment; never for output.
    pub fn opt<S: Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(v.expose_secret()),
            None => s.serialize_none(),
        }
    }
}

mod portal_jobs;

#[cfg(test)]
mod tests;
