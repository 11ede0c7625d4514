//! The CRM port (HubSpot; upstreams.md U1.4, U1.6, U1.8, U1.9).

use super::error::UpstreamError;
use crate::allocation::{AdviserProfile, RawDeal, RawMeeting};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// Meetings of several owners, keyed by owner id.
pub type MeetingsByOwner = HashMap<String, Vec<RawMeeting>>;
/// Deals without a Clarify, keyed by `ekey` of the adviser email (allocation.md T9).
pub type DealsByAdviser = HashMap<String, Vec<RawDeal>>;

/// The CRM: advisers, their meetings and open deals, and the deal owner write.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Crm: Send + Sync {
    /// Every adviser of the user listing, all pages, in listing order (U1.4, C9).
    async fn advisers(&self) -> Result<Vec<AdviserProfile>, UpstreamError>;

    /// The Clarify and Kick Off meetings of these owners that start at or after `since`, all
    /// pages, keyed by owner id (U1.8). An owner without meetings may be absent from the map.
    /// Callers pass at most [`Crm::meeting_batch_size`] owner ids.
    async fn meetings(
        &self,
        owner_ids: &[String],
        since: DateTime<Utc>,
    ) -> Result<MeetingsByOwner, UpstreamError>;

    /// The most owner ids one [`Crm::meetings`] call accepts (U1.8: 50).
    fn meeting_batch_size(&self) -> usize;

    /// The open deals without a Clarify of every adviser, all pages, keyed by `ekey` of the
    /// deal's adviser email (U1.9).
    async fn deals_without_clarify(&self) -> Result<DealsByAdviser, UpstreamError>;

    /// Makes `owner_id` the owner of the deal (U1.6). Idempotent.
    async fn set_deal_owner(&self, deal_id: &str, owner_id: &str) -> Result<(), UpstreamError>;
}

#[async_trait]
impl<T: Crm + ?Sized> Crm for Arc<T> {
    async fn advisers(&self) -> Result<Vec<AdviserProfile>, UpstreamError> {
        (**self).advisers().await
    }
    async fn meetings(
        &self,
        owner_ids: &[String],
        since: DateTime<Utc>,
    ) -> Result<MeetingsByOwner, UpstreamError> {
        (**self).meetings(owner_ids, since).await
    }
    fn meeting_batch_size(&self) -> usize {
        (**self).meeting_batch_size()
    }
    async fn deals_without_clarify(&self) -> Result<DealsByAdviser, UpstreamError> {
        (**self).deals_without_clarify().await
    }
    async fn set_deal_owner(&self, deal_id: &str, owner_id: &str) -> Result<(), UpstreamError> {
        (**self).set_deal_owner(deal_id, owner_id).await
    }
}
