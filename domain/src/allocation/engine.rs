//! The three computations of the engine: allocation of a deal (SL1), the availability listing
//! (§11) and the single-adviser schedule (§12). Pure functions of their inputs.

use super::activity::{closure_intervals, read_activity};
use super::config::Config;
use super::eligibility::{business_check, display_name, is_listed, with_activity};
use super::input::{Activity, AdviserInput, CapacityOverride, DealRequest, FirmSnapshot};
use super::limits::AdviserLimits;
use super::parse::ekey;
use super::result::{
    AdviserOutcome, AllocationFailure, AllocationResult, ExcludedReason, Mode, Schedule,
};
use super::select::{Candidate, select};
use super::table::{RefWeeks, build_table};
use super::walk::walk;
use super::week::{Week, day_number, monday_of_day};
use chrono::NaiveDate;
use std::collections::HashMap;

/// SC2 errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("no adviser with this email")]
    NotFound,
    #[error("adviser data could not be fetched for any eligible adviser")]
    UpstreamUnavailable,
}

impl ScheduleError {
    pub fn code(self) -> &'static str {
        match self {
            ScheduleError::NotFound => "not_found",
            ScheduleError::UpstreamUnavailable => "upstream_unavailable",
        }
    }
}

/// Allocates a deal (SF5, SL1–SL7). Every adviser of the listing gets an outcome, in input order.
pub fn allocate(
    firm: &FirmSnapshot,
    deal: &DealRequest,
    today: NaiveDate,
    config: &Config,
) -> AllocationResult {
    let ctx = Context::new(firm, today, deal.agreement_date(), config);
    let mut business_eligible = 0usize;
    let advisers: Vec<AdviserOutcome> = firm
        .advisers
        .iter()
        .map(|a| {
            let business = business_check(&a.profile, deal);
            business_eligible += usize::from(business.is_none());
            ctx.evaluate(a, with_activity(business, &a.activity))
        })
        .collect();
    // SL1
    let candidates = candidates(&advisers);
    let (selection, error) = if business_eligible == 0 {
        (None, Some(AllocationFailure::NoEligibleAdviser))
    } else if candidates.is_empty() {
        (None, Some(AllocationFailure::UpstreamUnavailable))
    } else {
        (select(&candidates, deal.deal_id()), None)
    };
    ctx.result(Mode::Allocate, false, advisers, selection, error)
}

/// The availability listing (AV1–AV4, SF6): no deal, so no package or household filter.
/// Advisers AV1 does not list get the outcome `not_taking_on_clients`.
pub fn availability(
    firm: &FirmSnapshot,
    include_no: bool,
    agreement_date: Option<NaiveDate>,
    today: NaiveDate,
    config: &Config,
) -> AllocationResult {
    let ctx = Context::new(firm, today, agreement_date, config);
    let advisers = firm
        .advisers
        .iter()
        .map(|a| {
            let listed = is_listed(&a.profile, include_no);
            let business = (!listed).then_some(ExcludedReason::NotTakingOnClients);
            ctx.evaluate(a, with_activity(business, &a.activity))
        })
        .collect();
    ctx.result(Mode::Availability, include_no, advisers, None, None)
}

/// The schedule of one adviser, found by ekey among all advisers (SC1, SC2).
pub fn adviser_schedule(
    firm: &FirmSnapshot,
    email: &str,
    agreement_date: Option<NaiveDate>,
    today: NaiveDate,
    config: &Config,
) -> Result<AdviserOutcome, ScheduleError> {
    let key = ekey(email);
    let adviser = firm
        .advisers
        .iter()
        .find(|a| ekey(&a.profile.email) == key)
        .ok_or(ScheduleError::NotFound)?;
    if let Activity::Unavailable(_) = adviser.activity {
        return Err(ScheduleError::UpstreamUnavailable);
    }
    let ctx = Context::new(firm, today, agreement_date, config);
    Ok(ctx.evaluate(adviser, None))
}

