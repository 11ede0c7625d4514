//! How the Employment Hero client is set up (upstreams.md U0.10, U2.8): the OAuth client, the
//! three URLs, the organisation, the budget and timeouts. Secrets never print (security.md S10).

use secrecy::SecretString;
use std::time::Duration;
use upstream_http::RateBudget;

pub const DEFAULT_AUTHORIZE_URL: &str = "https://oauth.employmenthero.com/oauth2/authorize";
pub const DEFAULT_TOKEN_URL: &str = "https://oauth.employmenthero.com/oauth2/token";
pub const DEFAULT_API_BASE_URL: &str = "https://api.employmenthero.com";

/// Everything the adapter needs. Build it with [`EhConfig::new`] or [`EhConfig::from_lookup`].
#[derive(Clone)]
pub struct EhConfig {
    /// `EH_CLIENT_ID`: not secret, but handled alike (U0.10).
    pub client_id: SecretString,
    /// `EH_CLIENT_SECRET`.
    pub client_secret: SecretString,
    /// `REDIRECT_URI`: needed to connect (H2.9), not to sync.
    pub redirect_uri: Option<String>,
    pub authorize_url: String,
    pub token_url: String,
    pub api_base_url: String,
    /// `EH_ORGANISATION_ID` (U2.5).
    pub organisation_id: Option<String>,
    /// `EH_SEND_VERIFIER_ON_REFRESH` (U2.4, unconfirmed requirement).
    pub send_verifier_on_refresh: bool,
    /// U2.7: `item_per_page` sent on every page.
    pub item_per_page: u32,
    /// U2.7: more pages than this is an `InvalidResponse`.
    pub max_pages: u32,
    /// U2.8: 1.5 requests/s sustained, burst 15; `None` disables.
    pub budget: Option<RateBudget>,
    pub connect_timeout: Duration,
    /// U2.8: API pages, 20 s.
    pub request_timeout: Duration,
    /// U2.3: the token endpoint, 10 s.
    pub token_timeout: Duration,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// U2.4: how long a caller waits for another process's refresh, and when a refresh marker
    /// counts as abandoned.
    pub refresh_wait: Duration,
    /// How often a waiting caller re-reads the credential.
    pub refresh_poll: Duration,
}

impl EhConfig {
    /// The defaults of U0.10 and U2.8 with this OAuth client.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> EhConfig {
        EhConfig {
            client_id: SecretString::from(client_id.into()),
            client_secret: SecretString::from(client_secret.into()),
            redirect_uri: None,
            authorize_url: DEFAULT_AUTHORIZE_URL.to_owned(),
            token_url: DEFAULT_TOKEN_URL.to_owned(),
            api_base_url: DEFAULT_API_BASE_URL.to_owned(),
            organisation_id: None,
            send_verifier_on_refresh: false,
            item_per_page: 100,
            max_pages: 1_000,
            budget: Some(RateBudget {
                burst: 15,
                per: Duration::from_secs(10),
            }),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(20),
            token_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(8),
            refresh_wait: Duration::from_secs(15),
            refresh_poll: Duration::from_millis(250),
        }
    }

    /// From settings as `lookup` finds them (the environment in production): each variable of
    /// U0.10, or for the secrets `<NAME>_FILE` naming a file holding it (S10.2). Every missing
    /// required setting is named in one error.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<EhConfig, EhConfigError> {
        let id = setting(&lookup, "EH_CLIENT_ID")?;
        let secret = setting(&lookup, "EH_CLIENT_SECRET")?;
        let (id, secret) = match (id, secret) {
            (Some(id), Some(secret)) => (id, secret),
            (id, secret) => {
                let missing = [("EH_CLIENT_ID", id), ("EH_CLIENT_SECRET", secret)]
                    .into_iter()
                    .filter(|(_, v)| v.is_none())
                    .map(|(n, _)| n)
                    .collect();
                return Err(EhConfigError::Missing(missing));
            }
        };
        let plain = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut config = EhConfig::new(id, secret);
        config.redirect_uri = plain("REDIRECT_URI");
        config.organisation_id = plain("EH_ORGANISATION_ID").map(|v| v.trim().to_owned());
        for (name, field) in [
            ("EH_AUTHORIZE_URL", &mut config.authorize_url),
            ("EH_TOKEN_URL", &mut config.token_url),
            ("EH_API_BASE_URL", &mut config.api_base_url),
        ] {
            if let Some(v) = plain(name) {
                *field = v.trim().to_owned();
            }
        }
        if let Some(v) = plain("EH_SEND_VERIFIER_ON_REFRESH") {
            config.send_verifier_on_refresh = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => return Err(EhConfigError::Invalid("EH_SEND_VERIFIER_ON_REFRESH")),
            };
        }
        Ok(config)
    }
}

/// A secret setting from `NAME` or `NAME_FILE` (one trailing newline removed); both set is an
/// error (S10.2). Blank counts as unset.
pub fn setting(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<String>, EhConfigError> {
    let direct = lookup(name).filter(|v| !v.is_empty());
    let file = lookup(&format!("{name}_FILE")).filter(|v| !v.is_empty());
    let value = match (direct, file) {
        (Some(_), Some(_)) => return Err(EhConfigError::BothSet(name)),
        (Some(v), None) => v,
        (None, Some(path)) => {
            let mut v = std::fs::read_to_string(path).map_err(|_| EhConfigError::File(name))?;
            if v.ends_with('\n') {
                v.pop();
                if v.ends_with('\r') {
                    v.pop();
                }
            }
            v
        }
        (None, None) => return Ok(None),
    };
    Ok(Some(value).filter(|v| !v.trim().is_empty()))
}

/// Written by hand so the client secret never prints (style.md 9).
impl std::fmt::Debug for EhConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EhConfig")
            .field("client_id", &"[redacted]")
            .field("client_secret", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("api_base_url", &self.api_base_url)
            .field("organisation_id", &self.organisation_id)
            .field("send_verifier_on_refresh", &self.send_verifier_on_refresh)
            .field("item_per_page", &self.item_per_page)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// A configuration the client cannot start with. Names settings, never values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EhConfigError {
    #[error("missing settings: {}", .0.join(", "))]
    Missing(Vec<&'static str>),
    #[error("{0} and {0}_FILE are both set")]
    BothSet(&'static str),
    #[error("the file named by {0}_FILE cannot be read")]
    File(&'static str),
    #[error("{0} is not valid")]
    Invalid(&'static str),
    #[error("{0} is not an http(s) URL")]
    Url(&'static str),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
