//! The worked examples X1–X9 of allocation.md §14, built directly as domain inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on broken fixtures

use chrono::NaiveDate;
use domain::allocation::*;

const TODAY: &str = "2025-03-12";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A Series A adviser taking on clients, no households, no activity.
fn adviser(email: &str) -> AdviserInput {
    AdviserInput {
        profile: AdviserProfile {
            taking_on_clients: RawFlag::Bool(true),
            service_packages: RawMulti::Text("Series A; IPO; Seed".into()),
            ..AdviserProfile::new(email)
        },
        activity: Activity::default(),
    }
}

fn data(a: &mut AdviserInput) -> &mut ActivityData {
    match &mut a.activity {
        Activity::Available(d) => d,
        Activity::Unavailable(_) => unreachable!(),
    }
}

fn clarify(a: &mut AdviserInput, days: &[&str]) {
    for day in days {
        meeting(a, &format!("{day}T14:00"), "Clarify");
    }
}

fn meeting(a: &mut AdviserInput, start: &str, kind: &str) {
    data(a).meetings.push(RawMeeting {
        id: None,
        start: start.into(),
        kind: kind.into(),
    });
}

fn deals(a: &mut AdviserInput, days: &[&str]) {
    for day in days {
        data(a).deals_without_clarify.push(RawDeal {
            id: None,
            agreement_start_date: RawDealDate::Text((*day).into()),
        });
    }
}

fn leave(a: &mut AdviserInput, from: &str, to: &str) {
    data(a).leave.push(RawLeave {
        id: None,
        start_date: Some(from.into()),
        end_date: Some(to.into()),
    });
}

fn closure(from: &str, to: Option<&str>) -> OfficeClosure {
    OfficeClosure {
        start_date: d(from),
        end_date: to.map(d),
        description: String::new(),
        tags: Vec::new(),
    }
}

fn over(email: &str, eff: &str, limit: u32) -> CapacityOverride {
    CapacityOverride {
        adviser_email: email.into(),
        effective_date: d(eff),
        client_limit_monthly: ClientLimit::new(limit).unwrap(),
        pod_type: None,
        notes: None,
    }
}

fn deal(id: Option<&str>, svc: &str, hh: Option<&str>) -> DealRequest {
    DealRequest::new(
        id,
        svc,
        hh,
        &RawDealDate::Missing,
        chrono_tz::Australia::Sydney,
    )
    .unwrap()
}

fn run(
    advisers: Vec<AdviserInput>,
    closures: Vec<OfficeClosure>,
    overrides: Vec<CapacityOverride>,
    deal: &DealRequest,
) -> AllocationResult {
    run_on(TODAY, advisers, closures, overrides, deal)
}

fn run_on(
    today: &str,
    advisers: Vec<AdviserInput>,
    closures: Vec<OfficeClosure>,
    overrides: Vec<CapacityOverride>,
    deal: &DealRequest,
) -> AllocationResult {
    let firm = FirmSnapshot {
        advisers,
        closures,
        overrides,
    };
    allocate(&firm, deal, d(today), &Config::default())
}

fn earliest(r: &AllocationResult, i: usize) -> (String, bool) {
    let s = r.advisers[i].schedule.as_ref().expect("eligible");
    (s.earliest_open_week.to_string(), s.fallback)
}

fn row(r: &AllocationResult, i: usize, week: &str) -> WeekRow {
    *r.advisers[i]
        .schedule
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .find(|row| row.week.to_string() == week)
        .unwrap()
}

fn chosen(r: &AllocationResult) -> (&str, &'static str) {
    let s = r.selection.as_ref().unwrap();
    (r.advisers[s.chosen].email.as_str(), s.decided_by.code())
}

fn series_a() -> DealRequest {
    deal(None, "Series A", None)
}

#[test]
fn x1_idle_adviser_gets_the_earliest_allowed_week_and_wins_by_ratio() {
    let alice = adviser("alice@x.com");
    let mut bob = adviser("bob@x.com");
    clarify(&mut bob, &["2025-03-05"]);
    let r = run(vec![alice, bob], vec![], vec![], &series_a());
    assert_eq!(earliest(&r, 0), ("2025-03-24".into(), false));
    assert_eq!(earliest(&r, 1), ("2025-03-24".into(), false));
    let rows = &r.advisers[0].schedule.as_ref().unwrap().rows;
    assert_eq!(rows.len(), 53);
    assert_eq!(rows[52].week.to_string(), "2026-03-02");
    let walk = &r.advisers[0].schedule.as_ref().unwrap().walk;
    assert_eq!((walk.r0.as_f64(), walk.f), (-3.0, 3));
    assert_eq!(chosen(&r), ("alice@x.com", "ratio"));
}

