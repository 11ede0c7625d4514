//! The adviser allocation algorithm of `allocation.md`: parsing (IN), eligibility (EL), limits
//! (LM), weekly counts and absence (WC, AB), the capacity table (CT), the earliest-open-week walk
//! (EW), selection (SL), the availability listing (AV) and the single-adviser schedule (SC).
//!
//! Everything here is a pure function of its inputs: `today` and the configuration are arguments.

mod activity;
pub mod config;
pub mod eligibility;
mod engine;
pub mod input;
pub mod limits;
pub mod parse;
pub mod result;
mod select;
mod table;
mod walk;
pub mod week;

pub use config::{Config, ConfigError, ConfigValues};
pub use engine::{ScheduleError, adviser_schedule, allocate, availability};
pub use input::{
    Activity, ActivityData, AdviserInput, AdviserProfile, CapacityOverride, ClientLimit,
    DataSource, DealRequest, FirmSnapshot, InvalidAgreementDate, OfficeClosure, RawDeal, RawLeave,
    RawMeeting,
};
pub use parse::{RawDealDate, RawFlag, RawMulti, TakingOnClients, ekey};
pub use result::*;
pub use select::tie_break_key;
pub use week::Week;
