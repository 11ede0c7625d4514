//! The JWT assertion of Box's server authentication (upstreams.md U3.2): RS256 over the
//! enterprise claims, a fresh random `jti` for every token request, valid 45 s.

use crate::config::TOKEN_AUDIENCE;
use crate::credentials::{BoxJwtCredentials, CredentialsError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use secrecy::SecretString;
use std::time::{SystemTime, UNIX_EPOCH};

/// U3.2: `exp` is 45 s after `iat`; Box refuses more than 60.
const LIFETIME_SECS: u64 = 45;

/// Signs assertions for one Box app.
pub(crate) struct AssertionSigner {
    key: RsaKeyPair,
    rng: SystemRandom,
    client_id: String,
    enterprise_id: String,
    key_id: String,
}

impl std::fmt::Debug for AssertionSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssertionSigner")
            .field("client_id", &self.client_id)
            .field("key_id", &self.key_id)
            .field("key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl AssertionSigner {
    /// Decrypts the key now, so a wrong passphrase fails at start-up (U3.1).
    pub(crate) fn new(
        credentials: &BoxJwtCredentials,
    ) -> Result<AssertionSigner, CredentialsError> {
        Ok(AssertionSigner {
            key: credentials.signing_key()?,
            rng: SystemRandom::new(),
            client_id: credentials.client_id.clone(),
            enterprise_id: credentials.enterprise_id.clone(),
            key_id: credentials.public_key_id.clone(),
        })
    }

    /// A new signed assertion; `None` only if the system random source fails.
    pub(crate) fn assertion(&self) -> Option<SecretString> {
        let mut jti = [0u8; 32];
        self.rng.fill(&mut jti).ok()?;
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": self.key_id});
        let claims = serde_json::json!({
            "iss": self.client_id,
            "sub": self.enterprise_id,
            "box_sub_type": "enterprise",
            "aud": TOKEN_AUDIENCE,
            "jti": URL_SAFE_NO_PAD.encode(jti),
            "iat": iat,
            "exp": iat + LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .ok()?;
        Some(SecretString::from(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }
}
