//! Offline fakes of the ports, backed by a scenario file (scenario-format.md SF2, SF3): the CRM
//! (advisers, meetings, deals, recorded owner writes), the leave source, the two stores and a
//! clock that reports the file's `today`. With them the allocation use case computes exactly what
//! the dry run computes for the same file, with no credentials and no network.

mod clock;
mod contacts;
mod crm;
mod employer;
mod files;
mod hr;
mod leave;
mod stores;

pub use clock::{FixedClock, ManualClock};
pub use contacts::MemoryContacts;
pub use crm::{OwnerWrite, ScenarioCrm};
pub use employer::*;
pub use files::{CopyRecord, MetadataWrite, RecordingBox};
pub use hr::ScenarioHr;
pub use leave::ScenarioLeave;
pub use stores::{MemoryClosures, MemoryOverrides};

use scenario::Scenario;
use std::sync::Arc;

/// Every fake, built from one scenario, shareable by several use cases.
#[derive(Clone, Debug)]
pub struct OfflineFakes {
    pub crm: Arc<ScenarioCrm>,
    pub leave: Arc<ScenarioLeave>,
    pub closures: Arc<MemoryClosures>,
    pub overrides: Arc<MemoryOverrides>,
    pub clock: FixedClock,
}

impl OfflineFakes {
    pub fn from_scenario(scenario: &Scenario) -> OfflineFakes {
        let tz = scenario.config.timezone();
        let now = FixedClock::midday_of(scenario.today, tz);
        OfflineFakes {
            crm: Arc::new(ScenarioCrm::from_scenario(scenario)),
            leave: Arc::new(ScenarioLeave::from_scenario(scenario)),
            closures: Arc::new(MemoryClosures::new(
                &scenario.firm.closures,
                now.now_value(),
            )),
            overrides: Arc::new(MemoryOverrides::new(
                &scenario.firm.overrides,
                now.now_value(),
            )),
            clock: now,
        }
    }
}
