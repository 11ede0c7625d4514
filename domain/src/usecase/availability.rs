//! Availability (allocation.md §11 AV1–AV4, §12 SC1–SC2; http-api.md H2.8): the same inputs as an
//! allocation, gathered the same way, without a deal.

use super::activity::fetch_activity;
use super::allocate_deal::AllocateDeal;
use super::error::{AllocateError, SnapshotSource};
use super::window::{local_today, meetings_since};
use crate::allocation::eligibility::is_listed;
use crate::allocation::{
    Activity, AdviserInput, AdviserOutcome, AdviserProfile, AllocationResult, FirmSnapshot,
    ScheduleError, adviser_schedule, availability, ekey,
};
use crate::ports::{Clock, ClosureStore, Crm, LeaveSource, OverrideStore};
use chrono::NaiveDate;

/// The availability listing with the raw profile of every adviser, both in listing order.
#[derive(Clone, Debug)]
pub struct AvailabilityView {
    pub result: AllocationResult,
    pub profiles: Vec<AdviserProfile>,
}

/// One adviser's schedule: `result` is an availability-mode result whose only adviser is the one
/// asked for (its header gives `today`, the weeks and the config).
#[derive(Clone, Debug)]
pub struct ScheduleView {
    pub result: AllocationResult,
    pub adviser: AdviserOutcome,
}

/// Why a schedule could not be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleFailure {
    /// A firm-wide input could not be read.
    #[error(transparent)]
    Snapshot(#[from] AllocateError),
    /// SC1/SC2: unknown adviser, or its data could not be fetched.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

impl<C, H, Cl, O, K> AllocateDeal<C, H, Cl, O, K>
where
    C: Crm,
    H: LeaveSource,
    Cl: ClosureStore,
    O: OverrideStore,
    K: Clock,
{
    /// AV1–AV4: activity is fetched only for the advisers the listing shows.
    pub async fn availability(
        &self,
        include_no: bool,
        agreement_date: Option<NaiveDate>,
    ) -> Result<AvailabilityView, AllocateError> {
        let (profiles, firm) = self.snapshot().await?;
        let tz = self.config.timezone();
        let today = local_today(self.clock.now(), tz);
        let wanted: Vec<&AdviserProfile> = profiles
            .iter()
            .filter(|a| is_listed(a, include_no))
            .collect();
        let fetched = fetch_activity(&self.crm, &self.hr, &wanted, meetings_since(today, tz)).await;
        let advisers = profiles
            .iter()
            .map(|profile| AdviserInput {
                activity: if is_listed(profile, include_no) {
                    fetched.activity_of(profile)
                } else {
                    Activity::default()
                },
                profile: profile.clone(),
            })
            .collect();
        let firm = FirmSnapshot { advisers, ..firm };
        let result = availability(&firm, include_no, agreement_date, today, &self.config);
        Ok(AvailabilityView { result, profiles })
    }

    /// SC1–SC2: one adviser, found by ekey among all advisers; only its activity is fetched.
    pub async fn schedule(
        &self,
        email: &str,
        agreement_date: Option<NaiveDate>,
    ) -> Result<ScheduleView, ScheduleFailure> {
        let (profiles, firm) = self.snapshot().await?;
        let key = ekey(email);
        let profile = profiles
            .into_iter()
            .find(|a| ekey(&a.email) == key)
            .ok_or(ScheduleError::NotFound)?;
        let tz = self.config.timezone();
        let today = local_today(self.clock.now(), tz);
        let fetched =
            fetch_activity(&self.crm, &self.hr, &[&profile], meetings_since(today, tz)).await;
        let activity = fetched.activity_of(&profile);
        let firm = FirmSnapshot {
            advisers: vec![AdviserInput { profile, activity }],
            ..firm
        };
        let adviser = adviser_schedule(&firm, email, agreement_date, today, &self.config)?;
        let header = FirmSnapshot {
            advisers: Vec::new(),
            ..firm
        };
        let result = availability(&header, false, agreement_date, today, &self.config);
        Ok(ScheduleView { result, adviser })
    }

    /// The listing, closures and overrides, read together (SL1 last paragraph).
    async fn snapshot(&self) -> Result<(Vec<AdviserProfile>, FirmSnapshot), AllocateError> {
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
        Ok((
            advisers,
            FirmSnapshot {
                advisers: Vec::new(),
                closures,
                overrides,
            },
        ))
    }
}
