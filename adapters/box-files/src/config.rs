//! How the Box client is set up (upstreams.md U0.10, U3.7): where Box is, the JWT credentials,
//! the user it acts as, the metadata template and the client budget. Secrets never print.

use crate::credentials::{BoxJwtCredentials, CredentialsError};
use domain::ports::MetadataField;
use std::collections::BTreeMap;
use std::time::Duration;

pub const DEFAULT_API_BASE_URL: &str = "https://api.box.com/2.0";
pub const DEFAULT_TOKEN_URL: &str = "https://api.box.com/oauth2/token";
pub const DEFAULT_WEB_BASE_URL: &str = "https://app.box.com";
/// The `aud` claim Box requires (U3.2), whatever token URL is configured.
pub const TOKEN_AUDIENCE: &str = "https://api.box.com/oauth2/token";

/// Everything the Box adapter needs. Build it with [`BoxConfig::new`] or [`BoxConfig::from_env`].
#[derive(Clone)]
pub struct BoxConfig {
    pub credentials: BoxJwtCredentials,
    /// `BOX_IMPERSONATION_USER`: a Box user id, or a login email resolved once (U3.4).
    pub impersonation_user: Option<String>,
    /// `BOX_API_BASE_URL`.
    pub api_base_url: String,
    /// `BOX_TOKEN_URL`.
    pub token_url: String,
    /// `BOX_WEB_BASE_URL`: folder links are `{base}/folder/{id}`.
    pub web_base_url: String,
    /// `BOX_METADATA_SCOPE` and `BOX_METADATA_TEMPLATE_KEY`: metadata is skipped when either is
    /// empty (U3.6).
    pub metadata_scope: String,
    pub metadata_template_key: String,
    /// `BOX_METADATA_FIELD_MAP`: our field → the template's key; absent fields keep their name.
    pub metadata_field_map: BTreeMap<MetadataField, String>,
    /// U3.7: connect 2 s.
    pub connect_timeout: Duration,
    /// `BOX_REQUEST_TIMEOUT_SECONDS` (20 s).
    pub request_timeout: Duration,
    /// U3.5: a copy may take 30 s.
    pub copy_timeout: Duration,
    /// U3.3: token calls 10 s.
    pub token_timeout: Duration,
    /// U3.7: full-jitter backoff base 1 s, cap 16 s.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// U3.7: 800 calls a minute, burst 50; zero disables.
    pub calls_per_minute: u32,
    pub burst: u32,
    /// U3.5: resolved folder paths are reused for an hour.
    pub path_cache_ttl: Duration,
    /// U3.3: a token is replaced this long before it expires.
    pub token_refresh_margin: Duration,
}

impl BoxConfig {
    /// The defaults of U0.10 and U3.7 with these credentials.
    pub fn new(credentials: BoxJwtCredentials) -> BoxConfig {
        BoxConfig {
            credentials,
            impersonation_user: None,
            api_base_url: DEFAULT_API_BASE_URL.to_owned(),
            token_url: DEFAULT_TOKEN_URL.to_owned(),
            web_base_url: DEFAULT_WEB_BASE_URL.to_owned(),
            metadata_scope: String::new(),
            metadata_template_key: String::new(),
            metadata_field_map: BTreeMap::new(),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(20),
            copy_timeout: Duration::from_secs(30),
            token_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(16),
            calls_per_minute: 800,
            burst: 50,
            path_cache_ttl: Duration::from_secs(3600),
            token_refresh_margin: Duration::from_secs(300),
        }
    }

