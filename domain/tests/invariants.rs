//! Property tests of the engine (allocation.md EW14 and the invariants).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on broken fixtures

use chrono::{Datelike, Days, NaiveDate, Weekday};
use domain::allocation::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

const BASE: &str = "2025-01-06";

fn base() -> NaiveDate {
    NaiveDate::parse_from_str(BASE, "%Y-%m-%d").unwrap()
}

fn day(offset: i64) -> NaiveDate {
    if offset >= 0 {
        base() + Days::new(offset as u64)
    } else {
        base() - Days::new(offset.unsigned_abs())
    }
}

fn text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[derive(Clone, Debug)]
struct Case {
    today: i64,
    values: ConfigValues,
    advisers: Vec<AdviserInput>,
    closures: Vec<OfficeClosure>,
    overrides: Vec<CapacityOverride>,
    deal_id: Option<String>,
    package: &'static str,
    household: Option<&'static str>,
    agreement: Option<i64>,
}

impl Case {
    fn firm(&self) -> FirmSnapshot {
        FirmSnapshot {
            advisers: self.advisers.clone(),
            closures: self.closures.clone(),
            overrides: self.overrides.clone(),
        }
    }
    fn config(&self) -> Config {
        Config::new(chrono_tz::Australia::Sydney, self.values).unwrap()
    }
    fn deal(&self) -> DealRequest {
        let agreement = self.agreement.map_or(RawDealDate::Missing, |o| {
            RawDealDate::Text(text(day(self.today + o)))
        });
        DealRequest::new(
            self.deal_id.as_deref(),
            self.package,
            self.household,
            &agreement,
            chrono_tz::Australia::Sydney,
        )
        .unwrap()
    }
    fn run(&self) -> AllocationResult {
        self.run_on(&self.firm())
    }
    fn run_on(&self, firm: &FirmSnapshot) -> AllocationResult {
        allocate(firm, &self.deal(), day(self.today), &self.config())
    }
}

const PACKAGES: [&str; 4] = ["Seed", "Series A", "IPO", "Series B"];
const HOUSEHOLDS: [&str; 3] = ["Single", "Couple", "Family"];

fn meeting() -> impl Strategy<Value = RawMeeting> {
    (
        -25i64..140,
        0u32..24,
        any::<bool>(),
        prop::sample::select(vec!["Clarify", "Clarify", "Kick Off", "Review"]),
    )
        .prop_map(|(offset, hour, with_offset, kind)| {
            let local = format!("{}T{hour:02}:30", text(day(offset)));
            RawMeeting {
                id: None,
                start: if with_offset {
                    format!("{local}:00+11:00")
                } else {
                    local
                },
                kind: kind.into(),
            }
        })
}

fn deal_without_clarify() -> impl Strategy<Value = RawDeal> {
    prop_oneof![
        4 => (-70i64..70).prop_map(|o| RawDealDate::Text(text(day(o)))),
        1 => Just(RawDealDate::Missing),
        1 => Just(RawDealDate::Text("soon".into())),
    ]
    .prop_map(|date| RawDeal {
        id: None,
        agreement_start_date: date,
    })
}

fn interval() -> impl Strategy<Value = (i64, i64)> {
    (-20i64..160, -2i64..15).prop_map(|(start, len)| (start, start + len))
}

fn leave() -> impl Strategy<Value = RawLeave> {
    interval().prop_map(|(a, b)| RawLeave {
        id: None,
        start_date: Some(text(day(a))),
        end_date: Some(text(day(b))),
    })
}

fn closure() -> impl Strategy<Value = OfficeClosure> {
    (interval(), any::<bool>()).prop_map(|((a, b), single)| OfficeClosure {
        start_date: day(a),
        end_date: (!single).then(|| day(b)),
        description: String::new(),
        tags: Vec::new(),
    })
}