#[test]
fn x2_busy_adviser() {
    let mut carol = adviser("carol@x.com");
    for w in ["2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31"] {
        clarify(&mut carol, &[w, w]);
    }
    let r = run(vec![carol], vec![], vec![], &series_a());
    assert_eq!(earliest(&r, 0), ("2025-04-14".into(), false));
    let w = row(&r, 0, "2025-03-17");
    assert_eq!((w.actual, w.difference), (4, 1));
    let walk = &r.advisers[0].schedule.as_ref().unwrap().walk;
    assert_eq!(walk.r0.as_f64(), 1.0);
    let last = walk.steps.last().unwrap().numbers.unwrap();
    assert_eq!(
        (last.cap.as_f64(), last.assigned.as_f64(), last.r.as_f64()),
        (2.0, 0.5, -1.0)
    );
    assert_eq!(chosen(&r), ("carol@x.com", "single"));
}

fn x3_closures() -> Vec<OfficeClosure> {
    vec![
        closure("2025-04-18", None),
        closure("2025-04-21", None),
        closure("2025-04-25", None),
        closure("2025-12-24", Some("2026-01-02")),
    ]
}

#[test]
fn x3_leave_and_closures() {
    let mut dana = adviser("dana@x.com");
    clarify(
        &mut dana,
        &["2025-03-13", "2025-03-18", "2025-04-02", "2025-04-22"],
    );
    leave(&mut dana, "2025-03-24", "2025-03-28");
    leave(&mut dana, "2025-04-07", "2025-04-09");
    leave(&mut dana, "2025-04-14", "2025-04-15");
    leave(&mut dana, "2025-04-17", "2025-04-18");
    let mut eve = adviser("eve@x.com");
    clarify(
        &mut eve,
        &["2025-03-05", "2025-03-18", "2025-03-19", "2025-03-26"],
    );
    leave(&mut eve, "2025-03-29", "2025-03-30");
    leave(
        &mut eve,
        "2025-03-20T00:00:00+11:00",
        "2025-04-01T00:00:00+11:00",
    );
    let r = run(vec![dana, eve], x3_closures(), vec![], &series_a());
    let expect = [
        ("2025-03-24", "Full", 0, 0, 0),
        ("2025-03-31", "No", 3, 2, -1),
        ("2025-04-07", "Partial: 3", 2, 1, -1),
        ("2025-04-14", "Partial: 4", 2, 0, -2),
        ("2025-04-21", "Partial: 2", 3, 1, -2),
        ("2025-12-22", "Partial: 3", 2, 0, -2),
        ("2025-12-29", "Full", 0, 0, 0),
    ];
    for (week, ooo, t, a, delta) in expect {
        let w = row(&r, 0, week);
        assert_eq!(
            (
                w.ooo().to_string().as_str(),
                w.target,
                w.actual,
                w.difference
            ),
            (ooo, t, a, delta),
            "{week}"
        );
    }
    assert_eq!(earliest(&r, 0), ("2025-03-31".into(), false));
    assert_eq!(earliest(&r, 1), ("2025-03-31".into(), false));
    assert_eq!(row(&r, 1, "2025-03-17").ooo().to_string(), "Partial: 2");
    assert_eq!(row(&r, 1, "2025-03-31").ooo().to_string(), "Partial: 2");
    assert_eq!(row(&r, 1, "2025-04-21").ooo().to_string(), "Partial: 2");
    assert_eq!(r.advisers[0].schedule.as_ref().unwrap().rows.len(), 53);
    assert_eq!(chosen(&r), ("dana@x.com", "ratio"));
    let ratios = &r.selection.as_ref().unwrap().ratios;
    assert_eq!(ratios[0].ratio, 0.5);
}

