//! What the engine returns: per-adviser outcomes with their tables and walks, the selection and
//! the error (SL7, AV3, SC2, ER1–ER3).

use super::config::Config;
use super::input::DataSource;
use super::parse::TakingOnClients;
use super::week::Week;
use chrono::NaiveDate;
use std::fmt;

/// A multiple of 0.5 held exactly as half-units (EW15).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Half(pub(crate) i64);

impl Half {
    /// The value in half-units (2 × value).
    pub fn halves(self) -> i64 {
        self.0
    }
    /// The value as f64; exact for every value the walk produces.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 2.0
    }
}

impl fmt::Display for Half {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 2 == 0 {
            write!(f, "{}", self.0 / 2)
        } else {
            write!(f, "{:.1}", self.as_f64())
        }
    }
}

/// AB3: the OOO label of a week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OooLabel {
    No,
    Partial(u8),
    Full,
}

impl OooLabel {
    pub fn from_days(days: u8) -> OooLabel {
        match days {
            0 => OooLabel::No,
            5.. => OooLabel::Full,
            n => OooLabel::Partial(n),
        }
    }
}

impl fmt::Display for OooLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OooLabel::No => f.write_str("No"),
            OooLabel::Partial(n) => write!(f, "Partial: {n}"),
            OooLabel::Full => f.write_str("Full"),
        }
    }
}

/// One row of the capacity table (CT3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeekRow {
    pub week: Week,
    pub clarify: u32,
    pub kickoff: u32,
    /// `days(w)` (AB2), 0..=5.
    pub ooo_days: u8,
    pub deals_no_clarify: u32,
    pub target: u32,
    pub actual: u32,
    pub difference: i64,
}

impl WeekRow {
    pub fn ooo(&self) -> OooLabel {
        OooLabel::from_days(self.ooo_days)
    }
    pub fn is_full(&self) -> bool {
        self.ooo_days >= 5
    }
}

/// One walked week (H3.2 `WalkStep`). Full weeks carry no numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkStep {
    pub week: Week,
    pub numbers: Option<StepNumbers>,
}

/// The numbers of a walked, non-Full week (EW8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepNumbers {
    pub new: u32,
    pub p: Week,
    pub n: Week,
    pub cap: Half,
    pub assigned: Half,
    pub final_: Half,
    /// R after EW8.h.
    pub r: Half,
    pub clar: Half,
    pub targ: Half,
    pub accepted: bool,
}

/// How the walk ended (EW3, EW11, EW12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkEnd {
    Accepted,
    NoStartRow,
    EndOfTable,
}

impl WalkEnd {
    pub fn code(self) -> &'static str {
        match self {
            WalkEnd::Accepted => "accepted",
            WalkEnd::NoStartRow => "no_start_row",
            WalkEnd::EndOfTable => "end_of_table",
        }
    }
}

/// The explanation of an earliest-week computation (EW1–EW12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// s (EW1).
    pub start_week: Week,
    /// R₀ (EW5); zero when there is no starting row.
    pub r0: Half,
    /// F (EW6).
    pub f: u32,
    pub steps: Vec<WalkStep>,
    pub ended_by: WalkEnd,
    /// k (EW12), only when the walk reached the end of the table.
    pub k: Option<u64>,
}

/// An adviser's capacity table and earliest open week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub rows: Vec<WeekRow>,
    pub earliest_open_week: Week,
    pub fallback: bool,
    pub walk: Walk,
}

impl Schedule {
    /// S, the first row (CT1).
    pub fn start(&self) -> Option<Week> {
        self.rows.first().map(|r| r.week)
    }
}

/// EL1 / SF6 reasons an adviser is not eligible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcludedReason {
    NotTakingOnClients,
    ServicePackageMismatch,
    HouseholdMismatch,
    DataUnavailable,
}

impl ExcludedReason {
    pub fn code(self) -> &'static str {
        match self {
            ExcludedReason::NotTakingOnClients => "not_taking_on_clients",
            ExcludedReason::ServicePackageMismatch => "service_package_mismatch",
            ExcludedReason::HouseholdMismatch => "household_mismatch",
            ExcludedReason::DataUnavailable => "data_unavailable",
        }
    }
}

/// LM7: where the displayed limit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitSource {
    Active,
    Upcoming,
    Base,
}

impl LimitSource {
    pub fn code(self) -> &'static str {
        match self {
            LimitSource::Active => "active",
            LimitSource::Upcoming => "upcoming",
            LimitSource::Base => "base",
        }
    }
}

/// An override of this adviser with its effective week (LM4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectiveOverride {
    pub effective_date: NaiveDate,
    pub effective_week: Week,
    pub client_limit_monthly: u32,
}

