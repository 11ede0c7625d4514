//! Password hashing (security.md S1): Argon2id with the S1.1 parameters, a dummy hash for unknown
//! accounts (S1.6) and the rehash check (S1.2). The policy of S1.3 is the domain's
//! (`domain::portal::password`). Hashing runs on the blocking
//! pool behind a semaphore (S1.5).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::ports::PasswordHashError;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// S1.1.
const M_COST: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;

/// S1.5: how long a request waits for a hashing slot.
pub const SLOT_WAIT: Duration = Duration::from_secs(5);
/// S1.5: `PASSWORD_HASH_CONCURRENCY` default.
pub const DEFAULT_CONCURRENCY: usize = 8;

fn argon2() -> Result<Argon2<'static>, HashError> {
    let params =
        Params::new(M_COST, T_COST, P_COST, Some(OUTPUT_LEN)).map_err(|_| HashError::Failed)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashing could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// No slot within [`SLOT_WAIT`] (429 `rate_limited`, `Retry-After: 5`).
    #[error("password hashing is busy")]
    Busy,
    #[error("password hashing failed")]
    Failed,
}

/// The PHC string of `password` with a fresh 16-byte salt (blocking).
pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| HashError::Failed)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| HashError::Failed)?;
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| HashError::Failed)
}

/// Whether `password` matches the PHC string (blocking). A malformed hash never matches.
pub fn verify_blocking(phc: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    // Verification uses the parameters stored in the hash.
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// S1.2: a hash not made with exactly the S1.1 parameters.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let param = |name: &str| parsed.params.get_decimal(name);
    parsed.algorithm.as_str() != "argon2id"
        || parsed.version != Some(0x13)
        || param("m") != Some(M_COST)
        || param("t") != Some(T_COST)
        || param("p") != Some(P_COST)
        || parsed.hash.map(|h| h.len()) != Some(OUTPUT_LEN)
}

/// S1.6: verified against for unknown accounts, so they take as long as known ones.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_blocking("allot-dummy-password-never-matches").unwrap_or_else(|_| {
        "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()
    })
});

/// The hashing pool: a semaphore in front of `spawn_blocking` (S1.5).
#[derive(Clone, Debug)]
pub struct Hasher {
    slots: Arc<Semaphore>,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher::new(DEFAULT_CONCURRENCY)
    }
}

impl Hasher {
    pub fn new(concurrency: usize) -> Hasher {
        Hasher {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = tokio::time::timeout(SLOT_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Failed)?;
        let out = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|_| HashError::Failed)?;
        Ok(out)
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Verifies against `phc`, or against the dummy hash when there is no account (always
    /// `false` then, after the same work).
    pub async fn verify(&self, phc: Option<String>, password: String) -> Result<bool, HashError> {
        self.run(move || match phc {
            Some(phc) => verify_blocking(&phc, &password),
            None => {
                let _ = verify_blocking(&DUMMY_HASH, &password);
                false
            }
        })
        .await
    }
}

#[async_trait::async_trait]
impl domain::ports::PasswordHasher for Hasher {
    async fn hash_password(&self, password: String) -> Result<String, PasswordHashError> {
        self.hash(password).await.map_err(Into::into)
    }

    async fn verify_password(
        &self,
        phc: Option<String>,
        password: String,
    ) -> Result<bool, PasswordHashError> {
        self.verify(phc, password).await.map_err(Into::into)
    }

    fn needs_rehash(&self, phc: &str) -> bool {
        needs_rehash(phc)
    }
}

impl From<HashError> for PasswordHashError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => PasswordHashError::Busy,
            HashError::Failed => PasswordHashError::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_use_the_s1_1_parameters_and_verify() {
        let phc = hash_blocking("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!needs_rehash(&phc));
        assert!(verify_blocking(&phc, "correct horse battery"));
        assert!(!verify_blocking(&phc, "correct horse batter"));
        assert!(!verify_blocking("not a hash", "x"));
    }

    #[test]
    fn weaker_hashes_are_upgraded() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, Some(32)).unwrap(),
        )
        .hash_password(b"pw", &SaltString::encode_b64(&[1u8; 16]).unwrap())
        .unwrap()
        .to_string();
        assert!(needs_rehash(&weak));
        assert!(verify_blocking(&weak, "pw"));
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        assert!(!needs_rehash(&DUMMY_HASH));
    }
}
