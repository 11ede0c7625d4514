//! How the Firestore client is set up (upstreams.md U0.10, U4.2, U4.3, U4.7): the project and
//! database, where Firestore is, how it authenticates, and the client policy. The private key
//! never prints (security.md S10.6).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// Firestore's public REST API, before `/projects/…`.
pub const DEFAULT_BASE_URL: &str = "https://firestore.googleapis.com/v1";
/// Google's OAuth token endpoint, the `aud` of service-account assertions (U4.3).
pub const DEFAULT_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
/// The metadata server's token endpoint on Google Cloud (U4.3).
pub const DEFAULT_METADATA_TOKEN_URL: &str =
    "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token";
/// The scope of every token (U4.3).
pub const DATASTORE_SCOPE: &str = "https://www.googleapis.com/auth/datastore";

/// A service-account key file (`GOOGLE_APPLICATION_CREDENTIALS` / `FIRESTORE_CREDENTIALS_JSON`).
#[derive(Clone, Deserialize)]
pub struct ServiceAccountKey {
    pub client_email: String,
    /// The JWT header's `kid`.
    pub private_key_id: String,
    /// A PKCS#8 PEM.
    pub private_key: SecretString,
    /// Where assertions are exchanged for tokens; also their `aud`.
    #[serde(default = "default_token_url")]
    pub token_uri: String,
}

fn default_token_url() -> String {
    DEFAULT_TOKEN_URL.to_owned()
}

impl ServiceAccountKey {
    /// Reads a key file's JSON. The error never quotes the input.
    pub fn from_json(json: &str) -> Result<ServiceAccountKey, FirestoreConfigError> {
        let key: ServiceAccountKey = serde_json::from_str(json)
            .map_err(|e| FirestoreConfigError::Credentials(format!("{:?} error", e.classify())))?;
        if key.client_email.trim().is_empty() || key.private_key.expose_secret().trim().is_empty() {
            return Err(FirestoreConfigError::Credentials(
                "client_email or private_key is empty".into(),
            ));
        }
        Ok(key)
    }
}

impl std::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("private_key", &"[redacted]")
            .field("token_uri", &self.token_uri)
            .finish()
    }
}

/// How calls are authorised (U4.3).
#[derive(Clone, Debug)]
pub enum FirestoreAuth {
    /// RS256 assertions exchanged for access tokens.
    ServiceAccount(ServiceAccountKey),
    /// Tokens from the metadata server (on Google Cloud, without a key).
    Metadata { token_url: String },
    /// The emulator: every call sends `Authorization: Bearer owner`.
    Emulator,
}

/// Everything the Firestore adapter needs.
#[derive(Clone, Debug)]
pub struct FirestoreConfig {
    /// `FIRESTORE_PROJECT_ID`.
    pub project_id: String,
    /// `FIRESTORE_DATABASE` (`(default)`).
    pub database: String,
    /// The API root before `/projects/…` ([`DEFAULT_BASE_URL`], or `http://host:port/v1` for the
    /// emulator).
    pub base_url: String,
    pub auth: FirestoreAuth,
    /// U4.7: connect 2 s, request 10 s.
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// U4.7: full-jitter backoff base 250 ms, cap 8 s.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// U4.7: 50 requests per second; zero disables the budget.
    pub requests_per_sec: u32,
    /// U4.3: a token is renewed this long before it expires (5 minutes).
    pub renew_before: Duration,
}

impl FirestoreConfig {
    /// The U4 defaults for this project and way of authenticating.
    pub fn new(project_id: impl Into<String>, auth: FirestoreAuth) -> FirestoreConfig {
        FirestoreConfig {
            project_id: project_id.into(),
            database: "(default)".to_owned(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            auth,
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(8),
            requests_per_sec: 50,
            renew_before: Duration::from_secs(300),
        }
    }

    /// The emulator at `host:port` (U4.3).
    pub fn emulator(project_id: impl Into<String>, host: &str) -> FirestoreConfig {
        FirestoreConfig {
            base_url: format!("http://{}/v1", host.trim().trim_end_matches('/')),
            ..FirestoreConfig::new(project_id, FirestoreAuth::Emulator)
        }
    }

    /// Reads U0.10's variables through `var` (the caller resolves `<NAME>_FILE`, S10.2).
    /// `FIRESTORE_EMULATOR_HOST` wins; then inline JSON or a key file; else the metadata server.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<FirestoreConfig, FirestoreConfigError> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let project = set("FIRESTORE_PROJECT_ID").ok_or(FirestoreConfigError::NoProject)?;
        let mut config = if let Some(host) = set("FIRESTORE_EMULATOR_HOST") {
            FirestoreConfig::emulator(project, &host)
        } else {
            let auth = match (
                set("FIRESTORE_CREDENTIALS_JSON"),
                set("GOOGLE_APPLICATION_CREDENTIALS"),
            ) {
                (Some(_), Some(_)) => return Err(FirestoreConfigError::TwoCredentialSources),
                (Some(json), None) => {
                    FirestoreAuth::ServiceAccount(ServiceAccountKey::from_json(&json)?)
                }
                (None, Some(path)) => {
                    let json = std::fs::read_to_string(path.trim()).map_err(|e| {
                        FirestoreConfigError::Credentials(format!("cannot read the key file: {e}"))
                    })?;
                    FirestoreAuth::ServiceAccount(ServiceAccountKey::from_json(&json)?)
                }
                (None, None) => FirestoreAuth::Metadata {
                    token_url: DEFAULT_METADATA_TOKEN_URL.to_owned(),
                },
            };
            FirestoreConfig::new(project, auth)
        };
        if let Some(database) = set("FIRESTORE_DATABASE") {
            config.database = database.trim().to_owned();
        }
        Ok(config)
    }
}

/// A configuration the client cannot start with. Never quotes a secret.
#[derive(Debug, thiserror::Error)]
pub enum FirestoreConfigError {
    #[error("FIRESTORE_PROJECT_ID is not set")]
    NoProject,
    #[error("set only one of FIRESTORE_CREDENTIALS_JSON and GOOGLE_APPLICATION_CREDENTIALS")]
    TwoCredentialSources,
    #[error("the Firestore service-account key is unusable: {0}")]
    Credentials(String),
    #[error("the Firestore base URL is not an http(s) URL: {0}")]
    BaseUrl(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
