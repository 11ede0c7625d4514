//! Criterion benchmark of the whole in-process allocation, from a parsed scenario to the decision.
//!
//! Times every scenario in `fixtures/bench/`, or only the file named by `ALLOT_BENCH_SCENARIO`
//! so the same scenario can be compared with other engines.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on broken fixtures

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn scenario_files() -> Vec<PathBuf> {
    if let Ok(path) = std::env::var("ALLOT_BENCH_SCENARIO") {
        return vec![PathBuf::from(path)];
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bench");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn bench(c: &mut Criterion) {
    for path in scenario_files() {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let scenario =
            scenario::parse_scenario(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_stem().map_or_else(
            || "scenario".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        let result = scenario::dry_run(&scenario);
        eprintln!(
            "{name}: {} advisers, {} meetings, decision: {:?}",
            scenario.firm.advisers.len(),
            scenario
                .firm
                .advisers
                .iter()
                .map(|a| match &a.activity {
                    domain::allocation::Activity::Available(d) => d.meetings.len(),
                    domain::allocation::Activity::Unavailable(_) => 0,
                })
                .sum::<usize>(),
            result.chosen().map(|a| a.email.as_str()),
        );
        c.bench_function(&format!("allocate/{name}"), |b| {
            b.iter(|| scenario::dry_run(black_box(&scenario)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