#[test]
fn x4_limits_and_overrides() {
    let ipo = deal(None, "IPO", Some("Couple"));
    let mut ivan = adviser("ivan@x.com");
    ivan.profile.pod_type = Some("Solo Adviser".into());
    ivan.profile.start_date = Some("2022-08-01".into());
    clarify(&mut ivan, &["2025-03-17", "2025-03-25"]);
    let mut judy = adviser("judy@x.com");
    judy.profile.pod_type = Some("Solo Adviser".into());
    clarify(&mut judy, &["2025-03-17", "2025-03-25"]);
    let mut ken = adviser("ken@x.com");
    clarify(
        &mut ken,
        &["2025-03-18", "2025-03-25", "2025-04-01", "2025-04-08"],
    );
    let mut lily = adviser("lily@x.com");
    clarify(
        &mut lily,
        &[
            "2025-03-13",
            "2025-03-14",
            "2025-03-18",
            "2025-03-19",
            "2025-03-26",
        ],
    );
    let mike = adviser("mike@x.com");
    let overrides = vec![
        over("judy@x.com", "2025-05-05", 7),
        over("ken@x.com", "2025-02-01", 2),
        over("ken@x.com", "2025-04-02", 10),
        over("lily@x.com", "2025-03-11", 8),
        over("mike@x.com", "2000-01-03", 1),
    ];
    let r = run(vec![ivan, judy, ken, lily, mike], vec![], overrides, &ipo);
    assert_eq!(earliest(&r, 0), ("2025-03-31".into(), false));
    assert_eq!(earliest(&r, 1), ("2025-03-24".into(), false));
    assert_eq!(earliest(&r, 2), ("2025-04-07".into(), false));
    assert_eq!(earliest(&r, 3), ("2025-03-31".into(), false));
    assert_eq!(earliest(&r, 4), ("2026-03-02".into(), true));
    assert_eq!(chosen(&r), ("judy@x.com", "single"));
    let shown: Vec<(u32, &str)> = r
        .advisers
        .iter()
        .map(|a| (a.limit.client_limit_monthly, a.limit.source.code()))
        .collect();
    assert_eq!(
        shown[1..],
        [
            (7, "upcoming"),
            (2, "active"),
            (8, "upcoming"),
            (1, "active")
        ]
    );
    assert_eq!(row(&r, 2, "2025-04-07").target, 5);
    assert_eq!(row(&r, 3, "2025-03-17").target, 4);
}

#[test]
fn x5_fallback_beyond_the_table() {
    let mut dee = adviser("dee@x.com");
    let mut week = d("2025-03-10");
    while week <= d("2025-08-25") {
        let day = week.format("%Y-%m-%d").to_string();
        clarify(&mut dee, &[&day, &day, &day]);
        week = week + chrono::Days::new(7);
    }
    deals(
        &mut dee,
        &[
            "2025-02-03",
            "2025-02-04",
            "2025-02-05",
            "2025-02-06",
            "2025-02-10",
            "2025-02-11",
            "2025-02-12",
            "2025-02-13",
        ],
    );
    let r = run(vec![dee], vec![], vec![], &series_a());
    assert_eq!(row(&r, 0, "2025-03-03").deals_no_clarify, 8);
    let s = r.advisers[0].schedule.as_ref().unwrap();
    assert_eq!(s.walk.r0.as_f64(), 11.0);
    assert_eq!(
        s.walk.steps.last().unwrap().numbers.unwrap().r.as_f64(),
        5.0
    );
    assert_eq!((s.walk.f, s.walk.k), (3, Some(2)));
    assert_eq!(earliest(&r, 0), ("2026-03-30".into(), true));
}

#[test]
fn x6_roll_up_of_past_deals() {
    let seed = deal(None, "Seed", Some("Couple"));
    let mut gina = adviser("gina@x.com");
    clarify(&mut gina, &["2025-03-18", "2025-03-26"]);
    deals(
        &mut gina,
        &[
            "2025-02-10",
            "2025-02-24",
            "2025-03-05",
            "2025-03-11",
            "2025-03-17",
            "2025-03-19",
        ],
    );
    let mut frank = adviser("frank@x.com");
    clarify(&mut frank, &["2025-03-18", "2025-03-26"]);
    deals(
        &mut frank,
        &[
            "2025-02-10",
            "2025-02-24",
            "2025-03-11",
            "2025-03-17",
            "2025-03-19",
        ],
    );
    let mut hank = adviser("hank@x.com");
    clarify(&mut hank, &["2025-03-04", "2025-03-19", "2025-03-20"]);
    deals(&mut hank, &["2025-03-24"]);
    let r = run(vec![gina, frank, hank], vec![], vec![], &seed);
    assert_eq!(row(&r, 0, "2025-03-03").deals_no_clarify, 3);
    assert_eq!(
        r.advisers[0].schedule.as_ref().unwrap().walk.r0.as_f64(),
        1.0
    );
    assert_eq!(earliest(&r, 0), ("2025-04-07".into(), false));
    assert_eq!(earliest(&r, 1), ("2025-04-07".into(), false));
    assert_eq!(earliest(&r, 2), ("2025-03-24".into(), false));
    assert_eq!(chosen(&r), ("hank@x.com", "single"));
}

