//! The upstream HR directory (Employment Hero, upstreams.md U2): the employee and leave listings
//! the syncs read (http-api.md H2.3), and the OAuth connection an admin makes (H2.9).
//!
//! Secrets stay inside the adapter: the connection hands out the state for the authorise URL and
//! the PKCE verifier already encrypted (security.md S10.5), and stores the tokens itself.

use super::error::{StoreError, UpstreamError};
use super::hr_store::Employee;
use async_trait::async_trait;
use std::sync::Arc;

/// A leave request as listed (U2.6), dates as EH wrote them: the sync parses and filters them
/// (H2.3.3) so it can count what it skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamLeaveRequest {
    pub leave_request_id: String,
    pub employee_id: String,
    /// `YYYY-MM-DD`, or a datetime whose first 10 characters are that date.
    pub start_date: String,
    pub end_date: String,
    pub status: String,
    pub leave_category: Option<String>,
}

/// Every item of a paged listing, and how many pages it took (H2.3 `pages`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub pages: u32,
}

/// One page read, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageProgress {
    /// 1-based index of the page just read.
    pub page: u32,
    /// The page count the upstream announced (at least `page`).
    pub total_pages: u32,
    /// Items read so far, this page included.
    pub items: usize,
}

/// Called after every page read. Must be cheap: it runs on the sync's task.
pub type OnPage<'a> = &'a (dyn Fn(PageProgress) + Send + Sync);

/// Why the HR directory could not answer (http-api.md H2.3.4, H2.9.2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HrError {
    /// A setting is missing or names nothing upstream (503 `not_configured`). The text names the
    /// setting, never a value.
    #[error("Employment Hero is not configured: {0}")]
    NotConfigured(String),
    /// No stored connection, or EH refused the refresh token or the new access token: an admin
    /// must reconnect (503 `reauth_required`).
    #[error("the Employment Hero connection must be renewed by an admin (/auth/start)")]
    ReauthRequired,
    /// The upstream failed after the client policy's retries (503 `upstream_unavailable`), or the
    /// token exchange failed (502 `token_exchange_failed`).
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    /// The credential store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl HrError {
    /// The stable snake_case name of the failure.
    pub fn code(&self) -> &'static str {
        match self {
            HrError::NotConfigured(_) => "not_configured",
            HrError::ReauthRequired => "reauth_required",
            HrError::Upstream(_) => "upstream_unavailable",
            HrError::Store(e) => e.code(),
        }
    }
}

/// The HR system's employees and leave, every page.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HrDirectory: Send + Sync {
    /// Every employee of the organisation (U2.5); fails unless every page was read.
    async fn employees<'a>(&self, on_page: OnPage<'a>) -> Result<Listing<Employee>, HrError>;

    /// Every leave request of the organisation (U2.6), unfiltered; fails unless every page was
    /// read.
    async fn leave_requests<'a>(
        &self,
        on_page: OnPage<'a>,
    ) -> Result<Listing<UpstreamLeaveRequest>, HrError>;
}

#[async_trait]
impl<T: HrDirectory + ?Sized> HrDirectory for Arc<T> {
    async fn employees<'a>(&self, on_page: OnPage<'a>) -> Result<Listing<Employee>, HrError> {
        (**self).employees(on_page).await
    }
    async fn leave_requests<'a>(
        &self,
        on_page: OnPage<'a>,
    ) -> Result<Listing<UpstreamLeaveRequest>, HrError> {
        (**self).leave_requests(on_page).await
    }
}

/// The start of a connection (H2.9.1): where to send the admin, the `state` to hash into the
/// `oauth_states` row, and the PKCE verifier already encrypted for that row.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub authorize_url: String,
    pub state: String,
    pub code_verifier_enc: String,
}

// The state is a one-time credential until used (S10.6).
impl std::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .finish_non_exhaustive()
    }
}

/// The organisation a completed connection reads (U2.5), shown on the callback page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HrOrganisation {
    pub id: String,
    pub name: Option<String>,
}

/// The OAuth connection to the HR system (H2.9, U2.2, U2.3).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HrConnection: Send + Sync {
    /// A fresh state and PKCE verifier (S256) and the authorise URL carrying them (U2.2).
    fn begin_authorization(&self) -> Result<AuthorizationRequest, HrError>;

    /// Exchanges the callback's code with the stored verifier (U2.3), stores the encrypted tokens
    /// and the verifier, and resolves the organisation (U2.5). Never retried: a code is
    /// single-use.
    async fn complete_authorization(
        &self,
        code: &str,
        code_verifier_enc: &str,
    ) -> Result<HrOrganisation, HrError>;
}

#[async_trait]
impl<T: HrConnection + ?Sized> HrConnection for Arc<T> {
    fn begin_authorization(&self) -> Result<AuthorizationRequest, HrError> {
        (**self).begin_authorization()
    }
    async fn complete_authorization(
        &self,
        code: &str,
        code_verifier_enc: &str,
    ) -> Result<HrOrganisation, HrError> {
        (**self)
            .complete_authorization(code, code_verifier_enc)
            .await
    }
}
