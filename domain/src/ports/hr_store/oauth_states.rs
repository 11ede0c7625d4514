//! One-time OAuth `state` values of the Employment Hero connect flow (H2.9, H7.9).

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A state issued by `/auth/start`. Only hashes are stored: the state and the session id never
/// are (H7.9); the verifier is an S10.5 ciphertext.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthState {
    /// SHA-256 hex of the state.
    pub state_hash: String,
    /// SHA-256 hex of the session id the state is bound to.
    pub session_id_hash: String,
    pub code_verifier_enc: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthState")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Storing a state whose hash is already stored (a state is 32 random bytes, so this means a
/// broken random source or a replayed insert).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OAuthStateInsertError {
    #[error("this OAuth state is already stored")]
    DuplicateState,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The `oauth_states` table (H7.9).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OAuthStateStore: Send + Sync {
    async fn insert_oauth_state(&self, state: OAuthState) -> Result<(), OAuthStateInsertError>;

    /// Uses the state once (H2.9.2): marks it used and returns it if it exists, belongs to this
    /// session, is unused and `now < expires_at`. Anything else is `None` and changes nothing,
    /// so another session cannot burn a state. Concurrent takes give one `Some`.
    async fn take_oauth_state(
        &self,
        state_hash: &str,
        session_id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthState>, StoreError>;

    /// Deletes every state with `expires_at <= now`, used or not; returns how many.
    async fn purge_expired_oauth_states(&self, now: DateTime<Utc>) -> Result<usize, StoreError>;
}

#[async_trait]
impl<T: OAuthStateStore + ?Sized> OAuthStateStore for Arc<T> {
    async fn insert_oauth_state(&self, state: OAuthState) -> Result<(), OAuthStateInsertError> {
        (**self).insert_oauth_state(state).await
    }
    async fn take_oauth_state(
        &self,
        state_hash: &str,
        session_id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthState>, StoreError> {
        (**self)
            .take_oauth_state(state_hash, session_id_hash, now)
            .await
    }
    async fn purge_expired_oauth_states(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        (**self).purge_expired_oauth_states(now).await
    }
}
