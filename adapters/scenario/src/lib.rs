//! Scenario files (scenario-format.md): a complete snapshot of what the allocation reads, plus
//! `today`. Strict parsing into domain inputs ([`parse_scenario`]), the computation a scenario
//! asks for ([`dry_run`]), and the documented JSON output ([`Report`]).

mod json;
pub mod parse;
pub mod report;

pub use parse::{Scenario, ScenarioError, parse_scenario};
pub use report::Report;

use domain::allocation::{AllocationResult, allocate, availability};

/// SF5 / SF6: allocation mode with a deal, availability mode without one.
pub fn dry_run(scenario: &Scenario) -> AllocationResult {
    match &scenario.deal {
        Some(deal) => {
            let mut result = allocate(&scenario.firm, deal, scenario.today, &scenario.config);
            // §4.1 echoes the input's `include_no`, which only availability mode uses.
            result.include_no = scenario.include_no;
            result
        }
        None => availability(
            &scenario.firm,
            scenario.include_no,
            None,
            scenario.today,
            &scenario.config,
        ),
    }
}