fn adviser(i: usize) -> impl Strategy<Value = AdviserInput> {
    (
        prop::sample::select(vec![
            RawFlag::Bool(true),
            RawFlag::Bool(true),
            RawFlag::Text(" true".into()),
            RawFlag::Bool(false),
            RawFlag::Missing,
        ]),
        prop::sample::subsequence(PACKAGES.to_vec(), 0..=4),
        prop::sample::subsequence(HOUSEHOLDS.to_vec(), 0..=2),
        prop::option::of((-400i64..120, any::<bool>())),
        prop::collection::vec(meeting(), 0..14),
        prop::collection::vec(deal_without_clarify(), 0..6),
        prop::collection::vec(leave(), 0..3),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            move |(taking, packages, households, start, meetings, deals, leave, down)| {
                let profile = AdviserProfile {
                    email: format!("Adviser{i}@X.com"),
                    taking_on_clients: taking,
                    service_packages: RawMulti::List(
                        packages.into_iter().map(String::from).collect(),
                    ),
                    household_types: RawMulti::Text(households.join(", ")),
                    pod_type: start.and_then(|(_, solo)| solo.then(|| "Solo Adviser".to_owned())),
                    start_date: start.map(|(o, _)| text(day(o))),
                    ..AdviserProfile::new("")
                };
                let activity = if down {
                    Activity::Unavailable(DataSource::Deals)
                } else {
                    Activity::Available(ActivityData {
                        meetings,
                        deals_without_clarify: deals,
                        leave,
                    })
                };
                AdviserInput { profile, activity }
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    let values = (0u32..5, 0u32..4, 1u32..16, 0u32..4, 1u32..10, 1u32..10).prop_map(
        |(prestart, buffer, horizon, max, base_limit, solo)| ConfigValues {
            prestart_weeks: prestart,
            buffer_weeks: buffer,
            horizon_weeks: horizon,
            max_clarifies_per_week: max,
            base_limit_monthly: base_limit,
            solo_limit_monthly: solo,
        },
    );
    let advisers = (1usize..8).prop_flat_map(|n| (0..n).map(adviser).collect::<Vec<_>>());
    let overrides = prop::collection::vec((0usize..8, -60i64..100, 1u32..12), 0..5).prop_map(|v| {
        v.into_iter()
            .map(|(i, o, limit)| CapacityOverride {
                adviser_email: format!(" adviser{i}@x.com"),
                effective_date: day(o),
                client_limit_monthly: ClientLimit::new(limit).unwrap(),
                pod_type: None,
                notes: None,
            })
            .collect::<Vec<_>>()
    });
    (
        0i64..6,
        values,
        advisers,
        prop::collection::vec(closure(), 0..3),
        overrides,
        prop::option::of(prop::sample::select(vec!["9000000008", "123", " 77 "])),
        prop::sample::select(PACKAGES.to_vec()),
        prop::option::of(prop::sample::select(HOUSEHOLDS.to_vec())),
        prop::option::of(-10i64..60),
    )
        .prop_map(
            |(
                today,
                values,
                advisers,
                closures,
                overrides,
                deal_id,
                package,
                household,
                agreement,
            )| Case {
                today,
                values,
                advisers,
                closures,
                overrides,
                deal_id: deal_id.map(String::from),
                package,
                household,
                agreement,
            },
        )
}

fn schedules(r: &AllocationResult) -> impl Iterator<Item = (&AdviserOutcome, &Schedule)> {
    r.advisers
        .iter()
        .filter_map(|a| a.schedule.as_ref().map(|s| (a, s)))
}

fn permuted<T: Clone>(items: &[T], seed: usize) -> Vec<T> {
    let mut v = items.to_vec();
    if !v.is_empty() {
        let len = v.len();
        v.rotate_left(seed % len);
        v.reverse();
    }
    v
}

fn with_activity(firm: &FirmSnapshot, f: impl Fn(&mut ActivityData)) -> FirmSnapshot {
    let mut firm = firm.clone();
    for a in &mut firm.advisers {
        if let Activity::Available(d) = &mut a.activity {
            f(d);
        }
    }
    firm
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn deterministic(case in case()) {
        prop_assert_eq!(case.run(), case.run());
    }

    #[test]
    fn permuting_meetings_leave_or_closures_changes_nothing(case in case(), seed in 0usize..10) {
        let reference = case.run();
        let firm = case.firm();
        let shuffled_meetings = with_activity(&firm, |d| d.meetings = permuted(&d.meetings, seed));
        prop_assert_eq!(&case.run_on(&shuffled_meetings), &reference);
        let shuffled_leave = with_activity(&firm, |d| d.leave = permuted(&d.leave, seed));
        prop_assert_eq!(&case.run_on(&shuffled_leave), &reference);
        let mut shuffled_closures = firm.clone();
        shuffled_closures.closures = permuted(&firm.closures, seed);
        prop_assert_eq!(&case.run_on(&shuffled_closures), &reference);
    }

    #[test]
    fn permuting_advisers_changes_no_adviser_and_no_choice(case in case(), seed in 0usize..10) {
        let reference = case.run();
        let mut firm = case.firm();
        firm.advisers = permuted(&firm.advisers, seed);
        let shuffled = case.run_on(&firm);
        for a in &shuffled.advisers {
            let same = reference.advisers.iter().find(|r| r.email == a.email).unwrap();
            prop_assert_eq!(a, same);
        }
        let chosen = |r: &AllocationResult| r.chosen().map(|a| a.email.clone());
        prop_assert_eq!(chosen(&shuffled), chosen(&reference));
        let tied = |r: &AllocationResult| -> BTreeSet<String> {
            r.selection.iter().flat_map(|s| s.tied.iter().map(|&i| r.advisers[i].email.clone())).collect()
        };
        prop_assert_eq!(tied(&shuffled), tied(&reference));
        prop_assert_eq!(shuffled.error, reference.error);
    }

    #[test]
    fn earliest_week_is_a_monday_not_before_the_allowed_or_agreement_week(case in case()) {
        let r = case.run();
        let agreement_week = case.agreement.map(|o| Week::of(day(case.today + o)).monday() + Days::new(7));
        for (_, s) in schedules(&r) {
            let e = s.earliest_open_week.monday();
            prop_assert_eq!(e.weekday(), Weekday::Mon);
            prop_assert!(s.earliest_open_week >= r.earliest_allowed_week);
            if let Some(aa) = agreement_week {
                prop_assert!(e >= aa, "{} < {}", e, aa);
            }
            if !s.fallback {
                prop_assert!(s.rows.iter().any(|row| row.week == s.earliest_open_week));
                prop_assert!(s.earliest_open_week < s.rows.last().unwrap().week, "EW14: never the last row");
            }
        }
    }

    #[test]
    fn chosen_adviser_is_eligible_with_the_minimal_week(case in case()) {
        let r = case.run();
        match (&r.selection, r.chosen()) {
            (Some(sel), Some(chosen)) => {
                prop_assert!(chosen.eligible());
                let min = schedules(&r).map(|(_, s)| s.earliest_open_week).min().unwrap();
                prop_assert_eq!(chosen.schedule.as_ref().unwrap().earliest_open_week, min);
                prop_assert_eq!(sel.earliest_week, min);
                prop_assert!(sel.tied.contains(&sel.chosen));
                prop_assert!(r.error.is_none());
            }
            _ => {
                prop_assert!(r.error.is_some());
                prop_assert_eq!(schedules(&r).count(), 0);
            }
        }
    }

    #[test]
    fn full_weeks_have_no_target_and_no_actual_except_the_first_row(case in case()) {
        let r = case.run();
        for (_, s) in schedules(&r) {
            for row in s.rows.iter().skip(1).filter(|row| row.ooo() == OooLabel::Full) {
                prop_assert_eq!((row.target, row.actual, row.difference), (0, 0, 0));
            }
            if let Some(first) = s.rows.first().filter(|row| row.ooo() == OooLabel::Full) {
                prop_assert_eq!((first.target, first.actual), (0, first.clarify));
            }
        }
    }

    #[test]
    fn ooo_days_are_the_distinct_covered_weekdays(case in case()) {
        let r = case.run();
        let closures: Vec<(NaiveDate, NaiveDate)> = case
            .closures
            .iter()
            .map(|c| (c.start_date, c.end_date.unwrap_or(c.start_date)))
            .collect();
        for (i, (a, s)) in r.advisers.iter().enumerate().filter_map(|(i, a)| a.schedule.as_ref().map(|s| (i, (a, s)))) {
            let _ = a;
            let Activity::Available(data) = &case.advisers[i].activity else { continue };
            let leave: Vec<(NaiveDate, NaiveDate)> = data
                .leave
                .iter()
                .map(|l| {
                    let p = |v: &Option<String>| NaiveDate::parse_from_str(v.as_deref().unwrap(), "%Y-%m-%d").unwrap();
                    (p(&l.start_date), p(&l.end_date))
                })
                .collect();
            for row in &s.rows {
                let covered = (0..5)
                    .map(|k| row.week.monday() + Days::new(k))
                    .filter(|d| leave.iter().chain(&closures).any(|(a, b)| a <= d && d <= b))
                    .count();
                prop_assert_eq!(usize::from(row.ooo_days), covered, "{}", row.week);
            }
        }
    }

    #[test]
    fn tables_run_from_start_week_for_at_least_the_horizon(case in case()) {
        let r = case.run();
        let lw = r.current_week.monday() - Days::new(7);
        for (a, s) in schedules(&r) {
            let first = s.rows[0].week;
            let expected_start = a.availability_start_week.map_or(lw, |w| w.monday().max(lw));
            prop_assert_eq!(first.monday(), expected_start);
            prop_assert!(s.rows.len() > case.values.horizon_weeks as usize);
            for pair in s.rows.windows(2) {
                prop_assert_eq!(pair[1].week.monday() - pair[0].week.monday(), chrono::Duration::days(7));
            }
        }
    }
}
