//! What the engine receives (allocation.md §3.1): adviser profiles and activity, the two stores
//! and the deal request.

use super::parse::{RawDealDate, RawFlag, RawMulti, Unparseable};
use chrono::NaiveDate;
use chrono_tz::Tz;

/// An adviser as the CRM user listing gives it. Order of the listing matters (EL6).
#[derive(Clone, Debug, PartialEq)]
pub struct AdviserProfile {
    pub email: String,
    pub name: Option<String>,
    pub hubspot_owner_id: Option<String>,
    pub taking_on_clients: RawFlag,
    pub service_packages: RawMulti,
    pub household_types: RawMulti,
    pub pod_type: Option<String>,
    pub start_date: Option<String>,
}

impl AdviserProfile {
    /// A profile with only an email; every other field empty (taking_on_clients Blank).
    pub fn new(email: impl Into<String>) -> Self {
        AdviserProfile {
            email: email.into(),
            name: None,
            hubspot_owner_id: None,
            taking_on_clients: RawFlag::Missing,
            service_packages: RawMulti::Missing,
            household_types: RawMulti::Missing,
            pod_type: None,
            start_date: None,
        }
    }
}

/// A meeting from the CRM: `start` is raw (IN5), `kind` the activity type (IN6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawMeeting {
    pub id: Option<String>,
    pub start: String,
    pub kind: String,
}

/// An open deal without a Clarify (§3.1), with its raw agreement date (IN4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawDeal {
    pub id: Option<String>,
    pub agreement_start_date: RawDealDate,
}

/// A leave record from the HR store, dates raw (IN3); a missing date is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLeave {
    pub id: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// Where an adviser's activity came from; names the source that failed (H3.2 `excluded_detail`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataSource {
    Meetings,
    Deals,
    Leave,
}

impl DataSource {
    /// The stable code of the failed source.
    pub fn code(self) -> &'static str {
        match self {
            DataSource::Meetings => "hubspot_meetings",
            DataSource::Deals => "hubspot_deals",
            DataSource::Leave => "leave_store",
        }
    }
}

/// An adviser's activity data (§3.1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityData {
    pub meetings: Vec<RawMeeting>,
    pub deals_without_clarify: Vec<RawDeal>,
    pub leave: Vec<RawLeave>,
}

/// Available with its data, or Unavailable because a fetch failed (C7).
#[derive(Clone, Debug, PartialEq)]
pub enum Activity {
    Available(ActivityData),
    Unavailable(DataSource),
}

impl Default for Activity {
    fn default() -> Self {
        Activity::Available(ActivityData::default())
    }
}

/// One adviser of the listing with its activity. Callers that skip fetching the activity of an
/// adviser the rules exclude anyway pass `Activity::default()`.
#[derive(Clone, Debug, PartialEq)]
pub struct AdviserInput {
    pub profile: AdviserProfile,
    pub activity: Activity,
}

/// An office closure (AB1). `end_date` `None` means a single day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeClosure {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub description: String,
    pub tags: Vec<String>,
}

/// A capacity override (LM4). `client_limit_monthly` is at least 1 (validated on write).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacityOverride {
    pub adviser_email: String,
    pub effective_date: NaiveDate,
    pub client_limit_monthly: ClientLimit,
    pub pod_type: Option<String>,
    pub notes: Option<String>,
}

/// A monthly client limit: an integer ≥ 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientLimit(u32);

/// A client limit below 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("client_limit_monthly must be at least 1")]
pub struct InvalidLimit;

impl ClientLimit {
    pub fn new(limit: u32) -> Result<ClientLimit, InvalidLimit> {
        if limit >= 1 {
            Ok(ClientLimit(limit))
        } else {
            Err(InvalidLimit)
        }
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

/// Everything the engine reads besides `today` and the configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FirmSnapshot {
    pub advisers: Vec<AdviserInput>,
    pub closures: Vec<OfficeClosure>,
    pub overrides: Vec<CapacityOverride>,
}

/// A deal to allocate, with its agreement date already resolved (IN4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealRequest {
    deal_id: Option<String>,
    service_package: String,
    household_type: String,
    agreement_date: Option<NaiveDate>,
}

/// IN7 / ER1 `invalid_agreement_date`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("agreement_start_date is not a date")]
pub struct InvalidAgreementDate;

impl DealRequest {
    /// Builds a deal request, resolving the agreement date in the firm's zone (IN4). The deal id
    /// is trimmed; an empty one means none (SL6).
    pub fn new(
        deal_id: Option<&str>,
        service_package: &str,
        household_type: Option<&str>,
        agreement_start_date: &RawDealDate,
        tz: Tz,
    ) -> Result<DealRequest, InvalidAgreementDate> {
        let agreement_date = agreement_start_date
            .resolve(tz)
            .map_err(|Unparseable| InvalidAgreementDate)?;
        Ok(DealRequest {
            deal_id: deal_id
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
            service_package: service_package.to_owned(),
            household_type: household_type.unwrap_or_default().to_owned(),
            agreement_date,
        })
    }

    pub fn deal_id(&self) -> Option<&str> {
        self.deal_id.as_deref()
    }
    pub fn service_package(&self) -> &str {
        &self.service_package
    }
    pub fn household_type(&self) -> &str {
        &self.household_type
    }
    pub fn agreement_date(&self) -> Option<NaiveDate> {
        self.agreement_date
    }
}
