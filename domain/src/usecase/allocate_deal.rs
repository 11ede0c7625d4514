//! Allocating a deal (allocation.md SL1; http-api.md H2.1): read the firm, fetch the activity of
//! the business-eligible advisers, run the engine, and write the chosen owner to the CRM.

use super::activity::fetch_activity;
use super::error::{AllocateError, SnapshotSource};
use super::window::{local_today, meetings_since};
use crate::allocation::eligibility::business_check;
use crate::allocation::{
    Activity, AdviserInput, AdviserProfile, AllocationResult, Config, DealRequest, FirmSnapshot,
    allocate,
};
use crate::ports::{Clock, ClosureStore, Crm, LeaveSource, OverrideStore};
use chrono::{DateTime, Utc};
use std::fmt;

/// The allocation use case over its ports: the CRM, the HR leave source, the closures and
/// overrides stores, and the clock.
pub struct AllocateDeal<C, H, Cl, O, K> {
    pub(super) crm: C,
    pub(super) hr: H,
    pub(super) closures: Cl,
    pub(super) overrides: O,
    pub(super) clock: K,
    pub(super) config: Config,
}

impl<C, H, Cl, O, K> fmt::Debug for AllocateDeal<C, H, Cl, O, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllocateDeal")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<C, H, Cl, O, K> AllocateDeal<C, H, Cl, O, K>
where
    C: Crm,
    H: LeaveSource,
    Cl: ClosureStore,
    O: OverrideStore,
    K: Clock,
{
    pub fn new(crm: C, hr: H, closures: Cl, overrides: O, clock: K, config: Config) -> Self {
        AllocateDeal {
            crm,
            hr,
            closures,
            overrides,
            clock,
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Decides who gets the deal (SL1). Fails only when the adviser listing, the closures or the
    /// overrides could not be read: then nothing is computed. Otherwise the result may still
    /// carry `no_eligible_adviser` or `upstream_unavailable` in its `error`; the caller decides
    /// what to answer.
    pub async fn decide(&self, deal: &DealRequest) -> Result<AllocationResult, AllocateError> {
        let (advisers, closures, overrides) = futures::join!(
            self.crm.advisers(),
            self.closures.closures(),
            self.overrides.overrides(),
        );
        let advisers =
            advisers.map_err(|e| AllocateError::unavailable(SnapshotSource::Advisers, e))?;
        let closures =
            closures.map_err(|e| AllocateError::unavailable(SnapshotSource::Closures, e))?;
        let overrides =
            overrides.map_err(|e| AllocateError::unavailable(SnapshotSource::Overrides, e))?;

        let tz = self.config.timezone();
        let today = local_today(self.clock.now(), tz);
        let advisers = self
            .with_activity(advisers, deal, meetings_since(today, tz))
            .await;
        let firm = FirmSnapshot {
            advisers,
            closures,
            overrides,
        };
        Ok(allocate(&firm, deal, today, &self.config))
    }

    /// Fetches activity only for the business-eligible advisers (EL2); the others get
    /// `Activity::default()`, which the engine never reads for them.
    async fn with_activity(
        &self,
        advisers: Vec<AdviserProfile>,
        deal: &DealRequest,
        since: DateTime<Utc>,
    ) -> Vec<AdviserInput> {
        let eligible = |a: &AdviserProfile| business_check(a, deal).is_none();
        let wanted: Vec<&AdviserProfile> = advisers.iter().filter(|a| eligible(a)).collect();
        let fetched = fetch_activity(&self.crm, &self.hr, &wanted, since).await;
        advisers
            .into_iter()
            .map(|profile| AdviserInput {
                activity: if eligible(&profile) {
                    fetched.activity_of(&profile)
                } else {
                    Activity::default()
                },
                profile,
            })
            .collect()
    }

    /// Writes the chosen adviser as the deal owner (U1.6). `Ok(None)` without a selection or when
    /// the chosen adviser has no owner id (H2.1.5 `adviser_has_no_owner_id`); then nothing is
    /// written. Returns the owner id written.
    pub async fn assign_owner(
        &self,
        deal_id: &str,
        result: &AllocationResult,
    ) -> Result<Option<String>, AllocateError> {
        let Some(owner) = result
            .chosen()
            .and_then(|a| a.hubspot_owner_id.as_deref())
            .map(str::trim)
            .filter(|id| !id.is_empty())
        else {
            return Ok(None);
        };
        self.crm
            .set_deal_owner(deal_id, owner)
            .await
            .map_err(AllocateError::OwnerWriteFailed)?;
        Ok(Some(owner.to_owned()))
    }
}
