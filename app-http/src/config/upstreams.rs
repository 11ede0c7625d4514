//! The Box and Employment Hero settings (upstreams.md U0.10, security.md S10.5), flattened into
//! [`super::Settings`] so they layer like every other setting. The adapters read them through
//! [`UpstreamSettings::lookup`] by their environment names, so their own parsing and checks apply.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The keys below, lowercased (the loader matches them case-insensitively).
pub const KEYS: &[&str] = &[
    "box_jwt_config_json",
    "box_jwt_config_path",
    "box_impersonation_user",
    "box_api_base_url",
    "box_token_url",
    "box_web_base_url",
    "box_template_path",
    "box_active_clients_path",
    "box_metadata_scope",
    "box_metadata_template_key",
    "box_metadata_field_map",
    "box_request_timeout_seconds",
    "eh_client_id",
    "eh_client_secret",
    "redirect_uri",
    "eh_authorize_url",
    "eh_token_url",
    "eh_api_base_url",
    "eh_organisation_id",
    "eh_send_verifier_on_refresh",
    "data_encryption_key",
    "data_encryption_key_previous",
];

/// S10.1 secrets among them; each also as `<NAME>_FILE`.
pub const SECRET_KEYS: &[&str] = &[
    "box_jwt_config_json",
    "eh_client_id",
    "eh_client_secret",
    "data_encryption_key",
    "data_encryption_key_previous",
];

/// Kept as text even when they look like numbers (ids, paths, JSON).
pub const TEXT_KEYS: &[&str] = &[
    "box_impersonation_user",
    "box_template_path",
    "box_active_clients_path",
    "box_metadata_field_map",
    "eh_organisation_id",
    // Checked by the adapters, whose errors name the setting (serde's flatten would lose it).
    "box_request_timeout_seconds",
    "eh_send_verifier_on_refresh",
];

#[derive(Clone, Default, Serialize, Deserialize)]
pub struct UpstreamSettings {
    #[serde(serialize_with = "super::expose::opt")]
    pub box_jwt_config_json: Option<SecretString>,
    pub box_jwt_config_path: Option<String>,
    pub box_impersonation_user: Option<String>,
    pub box_api_base_url: Option<String>,
    pub box_token_url: Option<String>,
    pub box_web_base_url: Option<String>,
    pub box_template_path: Option<String>,
    pub box_active_clients_path: Option<String>,
    pub box_metadata_scope: Option<String>,
    pub box_metadata_template_key: Option<String>,
    pub box_metadata_field_map: Option<String>,
    pub box_request_timeout_seconds: Option<String>,
    #[serde(serialize_with = "super::expose::opt")]
    pub eh_client_id: Option<SecretString>,
    #[serde(serialize_with = "super::expose::opt")]
    pub eh_client_secret: Option<SecretString>,
    pub redirect_uri: Option<String>,
    pub eh_authorize_url: Option<String>,
    pub eh_token_url: Option<String>,
    pub eh_api_base_url: Option<String>,
    pub eh_organisation_id: Option<String>,
    pub eh_send_verifier_on_refresh: Option<String>,
    #[serde(serialize_with = "super::expose::opt")]
    pub data_encryption_key: Option<SecretString>,
    #[serde(serialize_with = "super::expose::opt")]
    pub data_encryption_key_previous: Option<SecretString>,
}

/// Secrets show only whether they are set (S10.6).
impl std::fmt::Debug for UpstreamSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |s: &Option<SecretString>| if s.is_some() { "[set]" } else { "[unset]" };
        f.debug_struct("UpstreamSettings")
            .field("box_jwt_config_json", &set(&self.box_jwt_config_json))
            .field("box_template_path", &self.box_template_path)
            .field("box_active_clients_path", &self.box_active_clients_path)
            .field("eh_client_id", &set(&self.eh_client_id))
            .field("eh_client_secret", &set(&self.eh_client_secret))
            .field("redirect_uri", &self.redirect_uri)
            .field("data_encryption_key", &set(&self.data_encryption_key))
            .finish_non_exhaustive()
    }
}

impl UpstreamSettings {
    /// A setting by its environment name (`BOX_TEMPLATE_PATH`), as text; `None` when unset. For
    /// the adapters' own configuration readers only: the value may be a secret.
    pub fn lookup(&self, name: &str) -> Option<String> {
        let secret = |s: &Option<SecretString>| s.as_ref().map(|s| s.expose_secret().to_owned());
        match name.to_ascii_lowercase().as_str() {
            "box_jwt_config_json" => secret(&self.box_jwt_config_json),
            "box_jwt_config_path" => self.box_jwt_config_path.clone(),
            "box_impersonation_user" => self.box_impersonation_user.clone(),
            "box_api_base_url" => self.box_api_base_url.clone(),
            "box_token_url" => self.box_token_url.clone(),
            "box_web_base_url" => self.box_web_base_url.clone(),
            "box_template_path" => self.box_template_path.clone(),
            "box_active_clients_path" => self.box_active_clients_path.clone(),
            "box_metadata_scope" => self.box_metadata_scope.clone(),
            "box_metadata_template_key" => self.box_metadata_template_key.clone(),
            "box_metadata_field_map" => self.box_metadata_field_map.clone(),
            "box_request_timeout_seconds" => self.box_request_timeout_seconds.clone(),
            "eh_client_id" => secret(&self.eh_client_id),
            "eh_client_secret" => secret(&self.eh_client_secret),
            "redirect_uri" => self.redirect_uri.clone(),
            "eh_authorize_url" => self.eh_authorize_url.clone(),
            "eh_token_url" => self.eh_token_url.clone(),
            "eh_api_base_url" => self.eh_api_base_url.clone(),
            "eh_organisation_id" => self.eh_organisation_id.clone(),
            "eh_send_verifier_on_refresh" => self.eh_send_verifier_on_refresh.clone(),
            "data_encryption_key" => secret(&self.data_encryption_key),
            "data_encryption_key_previous" => secret(&self.data_encryption_key_previous),
            _ => None,
        }
    }

    /// H2.2.5: both folder paths, trimmed of surrounding slashes; `None` unless both are set.
    pub fn box_paths(&self) -> Option<(String, String)> {
        let clean = |p: &Option<String>| {
            p.as_deref()
                .map(|p| p.trim().trim_matches('/').to_owned())
                .filter(|p| !p.is_empty())
        };
        Some((
            clean(&self.box_active_clients_path)?,
            clean(&self.box_template_path)?,
        ))
    }
}
