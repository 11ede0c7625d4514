//! The CRM's contacts, read only to name a client's Box folder (upstreams.md U1.7, http-api.md
//! H2.2.3).

use super::error::UpstreamError;
use async_trait::async_trait;
use std::sync::Arc;

/// A contact's names and email as the CRM holds them (any may be absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactNames {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
}

/// A contact associated with a deal, with the labels of the association (`"Primary"`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealContactLink {
    pub contact_id: u64,
    pub labels: Vec<String>,
}

/// Contacts in the CRM (U1.7).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Contacts: Send + Sync {
    /// One contact; `None` when it does not exist (a 404 means "no names").
    async fn contact(&self, id: &str) -> Result<Option<ContactNames>, UpstreamError>;

    /// Every contact associated with the deal, all pages, in the CRM's order.
    async fn deal_contacts(&self, deal_id: &str) -> Result<Vec<DealContactLink>, UpstreamError>;

    /// The contacts with these ids that exist (missing ones are left out), any number of ids.
    async fn contacts(&self, ids: &[String]) -> Result<Vec<ContactNames>, UpstreamError>;
}

#[async_trait]
impl<T: Contacts + ?Sized> Contacts for Arc<T> {
    async fn contact(&self, id: &str) -> Result<Option<ContactNames>, UpstreamError> {
        (**self).contact(id).await
    }
    async fn deal_contacts(&self, deal_id: &str) -> Result<Vec<DealContactLink>, UpstreamError> {
        (**self).deal_contacts(deal_id).await
    }
    async fn contacts(&self, ids: &[String]) -> Result<Vec<ContactNames>, UpstreamError> {
        (**self).contacts(ids).await
    }
}
