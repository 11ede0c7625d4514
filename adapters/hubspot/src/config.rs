//! How the HubSpot client is set up (upstreams.md U0.10, U1.3): where HubSpot is, the private-app
//! token, the caches, the deal pipeline, and the client budgets. The token never prints.

use secrecy::SecretString;
use std::time::Duration;

/// HubSpot's public API (`HUBSPOT_BASE_URL`).
pub const DEFAULT_BASE_URL: &str = "https://api.hubapi.com";
/// The production onboarding pipeline (`HUBSPOT_DEAL_PIPELINE_ID`, U1.9).
pub const DEFAULT_DEAL_PIPELINE_ID: &str = "152417162";
/// The onboarding stages (`HUBSPOT_DEAL_STAGE_IDS`, U1.9).
pub const DEFAULT_DEAL_STAGE_IDS: [&str; 3] = ["257144337", "257144338", "257144339"];

/// Everything the HubSpot adapter needs. Build it with [`HubSpotConfig::new`] and change the
/// fields the deployment sets.
#[derive(Clone)]
pub struct HubSpotConfig {
    /// `HUBSPOT_BASE_URL`, without a trailing slash (one is tolerated).
    pub base_url: String,
    /// `HUBSPOT_TOKEN`: the private app's access token, sent as `Authorization: Bearer`.
    pub token: SecretString,
    /// `HUBSPOT_USERS_CACHE_SECS` (U1.4): how long the user listing is reused; zero disables.
    pub users_cache_ttl: Duration,
    /// How long owner names are reused (U1.5: 10 minutes); zero disables.
    pub owners_cache_ttl: Duration,
    /// `HUBSPOT_DEAL_PIPELINE_ID` (U1.9).
    pub deal_pipeline_id: String,
    /// `HUBSPOT_DEAL_STAGE_IDS` (U1.9).
    pub deal_stage_ids: Vec<String>,
    /// `HUBSPOT_DEAL_OWNER_PROPERTIES` (U1.6): every deal property the owner id is written to.
    pub deal_owner_properties: Vec<String>,
    /// `HUBSPOT_BURST_PER_10S` (U1.3): the general bucket, shared by every call; zero disables.
    pub burst_per_10s: u32,
    /// `HUBSPOT_SEARCH_PER_SEC` (U1.3): the search bucket, burst of the same size; zero disables.
    pub search_per_sec: u32,
    /// The most owner ids one meetings search filters on (U1.8: 50; U7.5 may lower it).
    pub meeting_batch_size: usize,
    /// The wait after a 429 without `Retry-After` (U0.5: one 10 s rolling window).
    pub wait_429_without_retry_after: Duration,
    /// U1.3: connect 2 s.
    pub connect_timeout: Duration,
    /// U1.3: request 10 s.
    pub request_timeout: Duration,
    /// U1.3: full-jitter backoff base 500 ms.
    pub backoff_base: Duration,
    /// U1.3: backoff cap 8 s.
    pub backoff_cap: Duration,
    /// `HUBSPOT_ACCOUNT_TIMEZONE` (U1.3): the daily quota resets at midnight there. Defaults to
    /// the firm's zone.
    pub account_timezone: chrono_tz::Tz,
}

impl HubSpotConfig {
    /// The defaults of U0.10 and U1.3 with this token.
    pub fn new(token: impl Into<String>) -> HubSpotConfig {
        HubSpotConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token: SecretString::from(token.into()),
            users_cache_ttl: Duration::from_secs(120),
            owners_cache_ttl: Duration::from_secs(600),
            deal_pipeline_id: DEFAULT_DEAL_PIPELINE_ID.to_owned(),
            deal_stage_ids: DEFAULT_DEAL_STAGE_IDS.map(String::from).to_vec(),
            deal_owner_properties: vec!["advisor".to_owned()],
            burst_per_10s: 150,
            search_per_sec: 4,
            meeting_batch_size: 50,
            wait_429_without_retry_after: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(8),
            account_timezone: chrono_tz::Australia::Sydney,
        }
    }
}

/// Written by hand so the token can never print (style.md 9).
impl std::fmt::Debug for HubSpotConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubSpotConfig")
            .field("base_url", &self.base_url)
            .field("token", &"[redacted]")
            .field("users_cache_ttl", &self.users_cache_ttl)
            .field("owners_cache_ttl", &self.owners_cache_ttl)
            .field("deal_pipeline_id", &self.deal_pipeline_id)
            .field("deal_stage_ids", &self.deal_stage_ids)
            .field("deal_owner_properties", &self.deal_owner_properties)
            .field("burst_per_10s", &self.burst_per_10s)
            .field("search_per_sec", &self.search_per_sec)
            .field("meeting_batch_size", &self.meeting_batch_size)
            .field(
                "wait_429_without_retry_after",
                &self.wait_429_without_retry_after,
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_cap", &self.backoff_cap)
            .finish()
    }
}

/// A configuration the client cannot start with.
#[derive(Debug, thiserror::Error)]
pub enum HubSpotConfigError {
    #[error("HUBSPOT_BASE_URL is not an http(s) URL: {0}")]
    BaseUrl(String),
    #[error("HUBSPOT_TOKEN is empty")]
    EmptyToken,
    #[error("HUBSPOT_DEAL_OWNER_PROPERTIES names no property")]
    NoDealOwnerProperties,
    #[error("HUBSPOT_DEAL_STAGE_IDS names no stage")]
    NoDealStages,
    #[error("the meeting batch size must be between 1 and 50 (U1.8 body limit)")]
    MeetingBatchSize,
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