/// LM7: the limit shown in listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisplayedLimit {
    pub client_limit_monthly: u32,
    pub source: LimitSource,
    /// The override shown, when the source is `active` or `upcoming`.
    pub override_shown: Option<EffectiveOverride>,
}

/// ER3 warnings. `Display` gives the exact fixed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// W1
    StartDate { raw: String },
    /// W2
    DealDate { id: String, raw: String },
    /// W3
    MeetingStart { id: String, raw: String },
    /// W4
    LeaveDates {
        id: String,
        start: String,
        end: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::StartDate { raw } => {
                write!(
                    f,
                    "start_date \"{raw}\" is not a date; treated as no start date"
                )
            }
            Warning::DealDate { id, raw } => write!(
                f,
                "deal {id}: agreement_start_date \"{raw}\" is not a date; deal skipped"
            ),
            Warning::MeetingStart { id, raw } => write!(
                f,
                "meeting {id}: start \"{raw}\" is not a date-time; meeting skipped"
            ),
            Warning::LeaveDates { id, start, end } => write!(
                f,
                "leave {id}: dates \"{start}\"..\"{end}\" are not dates; leave skipped"
            ),
        }
    }
}

/// The result for one adviser of the listing.
#[derive(Clone, Debug, PartialEq)]
pub struct AdviserOutcome {
    pub email: String,
    /// The given name, or the SL9 name derived from the email.
    pub name: String,
    pub hubspot_owner_id: Option<String>,
    pub taking_on_clients: TakingOnClients,
    /// `None` when eligible.
    pub excluded_reason: Option<ExcludedReason>,
    /// For `data_unavailable`: the source that failed.
    pub excluded_detail: Option<DataSource>,
    pub limit: DisplayedLimit,
    pub overrides: Vec<EffectiveOverride>,
    /// LM3 `avail`.
    pub availability_start_week: Option<Week>,
    pub warnings: Vec<Warning>,
    /// Records received before parsing: meetings, deals, leave (H3.2 `inputs`).
    pub inputs: (usize, usize, usize),
    /// The table and walk; present exactly when eligible.
    pub schedule: Option<Schedule>,
}

impl AdviserOutcome {
    pub fn eligible(&self) -> bool {
        self.excluded_reason.is_none()
    }
}

/// SL4–SL6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecidedBy {
    Single,
    Ratio,
    Hash,
}

impl DecidedBy {
    pub fn code(self) -> &'static str {
        match self {
            DecidedBy::Single => "single",
            DecidedBy::Ratio => "ratio",
            DecidedBy::Hash => "hash",
        }
    }
}

/// SL5 workload ratio of one tied adviser.
#[derive(Clone, Debug, PartialEq)]
pub struct RatioEntry {
    pub adviser: usize,
    pub clar: u64,
    pub targ: Half,
    pub ratio: f64,
}

/// SL6 key of one ratio-tied adviser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashKey {
    pub adviser: usize,
    pub key: String,
}

/// The choice among advisers (SL2–SL7). Advisers are named by their index in the listing.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub chosen: usize,
    pub earliest_week: Week,
    pub tied: Vec<usize>,
    pub decided_by: DecidedBy,
    pub fallback: bool,
    /// Every tied adviser's ratio when not `single`.
    pub ratios: Vec<RatioEntry>,
    /// The ratio-tied set's keys when `hash`.
    pub hash_keys: Vec<HashKey>,
}

/// ER1 outcomes that end an allocation without a choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocationFailure {
    #[error("no adviser is eligible for this deal")]
    NoEligibleAdviser,
    #[error("adviser data could not be fetched for any eligible adviser")]
    UpstreamUnavailable,
}

impl AllocationFailure {
    pub fn code(self) -> &'static str {
        match self {
            AllocationFailure::NoEligibleAdviser => "no_eligible_adviser",
            AllocationFailure::UpstreamUnavailable => "upstream_unavailable",
        }
    }
}

/// SF5 / SF6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Allocate,
    Availability,
}

impl Mode {
    pub fn code(self) -> &'static str {
        match self {
            Mode::Allocate => "allocate",
            Mode::Availability => "availability",
        }
    }
}

/// The whole computation: reference weeks, every adviser in input order, and the outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct AllocationResult {
    pub today: NaiveDate,
    pub current_week: Week,
    pub earliest_allowed_week: Week,
    pub config: Config,
    pub mode: Mode,
    pub include_no: bool,
    pub advisers: Vec<AdviserOutcome>,
    pub selection: Option<Selection>,
    pub error: Option<AllocationFailure>,
}

impl AllocationResult {
    /// The chosen adviser, when there is a selection.
    pub fn chosen(&self) -> Option<&AdviserOutcome> {
        self.selection
            .as_ref()
            .and_then(|s| self.advisers.get(s.chosen))
    }
}
