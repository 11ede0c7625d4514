//! The access token (upstreams.md U2.4): reused while it has more than 60 s left, refreshed when
//! due or after a 401, with the rotated refresh token stored before the new access token is used.
//!
//! Single flight: in this process one mutex is held across the whole refresh, so concurrent
//! callers wait and then find the new token; across processes the store's `refreshing_since`
//! marker (taken with the row lock) admits one refresher and the others poll for its result.

use crate::cipher::TokenCipher;
use crate::http::EhHttp;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{
    Clock, EhCredentialStatus, EhCredentialStore, EhCredentials, HrError, RefreshedTokens,
    UpstreamError,
};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// U2.4: a token this close to expiry is refreshed first.
const EARLY: TimeDelta = TimeDelta::seconds(60);
/// U2.1: access tokens live 15 minutes when EH does not say.
const DEFAULT_LIFETIME: i64 = 900;

#[derive(Clone)]
struct Current {
    access: SecretString,
    expires_at: DateTime<Utc>,
}

/// What [`Tokens`] needs from the configuration.
pub(crate) struct TokenSettings {
    pub client_id: SecretString,
    pub client_secret: SecretString,
    pub send_verifier_on_refresh: bool,
    pub refresh_wait: Duration,
    pub refresh_poll: Duration,
}

pub(crate) struct Tokens<S> {
    pub store: S,
    pub cipher: TokenCipher,
    pub clock: Arc<dyn Clock>,
    http: Arc<EhHttp>,
    settings: TokenSettings,
    /// Held across a refresh: the in-process half of the single flight.
    current: tokio::sync::Mutex<Option<Current>>,
}

fn due(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= expires_at - EARLY
}

fn rejected_is(token: &SecretString, rejected: Option<&SecretString>) -> bool {
    rejected.is_some_and(|r| r.expose_secret() == token.expose_secret())
}

pub(crate) fn cipher_error(e: crate::cipher::CipherError) -> HrError {
    HrError::NotConfigured(e.to_string())
}

impl<S: EhCredentialStore> Tokens<S> {
    pub(crate) fn new(
        store: S,
        cipher: TokenCipher,
        clock: Arc<dyn Clock>,
        http: Arc<EhHttp>,
        settings: TokenSettings,
    ) -> Tokens<S> {
        Tokens {
            store,
            cipher,
            clock,
            http,
            settings,
            current: tokio::sync::Mutex::new(None),
        }
    }

    pub(crate) fn client_id(&self) -> &SecretString {
        &self.settings.client_id
    }

    pub(crate) fn client_secret(&self) -> &SecretString {
        &self.settings.client_secret
    }

