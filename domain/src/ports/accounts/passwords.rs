//! Password hashing (security.md S1) as a port: Argon2id on a bounded blocking pool is the
//! adapter's business; the use cases only ask for a hash or a verdict.

use async_trait::async_trait;
use std::sync::Arc;

/// Hashing could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordHashError {
    /// No hashing slot within the wait limit (S1.5: 429 `rate_limited`, `Retry-After: 5`).
    #[error("password hashing is busy")]
    Busy,
    #[error("password hashing failed")]
    Failed,
}

/// Argon2id hashing and verification (S1.1, S1.2, S1.6).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string with a fresh salt.
    async fn hash_password(&self, password: String) -> Result<String, PasswordHashError>;

    /// Whether `password` matches `phc`; with `None` (unknown account) a dummy hash is verified
    /// so the call takes as long, and the answer is `false` (S1.6).
    async fn verify_password(
        &self,
        phc: Option<String>,
        password: String,
    ) -> Result<bool, PasswordHashError>;

    /// S1.2: the hash was not made with the current parameters.
    fn needs_rehash(&self, phc: &str) -> bool;
}

#[async_trait]
impl<T: PasswordHasher + ?Sized> PasswordHasher for Arc<T> {
    async fn hash_password(&self, password: String) -> Result<String, PasswordHashError> {
        (**self).hash_password(password).await
    }
    async fn verify_password(
        &self,
        phc: Option<String>,
        password: String,
    ) -> Result<bool, PasswordHashError> {
        (**self).verify_password(phc, password).await
    }
    fn needs_rehash(&self, phc: &str) -> bool {
        (**self).needs_rehash(phc)
    }
}