    /// Reads the `BOX_*` variables through `var` (the caller resolves `_FILE` variants, S10.2).
    /// `Ok(None)` when neither `BOX_JWT_CONFIG_JSON` nor `BOX_JWT_CONFIG_PATH` is set: Box is not
    /// configured.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<BoxConfig>, BoxConfigError> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let json = match (set("BOX_JWT_CONFIG_JSON"), set("BOX_JWT_CONFIG_PATH")) {
            (Some(_), Some(_)) => return Err(BoxConfigError::BothConfigSources),
            (Some(json), None) => json,
            (None, Some(path)) => std::fs::read_to_string(path.trim())
                .map_err(|e| BoxConfigError::ConfigFile(e.kind().to_string()))?,
            (None, None) => return Ok(None),
        };
        let mut config = BoxConfig::new(BoxJwtCredentials::from_json(&json)?);
        config.impersonation_user = set("BOX_IMPERSONATION_USER").map(|v| v.trim().to_owned());
        let text = |name: &str, field: &mut String| {
            if let Some(v) = set(name) {
                *field = v.trim().to_owned();
            }
        };
        text("BOX_API_BASE_URL", &mut config.api_base_url);
        text("BOX_TOKEN_URL", &mut config.token_url);
        text("BOX_WEB_BASE_URL", &mut config.web_base_url);
        text("BOX_METADATA_SCOPE", &mut config.metadata_scope);
        text(
            "BOX_METADATA_TEMPLATE_KEY",
            &mut config.metadata_template_key,
        );
        if let Some(map) = set("BOX_METADATA_FIELD_MAP") {
            config.metadata_field_map = parse_field_map(&map)?;
        }
        if let Some(secs) = set("BOX_REQUEST_TIMEOUT_SECONDS") {
            let secs: u64 = secs
                .trim()
                .parse()
                .ok()
                .filter(|s| *s > 0)
                .ok_or(BoxConfigError::RequestTimeout)?;
            config.request_timeout = Duration::from_secs(secs);
        }
        Ok(Some(config))
    }

    /// The template key of one of our fields.
    pub fn metadata_key(&self, field: MetadataField) -> &str {
        self.metadata_field_map
            .get(&field)
            .map_or(field.as_str(), String::as_str)
    }

    pub fn metadata_configured(&self) -> bool {
        !self.metadata_scope.trim().is_empty() && !self.metadata_template_key.trim().is_empty()
    }
}

/// `BOX_METADATA_FIELD_MAP`: a JSON object from our field names to the template's keys.
pub fn parse_field_map(json: &str) -> Result<BTreeMap<MetadataField, String>, BoxConfigError> {
    let raw: BTreeMap<String, String> = serde_json::from_str(json)
        .map_err(|_| BoxConfigError::FieldMap("not a JSON object of strings".into()))?;
    raw.into_iter()
        .map(|(ours, theirs)| {
            let field = MetadataField::parse(ours.trim())
                .ok_or_else(|| BoxConfigError::FieldMap(format!("unknown field {ours:?}")))?;
            let key = theirs.trim();
            if key.is_empty() || key.contains('/') || key.contains('~') {
                return Err(BoxConfigError::FieldMap(format!("bad key for {ours:?}")));
            }
            Ok((field, key.to_owned()))
        })
        .collect()
}

/// Written by hand so the credentials can never print (security.md S10.6).
impl std::fmt::Debug for BoxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoxConfig")
            .field("credentials", &self.credentials)
            .field("impersonation_user", &self.impersonation_user)
            .field("api_base_url", &self.api_base_url)
            .field("token_url", &self.token_url)
            .field("web_base_url", &self.web_base_url)
            .field("metadata_scope", &self.metadata_scope)
            .field("metadata_template_key", &self.metadata_template_key)
            .field("metadata_field_map", &self.metadata_field_map)
            .field("request_timeout", &self.request_timeout)
            .field("copy_timeout", &self.copy_timeout)
            .field("calls_per_minute", &self.calls_per_minute)
            .finish_non_exhaustive()
    }
}

/// A configuration the client cannot start with (Box is then `not_configured`, H2.2.6). The
/// messages name variables, never values.
#[derive(Debug, thiserror::Error)]
pub enum BoxConfigError {
    #[error("set only one of BOX_JWT_CONFIG_JSON and BOX_JWT_CONFIG_PATH")]
    BothConfigSources,
    #[error("cannot read BOX_JWT_CONFIG_PATH ({0})")]
    ConfigFile(String),
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    #[error("BOX_METADATA_FIELD_MAP: {0}")]
    FieldMap(String),
    #[error("BOX_REQUEST_TIMEOUT_SECONDS is not a positive whole number")]
    RequestTimeout,
    #[error("{0} is not an http(s) URL")]
    Url(&'static str),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