/// What every adviser's evaluation shares.
struct Context<'a> {
    today: NaiveDate,
    config: &'a Config,
    refs: RefWeeks,
    closures: Vec<(i64, i64)>,
    /// Overrides grouped by ekey, each group in input order (LM4).
    overrides: HashMap<String, Vec<&'a CapacityOverride>>,
}

impl<'a> Context<'a> {
    fn new(
        firm: &'a FirmSnapshot,
        today: NaiveDate,
        agreement_date: Option<NaiveDate>,
        config: &'a Config,
    ) -> Self {
        // T5–T7
        let cw = monday_of_day(day_number(today));
        let refs = RefWeeks {
            cw,
            lw: cw - 7,
            ma: cw + 7 * i64::from(config.buffer_weeks()),
            aa: agreement_date.map(|a| monday_of_day(day_number(a)) + 7),
        };
        let mut overrides: HashMap<String, Vec<&CapacityOverride>> = HashMap::new();
        for o in &firm.overrides {
            overrides.entry(ekey(&o.adviser_email)).or_default().push(o);
        }
        Context {
            today,
            config,
            refs,
            closures: closure_intervals(&firm.closures),
            overrides,
        }
    }

    /// Limits, W1 and display fields for every adviser; the table and walk when eligible.
    fn evaluate(&self, adviser: &AdviserInput, excluded: Option<ExcludedReason>) -> AdviserOutcome {
        let profile = &adviser.profile;
        let own = self
            .overrides
            .get(&ekey(&profile.email))
            .into_iter()
            .flatten()
            .copied();
        let limits = AdviserLimits::compute_with(profile, own, self.today, self.config);
        let mut warnings: Vec<_> = limits.warning.iter().cloned().collect();
        let (inputs, excluded_detail) = match &adviser.activity {
            Activity::Available(d) => (
                (
                    d.meetings.len(),
                    d.deals_without_clarify.len(),
                    d.leave.len(),
                ),
                None,
            ),
            Activity::Unavailable(source) => ((0, 0, 0), Some(*source)),
        };
        let schedule = match (&adviser.activity, excluded) {
            (Activity::Available(data), None) => {
                let events = read_activity(data, self.config.timezone());
                warnings.extend(events.warnings.iter().cloned());
                let rows = build_table(
                    &events,
                    &self.closures,
                    &limits,
                    self.refs,
                    self.config.horizon_weeks(),
                );
                let result = walk(
                    &rows,
                    self.refs,
                    |w| limits.limit_at(w) / 2,
                    self.config.max_clarifies_per_week(),
                );
                Some(Schedule {
                    rows,
                    earliest_open_week: result.earliest,
                    fallback: result.fallback,
                    walk: result.walk,
                })
            }
            _ => None,
        };
        AdviserOutcome {
            email: profile.email.clone(),
            name: display_name(profile.name.as_deref(), &profile.email),
            hubspot_owner_id: profile.hubspot_owner_id.clone(),
            taking_on_clients: profile.taking_on_clients.state(),
            excluded_reason: excluded,
            excluded_detail: excluded_detail
                .filter(|_| excluded == Some(ExcludedReason::DataUnavailable)),
            limit: limits.displayed(Week::from_day(self.refs.cw)),
            overrides: limits.overrides,
            availability_start_week: limits.avail,
            warnings,
            inputs,
            schedule,
        }
    }

    fn result(
        &self,
        mode: Mode,
        include_no: bool,
        advisers: Vec<AdviserOutcome>,
        selection: Option<super::result::Selection>,
        error: Option<AllocationFailure>,
    ) -> AllocationResult {
        AllocationResult {
            today: self.today,
            current_week: Week::from_day(self.refs.cw),
            earliest_allowed_week: Week::from_day(self.refs.ma),
            config: *self.config,
            mode,
            include_no,
            advisers,
            selection,
            error,
        }
    }
}

/// The eligible advisers, in input order (EL6).
fn candidates(advisers: &[AdviserOutcome]) -> Vec<Candidate<'_>> {
    advisers
        .iter()
        .enumerate()
        .filter_map(|(index, a)| {
            a.schedule.as_ref().map(|schedule| Candidate {
                index,
                email: &a.email,
                schedule,
            })
        })
        .collect()
}
