//! The leave fake: each scenario adviser's `leave`, matched by ekey (C10).

use async_trait::async_trait;
use domain::allocation::{Activity, ekey};
use domain::ports::{LeaveByAdviser, LeaveSource, UpstreamError};
use scenario::Scenario;

#[derive(Debug)]
pub struct ScenarioLeave {
    leave: LeaveByAdviser,
}

impl ScenarioLeave {
    pub fn from_scenario(scenario: &Scenario) -> ScenarioLeave {
        let mut leave = LeaveByAdviser::new();
        for adviser in &scenario.firm.advisers {
            if let Activity::Available(data) = &adviser.activity {
                leave
                    .entry(ekey(&adviser.profile.email))
                    .or_default()
                    .extend(data.leave.iter().cloned());
            }
        }
        ScenarioLeave { leave }
    }
}

#[async_trait]
impl LeaveSource for ScenarioLeave {
    async fn leave(&self, emails: &[String]) -> Result<LeaveByAdviser, UpstreamError> {
        Ok(emails
            .iter()
            .map(|e| ekey(e))
            .filter_map(|key| Some((key.clone(), self.leave.get(&key)?.clone())))
            .collect())
    }
}
