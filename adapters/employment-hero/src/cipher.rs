//! Encryption at rest of the EH tokens and PKCE verifiers (security.md S10.5): XChaCha20-Poly1305
//! with `DATA_ENCRYPTION_KEY`, a random 24-byte nonce per value, stored as
//! `v1:<base64(nonce ‖ ciphertext)>`. `DATA_ENCRYPTION_KEY_PREVIOUS` still decrypts; every write
//! uses the current key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;

/// Why a value could not be encrypted or decrypted. Never carries the value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    #[error("{0} is not the base64 of 32 bytes")]
    BadKey(&'static str),
    #[error("the system random source failed")]
    Random,
    #[error("a stored secret is not a v1 ciphertext")]
    Format,
    #[error("a stored secret does not decrypt with DATA_ENCRYPTION_KEY or its previous value")]
    Decrypt,
}

/// The data-encryption keys. Never prints them.
#[derive(Clone)]
pub struct TokenCipher {
    current: XChaCha20Poly1305,
    previous: Option<XChaCha20Poly1305>,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCipher")
            .field("current", &"[redacted]")
            .field("previous", &self.previous.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl TokenCipher {
    /// From the base64 keys of `DATA_ENCRYPTION_KEY` and `DATA_ENCRYPTION_KEY_PREVIOUS`.
    pub fn new(
        current: &SecretString,
        previous: Option<&SecretString>,
    ) -> Result<TokenCipher, CipherError> {
        Ok(TokenCipher {
            current: key(current, "DATA_ENCRYPTION_KEY")?,
            previous: previous
                .map(|p| key(p, "DATA_ENCRYPTION_KEY_PREVIOUS"))
                .transpose()?,
        })
    }

    pub fn encrypt(&self, plain: &str) -> Result<String, CipherError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| CipherError::Random)?;
        let sealed = self
            .current
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| CipherError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
    }

    pub fn decrypt(&self, stored: &str) -> Result<SecretString, CipherError> {
        let raw = stored
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|r| r.len() > NONCE_LEN)
            .ok_or(CipherError::Format)?;
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = XNonce::from_slice(nonce);
        let plain = std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find_map(|k| k.decrypt(nonce, sealed).ok())
            .ok_or(CipherError::Decrypt)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| CipherError::Decrypt)
    }
}

fn key(b64: &SecretString, name: &'static str) -> Result<XChaCha20Poly1305, CipherError> {
    let bytes = STANDARD
        .decode(b64.expose_secret().trim())
        .map_err(|_| CipherError::BadKey(name))?;
    XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| CipherError::BadKey(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(byte: u8) -> SecretString {
        SecretString::from(STANDARD.encode([byte; 32]))
    }

    #[test]
    fn round_trips_with_a_fresh_nonce_and_rotates_keys() {
        let old = TokenCipher::new(&k(1), None).unwrap();
        let a = old.encrypt("refresh-token").unwrap();
        let b = old.encrypt("refresh-token").unwrap();
        assert!(a.starts_with("v1:") && a != b, "random nonce per value");
        assert_eq!(old.decrypt(&a).unwrap().expose_secret(), "refresh-token");
        let rotated = TokenCipher::new(&k(2), Some(&k(1))).unwrap();
        assert_eq!(
            rotated.decrypt(&a).unwrap().expose_secret(),
            "refresh-token"
        );
        let fresh = rotated.encrypt("x").unwrap();
        assert_eq!(old.decrypt(&fresh).unwrap_err(), CipherError::Decrypt);
        assert_eq!(old.decrypt("plain").unwrap_err(), CipherError::Format);
    }

    #[test]
    fn bad_keys_are_named_and_keys_never_print() {
        let short = SecretString::from(STANDARD.encode([1u8; 16]));
        assert_eq!(
            TokenCipher::new(&short, None).unwrap_err(),
            CipherError::BadKey("DATA_ENCRYPTION_KEY")
        );
        let cipher = TokenCipher::new(&k(7), Some(&k(8))).unwrap();
        let shown = format!("{cipher:?}");
        assert!(!shown.contains(k(7).expose_secret()) && shown.contains("[redacted]"));
    }
}
