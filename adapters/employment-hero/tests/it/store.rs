//! An in-memory `eh_credentials` row with the U2.4 refresh marker, as the SQL store implements
//! it, plus switches to make a write fail.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{
    EhCredentialStatus, EhCredentialStore, EhCredentials, NewEhCredentials, RefreshedTokens,
    StoreError,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Default)]
pub struct MemoryCredentials {
    row: Mutex<Option<EhCredentials>>,
    pub fail_finish: AtomicBool,
    /// Calls, in order, by name.
    pub log: Mutex<Vec<&'static str>>,
}

impl MemoryCredentials {
    pub fn row(&self) -> Option<EhCredentials> {
        self.row.lock().unwrap().clone()
    }

    pub fn set(&self, row: EhCredentials) {
        *self.row.lock().unwrap() = Some(row);
    }

    fn note(&self, what: &'static str) {
        self.log.lock().unwrap().push(what);
    }
}

#[async_trait]
impl EhCredentialStore for MemoryCredentials {
    async fn get_credentials(&self) -> Result<Option<EhCredentials>, StoreError> {
        Ok(self.row())
    }

    async fn save_credentials(
        &self,
        c: NewEhCredentials,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.note("save_credentials");
        self.set(EhCredentials {
            access_token_enc: c.access_token_enc,
            refresh_token_enc: c.refresh_token_enc,
            code_verifier_enc: c.code_verifier_enc,
            expires_at: c.expires_at,
            refreshing_since: None,
            organisation_id: c.organisation_id,
            organisation_name: c.organisation_name,
            status: EhCredentialStatus::Active,
            updated_at: now,
        });
        Ok(())
    }

    async fn save_organisation(
        &self,
        id: String,
        name: Option<String>,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.note("save_organisation");
        let mut row = self.row.lock().unwrap();
        Ok(row.as_mut().is_some_and(|r| {
            r.organisation_id = Some(id);
            r.organisation_name = name;
            true
        }))
    }

    async fn begin_refresh(
        &self,
        now: DateTime<Utc>,
        stale_after: TimeDelta,
    ) -> Result<bool, StoreError> {
        self.note("begin_refresh");
        let mut row = self.row.lock().unwrap();
        let Some(r) = row.as_mut() else {
            return Ok(false);
        };
        let free = r.refreshing_since.is_none_or(|t| t <= now - stale_after);
        if r.status == EhCredentialStatus::Active && free {
            r.refreshing_since = Some(now);
            return Ok(true);
        }
        Ok(false)
    }

    async fn finish_refresh(
        &self,
        t: RefreshedTokens,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.note("finish_refresh");
        if self.fail_finish.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("disk full".into()));
        }
        let mut row = self.row.lock().unwrap();
        Ok(row.as_mut().is_some_and(|r| {
            r.access_token_enc = t.access_token_enc;
            r.refresh_token_enc = t.refresh_token_enc;
            r.expires_at = t.expires_at;
            r.refreshing_since = None;
            r.status = EhCredentialStatus::Active;
            r.updated_at = now;
            true
        }))
    }

    async fn abandon_refresh(&self, claimed_at: DateTime<Utc>) -> Result<bool, StoreError> {
        self.note("abandon_refresh");
        let mut row = self.row.lock().unwrap();
        Ok(row.as_mut().is_some_and(|r| {
            let ours = r.refreshing_since == Some(claimed_at);
            if ours {
                r.refreshing_since = None;
            }
            ours
        }))
    }

    async fn mark_reauth_required(&self, _now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.note("mark_reauth_required");
        let mut row = self.row.lock().unwrap();
        Ok(row.as_mut().is_some_and(|r| {
            r.status = EhCredentialStatus::ReauthRequired;
            r.refreshing_since = None;
            true
        }))
    }
}
