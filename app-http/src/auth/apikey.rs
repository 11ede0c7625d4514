//! API keys (security.md S10.4): `Authorization: Bearer <key>` or `X-Api-Key`, compared in
//! constant time after hashing both sides, so neither content nor length leaks.

use crate::state::AppState;
use poem::Request;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The key the request presents, if any.
pub fn presented(req: &Request) -> Option<String> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(key) = header("x-api-key") {
        return Some(key.trim().to_owned());
    }
    header("authorization")
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|k| k.trim().to_owned())
}

/// The 1-based position of the matching configured key.
pub fn check(state: &AppState, presented: &str) -> Option<usize> {
    let keys = state.settings.sync_api_keys.as_ref()?;
    let given = Sha256::digest(presented.as_bytes());
    let mut found = None;
    for (i, key) in keys
        .expose_secret()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .enumerate()
    {
        let expected = Sha256::digest(key.as_bytes());
        if bool::from(expected.ct_eq(&given)) && found.is_none() {
            found = Some(i + 1);
        }
    }
    found
}
