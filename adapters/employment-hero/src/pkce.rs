//! The one-time values of the authorisation request (upstreams.md U2.2): `state` (32 random
//! bytes) and the PKCE `code_verifier` (48 random bytes), both base64url without padding from the
//! system CSPRNG, and the S256 `code_challenge`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// `n` bytes from the system CSPRNG, base64url without padding.
fn random_b64(n: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A fresh OAuth `state`: 43 characters.
pub fn new_state() -> Result<String, getrandom::Error> {
    random_b64(32)
}

/// A fresh PKCE verifier: 64 characters of `[A-Za-z0-9_-]` (RFC 7636 allows 43–128).
pub fn new_code_verifier() -> Result<SecretString, getrandom::Error> {
    random_b64(48).map(SecretString::from)
}

/// `base64url-without-padding(SHA-256(verifier))`, the S256 method.
pub fn code_challenge(verifier: &SecretString) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose_secret().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_example() {
        let verifier = SecretString::from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            code_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn lengths_and_alphabet_are_as_specified_and_values_differ() {
        let state = new_state().unwrap();
        assert_eq!(state.len(), 43);
        let v = new_code_verifier().unwrap();
        let v = v.expose_secret();
        assert_eq!(v.len(), 64);
        assert!(
            v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(new_code_verifier().unwrap().expose_secret(), v);
        assert_ne!(new_state().unwrap(), state);
    }
}
