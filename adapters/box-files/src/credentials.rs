//! The Box app's JWT configuration (upstreams.md U3.1) and its signing key. The client secret,
//! the private key and the passphrase are secrets: they never print (security.md S10.6).

use pkcs8::EncryptedPrivateKeyInfo;
use pkcs8::der::Decode;
use ring::signature::RsaKeyPair;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The JSON Box generates for a JWT app (`BOX_JWT_CONFIG_JSON` / `BOX_JWT_CONFIG_PATH`).
#[derive(Clone)]
pub struct BoxJwtCredentials {
    pub client_id: String,
    pub client_secret: SecretString,
    pub public_key_id: String,
    /// `-----BEGIN ENCRYPTED PRIVATE KEY-----`: PKCS#8, encrypted with `passphrase`.
    pub private_key: SecretString,
    pub passphrase: SecretString,
    pub enterprise_id: String,
}

impl std::fmt::Debug for BoxJwtCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoxJwtCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("public_key_id", &self.public_key_id)
            .field("private_key", &"[redacted]")
            .field("passphrase", &"[redacted]")
            .field("enterprise_id", &self.enterprise_id)
            .finish()
    }
}

/// Why the credentials cannot be used. Never carries key material or the JSON text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error("the Box JWT configuration is not valid JSON of the expected shape ({0})")]
    Json(String),
    #[error("the Box JWT configuration lacks {0}")]
    Missing(&'static str),
    #[error("the Box private key is not an encrypted PKCS#8 PEM")]
    KeyFormat,
    #[error("the Box private key cannot be decrypted with the passphrase")]
    Decrypt,
    #[error("the Box private key is not a usable RSA key ({0})")]
    Rsa(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    box_app_settings: AppSettings,
    #[serde(rename = "enterpriseID")]
    enterprise_id: Option<IdValue>,
}

#[derive(Deserialize)]
struct AppSettings {
    #[serde(rename = "clientID")]
    client_id: Option<String>,
    #[serde(rename = "clientSecret")]
    client_secret: Option<String>,
    #[serde(rename = "appAuth")]
    app_auth: AppAuth,
}

#[derive(Deserialize)]
struct AppAuth {
    #[serde(rename = "publicKeyID")]
    public_key_id: Option<String>,
    #[serde(rename = "privateKey")]
    private_key: Option<String>,
    passphrase: Option<String>,
}

/// Box writes the enterprise id as a string; tolerate a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue {
    Text(String),
    Number(u64),
}

impl BoxJwtCredentials {
    /// Reads Box's JSON. Errors name the missing field or the JSON position, never a value.
    pub fn from_json(json: &str) -> Result<BoxJwtCredentials, CredentialsError> {
        let wire: Wire = serde_json::from_str(json).map_err(|e| {
            CredentialsError::Json(format!("line {}, column {}", e.line(), e.column()))
        })?;
        let s = wire.box_app_settings;
        let given = |v: Option<String>, name| {
            v.filter(|v| !v.trim().is_empty())
                .ok_or(CredentialsError::Missing(name))
        };
        let enterprise_id = match wire.enterprise_id {
            Some(IdValue::Text(t)) => t,
            Some(IdValue::Number(n)) => n.to_string(),
            None => String::new(),
        };
        Ok(BoxJwtCredentials {
            client_id: given(s.client_id, "boxAppSettings.clientID")?,
            client_secret: given(s.client_secret, "boxAppSettings.clientSecret")?.into(),
            public_key_id: given(s.app_auth.public_key_id, "appAuth.publicKeyID")?,
            private_key: given(s.app_auth.private_key, "appAuth.privateKey")?.into(),
            passphrase: s.app_auth.passphrase.unwrap_or_default().into(),
            enterprise_id: given(Some(enterprise_id), "enterpriseID")?,
        })
    }

    /// Decrypts the private key with the passphrase (done once, at start-up).
    pub(crate) fn signing_key(&self) -> Result<RsaKeyPair, CredentialsError> {
        // Box's JSON may carry the PEM with literal `\n` sequences kept from copy and paste.
        let pem = self.private_key.expose_secret().replace("\\n", "\n");
        let (label, der) =
            pkcs8::Document::from_pem(pem.trim()).map_err(|_| CredentialsError::KeyFormat)?;
        if label != "ENCRYPTED PRIVATE KEY" {
            return Err(CredentialsError::KeyFormat);
        }
        let info = EncryptedPrivateKeyInfo::from_der(der.as_bytes())
            .map_err(|_| CredentialsError::KeyFormat)?;
        let plain = info
            .decrypt(self.passphrase.expose_secret().as_bytes())
            .map_err(|_| CredentialsError::Decrypt)?;
        // `plain` is a `SecretDocument`: zeroed when dropped.
        RsaKeyPair::from_pkcs8(plain.as_bytes()).map_err(|e| CredentialsError::Rsa(e.to_string()))
    }
}
