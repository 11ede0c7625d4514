//! The CRM fake: the scenario's advisers are the user listing, their meetings and deals the search
//! results, and owner writes are recorded instead of sent. Like HubSpot, it finds meetings by
//! owner id, so an adviser without a `hubspot_owner_id` has no meetings.

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::allocation::parse::parse_date_time;
use domain::allocation::{Activity, AdviserProfile, RawMeeting, ekey};
use domain::ports::{Crm, DealsByAdviser, MeetingsByOwner, UpstreamError};
use scenario::Scenario;
use std::collections::HashSet;
use std::sync::Mutex;

/// One recorded deal owner write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerWrite {
    pub deal_id: String,
    pub owner_id: String,
}

#[derive(Debug)]
pub struct ScenarioCrm {
    tz: Tz,
    advisers: Vec<AdviserProfile>,
    meetings: MeetingsByOwner,
    deals: DealsByAdviser,
    /// Owner ids whose activity the scenario marks `data_unavailable`: their meeting searches fail.
    failing_owners: HashSet<String>,
    writes: Mutex<Vec<OwnerWrite>>,
}

impl ScenarioCrm {
    pub fn from_scenario(scenario: &Scenario) -> ScenarioCrm {
        let mut meetings = MeetingsByOwner::new();
        let mut deals = DealsByAdviser::new();
        let mut failing_owners = HashSet::new();
        for adviser in &scenario.firm.advisers {
            let owner = adviser.profile.hubspot_owner_id.clone();
            match &adviser.activity {
                Activity::Available(data) => {
                    if let Some(owner) = owner {
                        meetings
                            .entry(owner)
                            .or_default()
                            .extend(data.meetings.iter().cloned());
                    }
                    deals
                        .entry(ekey(&adviser.profile.email))
                        .or_default()
                        .extend(data.deals_without_clarify.iter().cloned());
                }
                Activity::Unavailable(_) => {
                    failing_owners.extend(owner);
                }
            }
        }
        ScenarioCrm {
            tz: scenario.config.timezone(),
            advisers: scenario
                .firm
                .advisers
                .iter()
                .map(|a| a.profile.clone())
                .collect(),
            meetings,
            deals,
            failing_owners,
            writes: Mutex::new(Vec::new()),
        }
    }

    /// Every owner write so far, in order.
    pub fn writes(&self) -> Vec<OwnerWrite> {
        self.writes.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// When a meeting starts, as HubSpot would filter it: an offset-less start is firm-local (C3).
    fn starts_at(&self, meeting: &RawMeeting) -> Option<DateTime<Utc>> {
        let dt = parse_date_time(&meeting.start)?;
        match dt.offset_secs {
            Some(offset) => Some(
                Utc.from_utc_datetime(&(dt.local - chrono::Duration::seconds(i64::from(offset)))),
            ),
            None => self
                .tz
                .from_local_datetime(&dt.local)
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
        }
    }
}

#[async_trait]
impl Crm for ScenarioCrm {
    async fn advisers(&self) -> Result<Vec<AdviserProfile>, UpstreamError> {
        Ok(self.advisers.clone())
    }

    async fn meetings(
        &self,
        owner_ids: &[String],
        since: DateTime<Utc>,
    ) -> Result<MeetingsByOwner, UpstreamError> {
        if let Some(owner) = owner_ids.iter().find(|o| self.failing_owners.contains(*o)) {
            return Err(UpstreamError::unavailable(format!(
                "scenario marks owner {owner}'s data unavailable"
            )));
        }
        Ok(owner_ids
            .iter()
            .filter_map(|owner| {
                let found: Vec<RawMeeting> = self
                    .meetings
                    .get(owner)?
                    .iter()
                    .filter(|m| self.starts_at(m).is_none_or(|t| t >= since))
                    .cloned()
                    .collect();
                Some((owner.clone(), found))
            })
            .collect())
    }

    /// One owner per search, so a `data_unavailable` adviser fails only its own search, as the
    /// scenario means it (SF3).
    fn meeting_batch_size(&self) -> usize {
        1
    }

    async fn deals_without_clarify(&self) -> Result<DealsByAdviser, UpstreamError> {
        Ok(self.deals.clone())
    }

    async fn set_deal_owner(&self, deal_id: &str, owner_id: &str) -> Result<(), UpstreamError> {
        let mut writes = self
            .writes
            .lock()
            .map_err(|_| UpstreamError::unavailable("the fake's write log is poisoned"))?;
        writes.push(OwnerWrite {
            deal_id: deal_id.to_owned(),
            owner_id: owner_id.to_owned(),
        });
        Ok(())
    }
}
