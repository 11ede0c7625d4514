//! The Employment Hero OAuth credential (H7.8) and the single-flight refresh of upstreams.md
//! U2.4. Tokens and the PKCE verifier arrive and leave already encrypted (security.md S10.5):
//! the store never sees a plaintext secret.

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;

/// Whether the credential can still be refreshed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EhCredentialStatus {
    Active,
    /// EH refused the refresh token: an admin must reconnect (H2.3.4).
    ReauthRequired,
}

impl EhCredentialStatus {
    /// The stored snake_case name (H7.8).
    pub fn as_str(self) -> &'static str {
        match self {
            EhCredentialStatus::Active => "active",
            EhCredentialStatus::ReauthRequired => "reauth_required",
        }
    }

    pub fn parse(s: &str) -> Option<EhCredentialStatus> {
        match s {
            "active" => Some(EhCredentialStatus::Active),
            "reauth_required" => Some(EhCredentialStatus::ReauthRequired),
            _ => None,
        }
    }
}

/// The credential row (H7.8). `*_enc` fields are S10.5 ciphertexts.
#[derive(Clone, PartialEq, Eq)]
pub struct EhCredentials {
    pub access_token_enc: String,
    pub refresh_token_enc: String,
    pub code_verifier_enc: String,
    pub expires_at: DateTime<Utc>,
    /// Set while one process refreshes (U2.4).
    pub refreshing_since: Option<DateTime<Utc>>,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub status: EhCredentialStatus,
    pub updated_at: DateTime<Utc>,
}

// Even encrypted, tokens stay out of logs (S10.6).
impl std::fmt::Debug for EhCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EhCredentials")
            .field("expires_at", &self.expires_at)
            .field("refreshing_since", &self.refreshing_since)
            .field("organisation_id", &self.organisation_id)
            .field("organisation_name", &self.organisation_name)
            .field("status", &self.status)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

/// What a completed OAuth connection stores (H2.9.2, U2.3).
#[derive(Clone, PartialEq, Eq)]
pub struct NewEhCredentials {
    pub access_token_enc: String,
    pub refresh_token_enc: String,
    pub code_verifier_enc: String,
    pub expires_at: DateTime<Utc>,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
}

impl std::fmt::Debug for NewEhCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewEhCredentials")
            .field("expires_at", &self.expires_at)
            .field("organisation_id", &self.organisation_id)
            .field("organisation_name", &self.organisation_name)
            .finish_non_exhaustive()
    }
}

/// The tokens of a successful refresh (U2.4): the rotated refresh token, or the previous one
/// when EH sent none.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshedTokens {
    pub access_token_enc: String,
    pub refresh_token_enc: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for RefreshedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshedTokens")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The `eh_credentials` table: one row, id 1 (H7.8).
///
/// The refresh protocol (U2.4): a caller that finds the access token due calls
/// [`begin_refresh`](Self::begin_refresh); `false` means another process is refreshing (wait
/// for the marker to clear, then [`get`](Self::get) again). On `true` the caller re-reads the
/// row with [`get`](Self::get): if `expires_at` has moved past what it saw, another process has
/// already refreshed, so it calls [`abandon_refresh`](Self::abandon_refresh) and uses the new
/// token. Otherwise it calls EH outside any transaction and, before using the new access token,
/// [`finish_refresh`](Self::finish_refresh); on a transient failure `abandon_refresh`, on a
/// refusal [`mark_reauth_required`](Self::mark_reauth_required).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EhCredentialStore: Send + Sync {
    /// The credential, `None` before the first connection.
    async fn get_credentials(&self) -> Result<Option<EhCredentials>, StoreError>;

    /// Stores a new connection (creating or replacing the row): `active`, no refresh marker.
    async fn save_credentials(
        &self,
        credentials: NewEhCredentials,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Caches the organisation the syncs read (U2.5). `false` when there is no credential.
    async fn save_organisation(
        &self,
        organisation_id: String,
        organisation_name: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Sets `refreshing_since = now` if the credential is `active` and has no marker, or one set
    /// at or before `now - stale_after` (its holder died). `true` means the caller now holds the
    /// refresh; concurrent calls across processes give one `true`.
    async fn begin_refresh(
        &self,
        now: DateTime<Utc>,
        stale_after: TimeDelta,
    ) -> Result<bool, StoreError>;

    /// Stores the refreshed tokens (`active`) and clears the marker, in one write: the rotated
    /// refresh token is persisted before the new access token is used. Stored even when the
    /// caller's marker was taken over, because these are the tokens EH issued last. `false`
    /// when there is no credential.
    async fn finish_refresh(
        &self,
        tokens: RefreshedTokens,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Clears the marker without changing the tokens, if it is still the one `begin_refresh`
    /// set at `claimed_at` (a holder whose marker went stale must not clear its successor's).
    async fn abandon_refresh(&self, claimed_at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// EH refused the refresh token: `reauth_required`, marker cleared. `false` when there is
    /// no credential.
    async fn mark_reauth_required(&self, now: DateTime<Utc>) -> Result<bool, StoreError>;
}

#[async_trait]
impl<T: EhCredentialStore + ?Sized> EhCredentialStore for Arc<T> {
    async fn get_credentials(&self) -> Result<Option<EhCredentials>, StoreError> {
        (**self).get_credentials().await
    }
    async fn save_credentials(
        &self,
        credentials: NewEhCredentials,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        (**self).save_credentials(credentials, now).await
    }
    async fn save_organisation(
        &self,
        organisation_id: String,
        organisation_name: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        (**self)
            .save_organisation(organisation_id, organisation_name, now)
            .await
    }
    async fn begin_refresh(
        &self,
        now: DateTime<Utc>,
        stale_after: TimeDelta,
    ) -> Result<bool, StoreError> {
        (**self).begin_refresh(now, stale_after).await
    }
    async fn finish_refresh(
        &self,
        tokens: RefreshedTokens,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        (**self).finish_refresh(tokens, now).await
    }
    async fn abandon_refresh(&self, claimed_at: DateTime<Utc>) -> Result<bool, StoreError> {
        (**self).abandon_refresh(claimed_at).await
    }
    async fn mark_reauth_required(&self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        (**self).mark_reauth_required(now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in [
            EhCredentialStatus::Active,
            EhCredentialStatus::ReauthRequired,
        ] {
            assert_eq!(EhCredentialStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(EhCredentialStatus::parse("Active"), None);
    }

    #[test]
    fn debug_hides_tokens() {
        let c = NewEhCredentials {
            access_token_enc: "v1:secret-a".into(),
            refresh_token_enc: "v1:secret-r".into(),
            code_verifier_enc: "v1:secret-v".into(),
            expires_at: DateTime::UNIX_EPOCH,
            organisation_id: None,
            organisation_name: None,
        };
        assert!(!format!("{c:?}").contains("secret"));
    }
}