    /// A usable access token. `rejected` is one the API just answered 401 to: it is not
    /// returned again, and if it is still the stored one it is refreshed.
    pub(crate) async fn access(
        &self,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, HrError> {
        let mut current = self.current.lock().await;
        let now = self.clock.now();
        if let Some(c) = current.as_ref()
            && !rejected_is(&c.access, rejected)
            && !due(c.expires_at, now)
        {
            return Ok(c.access.clone());
        }
        let stored = self.load().await?;
        let access = self.decrypt(&stored.access_token_enc)?;
        let fresh = if !rejected_is(&access, rejected) && !due(stored.expires_at, now) {
            Current {
                access,
                expires_at: stored.expires_at,
            }
        } else {
            self.refresh(stored).await?
        };
        *current = Some(fresh.clone());
        Ok(fresh.access)
    }

    /// A connection just stored these tokens (H2.9.2).
    pub(crate) async fn install(&self, access: SecretString, expires_at: DateTime<Utc>) {
        *self.current.lock().await = Some(Current { access, expires_at });
    }

    pub(crate) fn decrypt(&self, enc: &str) -> Result<SecretString, HrError> {
        self.cipher.decrypt(enc).map_err(cipher_error)
    }

    pub(crate) fn encrypt(&self, plain: &SecretString) -> Result<String, HrError> {
        self.cipher
            .encrypt(plain.expose_secret())
            .map_err(cipher_error)
    }

    /// The stored credential, if it can still be used.
    async fn load(&self) -> Result<EhCredentials, HrError> {
        match self.store.get_credentials().await? {
            Some(c) if c.status == EhCredentialStatus::Active => Ok(c),
            _ => Err(HrError::ReauthRequired),
        }
    }

    /// The cross-process half (U2.4): claim the marker or wait for whoever holds it.
    async fn refresh(&self, seen: EhCredentials) -> Result<Current, HrError> {
        let stale_after =
            TimeDelta::from_std(self.settings.refresh_wait).unwrap_or(TimeDelta::seconds(15));
        let give_up = Instant::now() + self.settings.refresh_wait;
        loop {
            let claimed_at = self.clock.now();
            if self.store.begin_refresh(claimed_at, stale_after).await? {
                let now_stored = self.load().await?;
                if now_stored.access_token_enc != seen.access_token_enc {
                    // Another process refreshed between our read and our claim.
                    self.store.abandon_refresh(claimed_at).await?;
                    return Ok(Current {
                        access: self.decrypt(&now_stored.access_token_enc)?,
                        expires_at: now_stored.expires_at,
                    });
                }
                return self.refresh_holding(now_stored, claimed_at).await;
            }
            if Instant::now() >= give_up {
                return Err(UpstreamError::unavailable(
                    "employment-hero: another process is still refreshing the token",
                )
                .into());
            }
            tokio::time::sleep(self.settings.refresh_poll).await;
            let now_stored = self.load().await?;
            if now_stored.access_token_enc != seen.access_token_enc
                && now_stored.refreshing_since.is_none()
            {
                return Ok(Current {
                    access: self.decrypt(&now_stored.access_token_enc)?,
                    expires_at: now_stored.expires_at,
                });
            }
        }
    }

    /// The HTTP refresh, made while holding the marker and outside any transaction.
    async fn refresh_holding(
        &self,
        stored: EhCredentials,
        claimed_at: DateTime<Utc>,
    ) -> Result<Current, HrError> {
        let refresh_token = self.decrypt(&stored.refresh_token_enc)?;
        let verifier = if self.settings.send_verifier_on_refresh {
            Some(self.decrypt(&stored.code_verifier_enc)?)
        } else {
            None
        };
        let mut result = self.post_refresh(&refresh_token, verifier.as_ref()).await;
        if matches!(result, Err(UpstreamError::Unavailable { .. })) {
            // A timeout may have rotated the token upstream: one more try tells (U2.4).
            tracing::warn!(
                upstream = "employment-hero",
                "token refresh failed in transit; trying once more"
            );
            result = self.post_refresh(&refresh_token, verifier.as_ref()).await;
        }
        let now = self.clock.now();
        match result {
            Ok(t) => {
                let access = SecretString::from(t.access_token);
                let expires_at =
                    now + TimeDelta::seconds(t.expires_in.unwrap_or(DEFAULT_LIFETIME).max(0));
                let rotated = t.refresh_token.map(SecretString::from);
                let tokens = RefreshedTokens {
                    access_token_enc: self.encrypt(&access)?,
                    refresh_token_enc: match &rotated {
                        Some(r) => self.encrypt(r)?,
                        None => stored.refresh_token_enc,
                    },
                    expires_at,
                };
                // Persist first: only the latest refresh token works from now on.
                if !self.store.finish_refresh(tokens, now).await? {
                    return Err(HrError::ReauthRequired);
                }
                tracing::info!(upstream = "employment-hero", %expires_at, "token refreshed");
                Ok(Current { access, expires_at })
            }
            Err(UpstreamError::Unauthorized | UpstreamError::Rejected { status: 400, .. }) => {
                tracing::error!(
                    upstream = "employment-hero",
                    "the refresh token was refused; an admin must reconnect (/auth/start)"
                );
                self.store.mark_reauth_required(now).await?;
                Err(HrError::ReauthRequired)
            }
            Err(e) => {
                self.store.abandon_refresh(claimed_at).await?;
                Err(e.into())
            }
        }
    }

    async fn post_refresh(
        &self,
        refresh_token: &SecretString,
        verifier: Option<&SecretString>,
    ) -> Result<crate::wire::TokenResponse, UpstreamError> {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
            ("client_id", self.settings.client_id.expose_secret()),
            ("client_secret", self.settings.client_secret.expose_secret()),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v.expose_secret()));
        }
        self.http.token("POST /oauth2/token (refresh)", &form).await
    }
}
