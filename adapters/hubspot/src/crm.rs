//! [`HubSpotCrm`]: the domain's CRM port over HubSpot (upstreams.md U1.4–U1.9).

use crate::cache::Cached;
use crate::config::{HubSpotConfig, HubSpotConfigError};
use crate::http::HubSpotHttp;
use crate::{deals, meetings, users};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::allocation::AdviserProfile;
use domain::ports::{Crm, DealsByAdviser, MeetingsByOwner, UpstreamError};
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The HubSpot CRM. One per process: it holds the client, its budgets and the caches.
pub struct HubSpotCrm {
    pub(crate) http: HubSpotHttp,
    meeting_batch_size: usize,
    deal_pipeline_id: String,
    deal_stage_ids: Vec<String>,
    deal_owner_properties: Vec<String>,
    users: Cached<Vec<AdviserProfile>>,
    owner_names: Cached<Arc<HashMap<String, String>>>,
}

impl std::fmt::Debug for HubSpotCrm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubSpotCrm")
            .field("http", &self.http)
            .field("meeting_batch_size", &self.meeting_batch_size)
            .field("deal_pipeline_id", &self.deal_pipeline_id)
            .field("deal_stage_ids", &self.deal_stage_ids)
            .field("deal_owner_properties", &self.deal_owner_properties)
            .finish_non_exhaustive()
    }
}

impl HubSpotCrm {
    /// The circuit breaker's state now (U0.6), for `/readyz` (H2.11).
    pub fn breaker_state(&self) -> upstream_http::BreakerState {
        self.http.breaker_state()
    }

    pub fn new(config: &HubSpotConfig) -> Result<HubSpotCrm, HubSpotConfigError> {
        let clean = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let deal_owner_properties = clean(&config.deal_owner_properties);
        if deal_owner_properties.is_empty() {
            return Err(HubSpotConfigError::NoDealOwnerProperties);
        }
        let deal_stage_ids = clean(&config.deal_stage_ids);
        if deal_stage_ids.is_empty() {
            return Err(HubSpotConfigError::NoDealStages);
        }
        if !(1..=50).contains(&config.meeting_batch_size) {
            return Err(HubSpotConfigError::MeetingBatchSize);
        }
        Ok(HubSpotCrm {
            http: HubSpotHttp::new(config)?,
            meeting_batch_size: config.meeting_batch_size,
            deal_pipeline_id: config.deal_pipeline_id.trim().to_owned(),
            deal_stage_ids,
            deal_owner_properties,
            users: Cached::new(config.users_cache_ttl),
            owner_names: Cached::new(config.owners_cache_ttl),
        })
    }

    /// The users, named from the owners, else from the user's own names (U1.5).
    async fn fetch_advisers(&self) -> Result<Vec<AdviserProfile>, UpstreamError> {
        let users = users::list_users(&self.http).await?;
        let names = if users.iter().any(|u| u.profile.hubspot_owner_id.is_some()) {
            self.owner_names().await
        } else {
            Arc::default()
        };
        Ok(users
            .into_iter()
            .map(|user| {
                let mut profile = user.profile;
                profile.name = profile
                    .hubspot_owner_id
                    .as_ref()
                    .and_then(|id| names.get(id).cloned())
                    .or(user.user_name);
                profile
            })
            .collect())
    }

    /// Owner names, cached; a failure only costs the names (U1.5), and is not cached.
    async fn owner_names(&self) -> Arc<HashMap<String, String>> {
        let fetched = self
            .owner_names
            .get_or_try(|| async { users::owner_names(&self.http).await.map(Arc::new) })
            .await;
        fetched.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "hubspot owners unavailable; advisers keep their user names");
            Arc::default()
        })
    }
}

#[async_trait]
impl Crm for HubSpotCrm {
    async fn advisers(&self) -> Result<Vec<AdviserProfile>, UpstreamError> {
        self.users.get_or_try(|| self.fetch_advisers()).await
    }

    async fn meetings(
        &self,
        owner_ids: &[String],
        since: DateTime<Utc>,
    ) -> Result<MeetingsByOwner, UpstreamError> {
        meetings::meetings(&self.http, owner_ids, since, self.meeting_batch_size).await
    }

    fn meeting_batch_size(&self) -> usize {
        self.meeting_batch_size
    }

    async fn deals_without_clarify(&self) -> Result<DealsByAdviser, UpstreamError> {
        deals::deals_without_clarify(&self.http, &self.deal_pipeline_id, &self.deal_stage_ids).await
    }

    /// U1.6: one PATCH setting every configured owner property to the owner id.
    async fn set_deal_owner(&self, deal_id: &str, owner_id: &str) -> Result<(), UpstreamError> {
        let url = self.http.url(&["crm", "v3", "objects", "deals", deal_id]);
        let properties: Map<String, Value> = self
            .deal_owner_properties
            .iter()
            .map(|p| (p.clone(), Value::String(owner_id.to_owned())))
            .collect();
        let body = serde_json::json!({ "properties": properties });
        let result = self
            .http
            .patch::<IgnoredAny>("/crm/v3/objects/deals/{id}", &url, &body)
            .await;
        match &result {
            Ok(_) => tracing::info!(deal_id, owner_id, "hubspot deal owner set"),
            Err(e) => tracing::warn!(deal_id, owner_id, error = %e, "hubspot deal owner not set"),
        }
        result.map(|_| ())
    }
}
