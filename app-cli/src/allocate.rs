//! `allot allocate`: the offline dry run of scenario-format.md.

use crate::table;
use clap::{Args, ValueEnum};
use scenario::{Report, Scenario, ScenarioError, dry_run, parse_scenario};
use std::path::PathBuf;
use std::process::ExitCode;

/// The demo firm, bundled so `--demo` works from any directory and in an installed binary.
const DEMO_SCENARIO: &str = include_str!("../../fixtures/demo/scenario.json");

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["scenario", "demo"])))]
pub struct AllocateArgs {
    /// Scenario file (JSON, scenario-format.md).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Use the bundled demo firm (fixtures/demo/scenario.json).
    #[arg(long)]
    demo: bool,
    /// Output format: `json` is the stable contract, `table` is for people.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
}

/// SF1 exit codes.
const COMPUTED: u8 = 0;
const ALLOCATION_FAILED: u8 = 1;
const INVALID_INPUT: u8 = 2;

pub fn run(args: &AllocateArgs) -> ExitCode {
    let text = match (&args.scenario, args.demo) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::from(INVALID_INPUT);
            }
        },
        (None, _) => DEMO_SCENARIO.to_owned(),
    };
    let scenario: Scenario = match parse_scenario(&text) {
        Ok(s) => s,
        Err(ScenarioError { path, reason }) => {
            eprintln!("error: {path}: {reason}");
            return ExitCode::from(INVALID_INPUT);
        }
    };
    let result = dry_run(&scenario);
    let output = match args.format {
        Format::Json => match Report::from_result(&result).to_json() {
            Ok(json) => json,
            Err(e) => {
                eprintln!("error: cannot encode the result: {e}");
                return ExitCode::from(INVALID_INPUT);
            }
        },
        Format::Table => table::render(&result),
    };
    println!("{output}");
    ExitCode::from(if result.error.is_some() {
        ALLOCATION_FAILED
    } else {
        COMPUTED
    })
}
