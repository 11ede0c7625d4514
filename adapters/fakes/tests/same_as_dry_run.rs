//! SF2: the use case over the offline fakes computes exactly what the dry run computes for the
//! same scenario file. (For files whose advisers all have a `hubspot_owner_id`: the CRM finds
//! meetings by owner, so an adviser without one has none, while the dry run reads the file's.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on broken fixtures

use domain::usecase::AllocateDeal;
use offline_fakes::{OfflineFakes, OwnerWrite};
use std::path::Path;

fn scenario(relative: &str) -> scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    scenario::parse_scenario(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn check(relative: &str) {
    let scenario = scenario(relative);
    let deal = scenario.deal.clone().expect("a deal");
    let fakes = OfflineFakes::from_scenario(&scenario);
    let usecase = AllocateDeal::new(
        fakes.crm.clone(),
        fakes.leave.clone(),
        fakes.closures.clone(),
        fakes.overrides.clone(),
        fakes.clock,
        scenario.config,
    );
    let live = usecase.decide(&deal).await.unwrap();
    let dry = scenario::dry_run(&scenario);
    assert_eq!(
        scenario::Report::from_result(&live).to_json().unwrap(),
        scenario::Report::from_result(&dry).to_json().unwrap(),
        "{relative}"
    );
    if let Some(owner) = dry.chosen().and_then(|a| a.hubspot_owner_id.clone()) {
        usecase.assign_owner("D-1", &live).await.unwrap();
        assert_eq!(
            fakes.crm.writes(),
            [OwnerWrite {
                deal_id: "D-1".into(),
                owner_id: owner
            }]
        );
    }
}

#[tokio::test]
async fn the_demo_allocates_as_its_dry_run() {
    check("fixtures/demo/scenario.json").await;
}

#[tokio::test]
async fn the_spec_examples_allocate_as_their_dry_runs() {
    for example in [
        "fixtures/spec-examples/ex1_basic_allocation.json",
        "fixtures/scenarios/format_6_complete_example.json",
    ] {
        check(example).await;
    }
}

#[tokio::test]
async fn the_bench_firm_allocates_as_its_dry_run() {
    check("fixtures/bench/bench-60.json").await;
}