#[test]
fn x7_absence_merge() {
    let mut nora = adviser("nora@x.com");
    leave(&mut nora, "2025-03-24", "2025-03-25");
    leave(&mut nora, "2025-03-27", "2025-03-28");
    let r = run(
        vec![nora],
        vec![closure("2025-03-26", None)],
        vec![],
        &series_a(),
    );
    let w = row(&r, 0, "2025-03-24");
    assert_eq!((w.ooo(), w.target), (OooLabel::Full, 0));
    assert_eq!(earliest(&r, 0), ("2025-03-31".into(), false));
}

#[test]
fn x8_meeting_week_in_the_firm_zone() {
    let mut bea = adviser("bea@x.com");
    meeting(&mut bea, "2025-03-03T10:59:00+11:00", "Clarify");
    meeting(&mut bea, "2025-03-24T09:00:00+11:00", "Clarify");
    meeting(&mut bea, "2025-03-24T14:00:00+11:00", "Clarify");
    meeting(&mut bea, "2025-03-02T15:00:00+11:00", "Clarify");
    meeting(&mut bea, "2025-03-26T14:00:00+11:00", "Review");
    meeting(&mut bea, "2025-03-27T14:00:00+11:00", "Kick Off");
    meeting(&mut bea, "2025-03-28T14:00:00+11:00", "Kick Off");
    let r = run(vec![bea], vec![], vec![], &series_a());
    let expect = [
        ("2025-03-03", 1, 0, 1, -2),
        ("2025-03-10", 0, 0, 1, -2),
        ("2025-03-17", 0, 0, 0, -3),
        ("2025-03-24", 2, 2, 2, -1),
        ("2025-03-31", 0, 0, 2, -1),
    ];
    for (week, c, k, a, delta) in expect {
        let w = row(&r, 0, week);
        assert_eq!(
            (w.clarify, w.kickoff, w.actual, w.difference),
            (c, k, a, delta),
            "{week}"
        );
    }
    assert_eq!(earliest(&r, 0), ("2025-03-24".into(), false));
}

#[test]
fn x9_deterministic_tie_break() {
    let mut cleo = adviser("cleo.cole@example.com");
    clarify(&mut cleo, &["2025-09-23"]);
    let dan = adviser("dan.dale@example.com");
    let ema = adviser("ema.eng@example.com");
    let mut fay = adviser("fay.fu@example.com");
    clarify(&mut fay, &["2025-10-29"]);
    let advisers = vec![cleo, dan, ema, fay];
    let with_id = deal(Some("9000000008"), "Series A", Some("Single"));
    let r = run_on("2025-10-01", advisers.clone(), vec![], vec![], &with_id);
    for i in 0..4 {
        assert_eq!(earliest(&r, i), ("2025-10-13".into(), false));
    }
    assert_eq!(chosen(&r), ("ema.eng@example.com", "hash"));
    assert_eq!(r.selection.as_ref().unwrap().hash_keys.len(), 3);
    let without_id = deal(None, "Series A", Some("Single"));
    let r = run_on("2025-10-01", advisers, vec![], vec![], &without_id);
    assert_eq!(chosen(&r), ("dan.dale@example.com", "hash"));
}

#[test]
fn sl1_errors() {
    let r = run(
        vec![adviser("a@x.com")],
        vec![],
        vec![],
        &deal(None, "Growth", None),
    );
    assert_eq!(r.error, Some(AllocationFailure::NoEligibleAdviser));
    assert!(r.selection.is_none());
    let mut down = adviser("b@x.com");
    down.activity = Activity::Unavailable(DataSource::Meetings);
    let r = run(vec![down.clone()], vec![], vec![], &series_a());
    assert_eq!(r.error, Some(AllocationFailure::UpstreamUnavailable));
    assert_eq!(r.advisers[0].excluded_detail, Some(DataSource::Meetings));
    let r = run(vec![down, adviser("c@x.com")], vec![], vec![], &series_a());
    assert_eq!(r.error, None);
    assert_eq!(chosen(&r), ("c@x.com", "single"));
}

#[test]
fn sc_schedule_lookup_by_ekey() {
    let firm = FirmSnapshot {
        advisers: vec![adviser("Ann@X.com")],
        ..FirmSnapshot::default()
    };
    let cfg = Config::default();
    let found = adviser_schedule(&firm, " ann@x.com ", None, d(TODAY), &cfg).unwrap();
    assert_eq!(
        found.schedule.unwrap().earliest_open_week.to_string(),
        "2025-03-24"
    );
    assert_eq!(
        adviser_schedule(&firm, "bob@x.com", None, d(TODAY), &cfg),
        Err(ScheduleError::NotFound)
    );
}
