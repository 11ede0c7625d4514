//! How the Employer API client is set up (portal.md P0.8, upstreams.md U5.4): where the API is,
//! the optional key, the timeouts and the budget. The key never prints.

use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// `EMPLOYER_API_TIMEOUT` when unset: 10 s (P0.8).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much longer than one request a whole call may take, retries included: the time a caller
/// of a running sync waits for it (P6.4: `EMPLOYER_API_TIMEOUT` + 5 s).
pub const CALL_DEADLINE_MARGIN: Duration = Duration::from_secs(5);

/// Everything the Employer API client needs. Build it with [`EmployerApiConfig::new`] and change
/// the fields the deployment sets.
#[derive(Clone)]
pub struct EmployerApiConfig {
    /// `EMPLOYER_API_BASE_URL`, with or without a trailing slash.
    pub base_url: String,
    /// `EMPLOYER_API_KEY`, sent as `x-api-key` when set (U5.1). A blank key counts as unset.
    pub api_key: Option<SecretString>,
    /// U5.4: connect 2 s.
    pub connect_timeout: Duration,
    /// `EMPLOYER_API_TIMEOUT` (U5.4): one request, 10 s.
    pub request_timeout: Duration,
    /// One port call, retries and waits included: no attempt starts that would end later (U0.2).
    pub call_deadline: Duration,
    /// U5.4: full-jitter backoff base 500 ms, cap 4 s.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// U5.4: 10 requests per second, burst 20; zero disables the budget.
    pub requests_per_sec: u32,
    pub burst: u32,
}

impl EmployerApiConfig {
    /// The U5.4 defaults for this base URL, without a key.
    pub fn new(base_url: impl Into<String>) -> EmployerApiConfig {
        EmployerApiConfig {
            base_url: base_url.into(),
            api_key: None,
            connect_timeout: Duration::from_secs(2),
            request_timeout: DEFAULT_TIMEOUT,
            call_deadline: DEFAULT_TIMEOUT + CALL_DEADLINE_MARGIN,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(4),
            requests_per_sec: 10,
            burst: 20,
        }
    }

    /// This configuration with `EMPLOYER_API_KEY` set; a blank key leaves it unset.
    pub fn with_api_key(self, key: impl Into<String>) -> EmployerApiConfig {
        let key = key.into();
        EmployerApiConfig {
            api_key: (!key.trim().is_empty()).then(|| SecretString::from(key)),
            ..self
        }
    }

    /// Whether a usable key is configured.
    pub fn has_api_key(&self) -> bool {
        self.api_key
            .as_ref()
            .is_some_and(|k| !k.expose_secret().trim().is_empty())
    }

    /// This configuration with `EMPLOYER_API_TIMEOUT`, and the call deadline that goes with it.
    pub fn with_timeout(self, timeout: Duration) -> EmployerApiConfig {
        EmployerApiConfig {
            request_timeout: timeout,
            call_deadline: timeout + CALL_DEADLINE_MARGIN,
            ..self
        }
    }
}

/// Written by hand so the key can never print (security.md S10.6).
impl std::fmt::Debug for EmployerApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmployerApiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("call_deadline", &self.call_deadline)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_cap", &self.backoff_cap)
            .field("requests_per_sec", &self.requests_per_sec)
            .field("burst", &self.burst)
            .finish()
    }
}

/// Where the portal's jobs come from (portal.md P6.2).
#[derive(Clone, Debug)]
pub enum EmployerMode {
    /// The Employer API at this configuration.
    Live(EmployerApiConfig),
    /// The in-process fixture (U5.8): no base URL, or `EMPLOYER_API_ENABLED=false`.
    Fixture,
}

impl EmployerMode {
    /// Reads P0.8's `EMPLOYER_API_*` variables through `var`, which returns a variable's value
    /// (after the application's `_FILE` handling, security.md S10.2) or `None` when unset. The
    /// production rule that fixture mode must be explicit (S10.3) is the application's.
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<EmployerMode, EmployerConfigError> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let enabled = match set("EMPLOYER_API_ENABLED") {
            None => true,
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => return Err(EmployerConfigError::Enabled),
            },
        };
        let Some(base_url) = set("EMPLOYER_API_BASE_URL").filter(|_| enabled) else {
            return Ok(EmployerMode::Fixture);
        };
        let mut config = EmployerApiConfig::new(base_url.trim());
        if let Some(timeout) = set("EMPLOYER_API_TIMEOUT") {
            let secs = timeout
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=60).contains(s))
                .ok_or(EmployerConfigError::Timeout)?;
            config = config.with_timeout(Duration::from_secs(secs));
        }
        if let Some(key) = var("EMPLOYER_API_KEY") {
            config = config.with_api_key(key);
        }
        Ok(EmployerMode::Live(config))
    }
}

/// A configuration the client cannot start with. Messages name the variable, never its value.
#[derive(Debug, thiserror::Error)]
pub enum EmployerConfigError {
    #[error("EMPLOYER_API_BASE_URL is not an http(s) URL")]
    BaseUrl,
    #[error("EMPLOYER_API_KEY cannot be sent as a header value")]
    ApiKey,
    #[error("EMPLOYER_API_TIMEOUT must be whole seconds between 1 and 60")]
    Timeout,
    #[error("EMPLOYER_API_ENABLED must be true or false")]
    Enabled,
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
