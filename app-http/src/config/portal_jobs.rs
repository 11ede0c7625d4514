//! The job cache and Employer API settings (portal.md P0.8, P6.2), checked at start-up.

use super::{ConfigError, Settings};
use chrono::TimeDelta;
use domain::portal::jobs::CachePolicy;
use employer_api::{EmployerApiConfig, EmployerMode};
use secrecy::ExposeSecret;
use std::time::Duration;

fn in_range(name: &str, value: i64, min: i64, max: i64) -> Result<i64, ConfigError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::Invalid(format!(
            "{name} must be between {min} and {max}"
        )))
    }
}

impl Settings {
    /// `JOB_CACHE_TTL_SECS` (60..86400), `JOB_SYNC_FAILURE_BACKOFF_SECS` (1..86400),
    /// `JOB_ARCHIVE_DAYS` (1..3650).
    pub fn job_cache_policy(&self) -> Result<CachePolicy, ConfigError> {
        let ttl = in_range("JOB_CACHE_TTL_SECS", self.job_cache_ttl_secs, 60, 86_400)?;
        let backoff = in_range(
            "JOB_SYNC_FAILURE_BACKOFF_SECS",
            self.job_sync_failure_backoff_secs,
            1,
            86_400,
        )?;
        let days = in_range("JOB_ARCHIVE_DAYS", self.job_archive_days, 1, 3650)?;
        Ok(CachePolicy {
            ttl: TimeDelta::seconds(ttl),
            failure_backoff: TimeDelta::seconds(backoff),
            archive_after: TimeDelta::days(days),
        })
    }

    /// P6.2: live when a base URL is set and `EMPLOYER_API_ENABLED` is not false. In production,
    /// fixture mode must be asked for with `EMPLOYER_API_ENABLED=false` (security.md S10.3).
    pub fn employer_mode(&self) -> Result<EmployerMode, ConfigError> {
        let timeout = in_range(
            "EMPLOYER_API_TIMEOUT",
            i64::try_from(self.employer_api_timeout).unwrap_or(i64::MAX),
            1,
            60,
        )?;
        let base = self
            .employer_api_base_url
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        let enabled = self.employer_api_enabled.unwrap_or(true);
        let Some(base) = base.filter(|_| enabled) else {
            if self.is_production() && self.employer_api_enabled != Some(false) {
                return Err(ConfigError::Invalid(
                    "EMPLOYER_API_BASE_URL is required in production (or set EMPLOYER_API_ENABLED=false)"
                        .into(),
                ));
            }
            return Ok(EmployerMode::Fixture);
        };
        let mut config =
            EmployerApiConfig::new(base).with_timeout(Duration::from_secs(timeout.unsigned_abs()));
        if let Some(key) = &self.employer_api_key {
            config = config.with_api_key(key.expose_secret());
        }
        Ok(EmployerMode::Live(config))
    }
}
