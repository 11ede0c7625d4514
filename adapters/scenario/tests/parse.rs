//! scenario-format.md §2: the spec examples parse; every SF4 file-error class is named by the
//! right path; the mapping into domain inputs.

use chrono::NaiveDate;
use domain::allocation::{
    Activity, DataSource, RawDeal, RawDealDate, RawFlag, RawLeave, RawMeeting, RawMulti,
};
use scenario::{Scenario, parse_scenario};
use std::path::PathBuf;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec-examples")
}

/// A document with `today` and the given further top-level members.
fn top(members: &str) -> String {
    format!(r#"{{"today": "2025-03-12", {members}}}"#)
}

/// A document with one or more advisers (given as the inside of the `advisers` array).
fn advisers(list: &str) -> String {
    top(&format!(r#""advisers": [{list}]"#))
}

fn ok(text: &str) -> Scenario {
    match parse_scenario(text) {
        Ok(s) => s,
        Err(e) => panic!("{text}\n-> {e}"),
    }
}

fn d(s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(date) => date,
        Err(e) => panic!("{s}: {e}"),
    }
}

#[test]
fn every_spec_example_parses() {
    let mut count = 0;
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = parse_scenario(&text) {
            panic!("{name}: {e}");
        }
        count += 1;
    }
    assert!(count >= 4, "found only {count} examples");
}

#[test]
fn each_file_error_is_named_by_its_path() {
    let a = r#"{"email": "a@x.com"}"#;
    let cases: Vec<(&str, String, &str)> = vec![
        // JSON itself
        ("syntax error", r#"{"today": "2025-03-12",}"#.into(), "$"),
        ("root not an object", "[]".into(), "$"),
        (
            "duplicate key at root",
            top(r#""advisers": [], "today": "2025-03-13""#),
            "$.today",
        ),
        (
            "duplicate key nested",
            advisers(r#"{"email": "a@x.com", "name": "A", "name": "B"}"#),
            "$.advisers[0].name",
        ),
        // wrong types
        (
            "today wrong type",
            r#"{"today": 20250312, "advisers": []}"#.into(),
            "$.today",
        ),
        (
            "advisers not an array",
            top(r#""advisers": {}"#),
            "$.advisers",
        ),
        (
            "adviser not an object",
            advisers(r#""a@x.com""#),
            "$.advisers[0]",
        ),
        (
            "email wrong type",
            advisers(r#"{"email": 7}"#),
            "$.advisers[0].email",
        ),
        (
            "data_unavailable wrong type",
            advisers(r#"{"email": "a@x.com", "data_unavailable": "yes"}"#),
            "$.advisers[0].data_unavailable",
        ),
        (
            "service_packages list of non-strings",
            advisers(r#"{"email": "a@x.com", "service_packages": ["Seed", 3]}"#),
            "$.advisers[0].service_packages[1]",
        ),
        (
            "owner id negative",
            advisers(r#"{"email": "a@x.com", "hubspot_owner_id": -1}"#),
            "$.advisers[0].hubspot_owner_id",
        ),
        (
            "owner id float",
            advisers(r#"{"email": "a@x.com", "hubspot_owner_id": 101.0}"#),
            "$.advisers[0].hubspot_owner_id",
        ),
        (
            "taking_on_clients number",
            advisers(r#"{"email": "a@x.com", "taking_on_clients": 1}"#),
            "$.advisers[0].taking_on_clients",
        ),
        (
            "meeting type wrong type",
            advisers(
                r#"{"email": "a@x.com", "meetings": [{"start": "2025-03-10T09:00", "type": 1}]}"#,
            ),
            "$.advisers[0].meetings[0].type",
        ),
        (
            "closure tags wrong type",
            top(
                r#""advisers": [], "office_closures": [{"start_date": "2025-03-10", "tags": [1]}]"#,
            ),
            "$.office_closures[0].tags[0]",
        ),
        (
            "deal service_package wrong type",
            top(r#""advisers": [], "deal": {"service_package": ["Seed"]}"#),
            "$.deal.service_package",
        ),
        // null where not allowed
        (
            "null include_no",
            top(r#""advisers": [], "include_no": null"#),
            "$.include_no",
        ),
        (
            "null name at root",
            top(r#""advisers": [], "name": null"#),
            "$.name",
        ),
        (
            "null timezone",
            top(r#""advisers": [], "timezone": null"#),
            "$.timezone",
        ),
        (
            "null config",
            top(r#""advisers": [], "config": null"#),
            "$.config",
        ),
        ("null advisers", top(r#""advisers": null"#), "$.advisers"),
        (
            "null service_packages",
            advisers(r#"{"email": "a@x.com", "service_packages": null}"#),
            "$.advisers[0].service_packages",
        ),
        (
            "null meetings",
            advisers(r#"{"email": "a@x.com", "meetings": null}"#),
            "$.advisers[0].meetings",
        ),
        (
            "null leave id",
            advisers(
                r#"{"email": "a@x.com", "leave": [{"id": null, "start_date": "2025-03-10", "end_date": "2025-03-11"}]}"#,
            ),
            "$.advisers[0].leave[0].id",
        ),
        (
            "null deal service_package",
            top(r#""advisers": [], "deal": {"service_package": null}"#),
            "$.deal.service_package",
        ),
        (
            "null override limit",
            top(
                r#""advisers": [], "capacity_overrides": [{"adviser_email": "a@x.com", "effective_date": "2025-03-10", "client_limit_monthly": null}]"#,
            ),
            "$.capacity_overrides[0].client_limit_monthly",
        ),
        // missing required keys
        ("missing today", r#"{"advisers": []}"#.into(), "$.today"),
        (
            "missing advisers",
            top(r#""include_no": true"#),
            "$.advisers",
        ),
        (
            "missing email",
            advisers(&format!(r#"{a}, {{"name": "B"}}"#)),
            "$.advisers[1].email",
        ),
        (
            "missing meeting start",
            advisers(r#"{"email": "a@x.com", "meetings": [{"type": "Clarify"}]}"#),
            "$.advisers[0].meetings[0].start",
        ),
        (
            "missing leave end_date",
            advisers(r#"{"email": "a@x.com", "leave": [{"start_date": "2025-03-10"}]}"#),
            "$.advisers[0].leave[0].end_date",
        ),
        (
            "missing closure start_date",
            top(r#""advisers": [], "office_closures": [{"description": "x"}]"#),
            "$.office_closures[0].start_date",
        ),
        (
            "missing override limit",
            top(
                r#""advisers": [], "capacity_overrides": [{"adviser_email": "a@x.com", "effective_date": "2025-03-10"}]"#,
            ),
            "$.capacity_overrides[0].client_limit_monthly",
        ),
        (
            "missing deal service_package",
            top(r#""advisers": [], "deal": {"deal_id": "1"}"#),
            "$.deal.service_package",
        ),
        // unknown keys
        (
            "unknown key at root",
            top(r#""advisers": [], "extra": 1"#),
            "$.extra",
        ),
        (
            "unknown key in adviser",
            advisers(r#"{"email": "a@x.com", "emial": "b@x.com"}"#),
            "$.advisers[0].emial",
        ),
        (
            "unknown key in meeting",
            advisers(
                r#"{"email": "a@x.com", "meetings": [{"start": "2025-03-10T09:00", "when": 1}]}"#,
            ),
            "$.advisers[0].meetings[0].when",
        ),
        (
            "unknown key in deal",
            top(r#""advisers": [], "deal": {"service_package": "Seed", "package": "Seed"}"#),
            "$.deal.package",
        ),
        (
            "unknown key in config",
            top(r#""advisers": [], "config": {"horizon": 5}"#),
            "$.config.horizon",
        ),
        (
            "timezone inside config",
            top(r#""advisers": [], "config": {"timezone": "UTC"}"#),
            "$.config.timezone",
        ),
        // value errors
        (
            "today not a date",
            r#"{"today": "2025-3-12", "advisers": []}"#.into(),
            "$.today",
        ),
        (
            "today a date-time",
            r#"{"today": "2025-03-12T00:00", "advisers": []}"#.into(),
            "$.today",
        ),
        (
            "unknown timezone",
            top(r#""advisers": [], "timezone": "Mars/Olympus""#),
            "$.timezone",
        ),
        (
            "config out of range (low)",
            top(r#""advisers": [], "config": {"horizon_weeks": 0}"#),
            "$.config.horizon_weeks",
        ),
        (
            "config out of range (high)",
            top(r#""advisers": [], "config": {"prestart_weeks": 53}"#),
            "$.config.prestart_weeks",
        ),
        (
            "config negative",
            top(r#""advisers": [], "config": {"buffer_weeks": -1}"#),
            "$.config.buffer_weeks",
        ),
        (
            "config not an integer",
            top(r#""advisers": [], "config": {"max_clarifies_per_week": 2.0}"#),
            "$.config.max_clarifies_per_week",
        ),
        (
            "empty email",
            advisers(r#"{"email": "  "}"#),
            "$.advisers[0].email",
        ),
        (
            "duplicate email by ekey",
            advisers(r#"{"email": "Ana@X.com"}, {"email": "b@x.com"}, {"email": " ana@x.COM "}"#),
            "$.advisers[2].email",
        ),
        (
            "bad meeting start",
            advisers(
                r#"{"email": "a@x.com", "meetings": [{"start": "2025-03-10T09:00"}, {"start": "2025-03-10 09:00"}]}"#,
            ),
            "$.advisers[0].meetings[1].start",
        ),
        (
            "meeting start without time",
            advisers(r#"{"email": "a@x.com", "meetings": [{"start": "2025-03-10"}]}"#),
            "$.advisers[0].meetings[0].start",
        ),
        (
            "bad leave date",
            advisers(
                r#"{"email": "a@x.com", "leave": [{"start_date": "2025-03-10", "end_date": "2025-02-30"}]}"#,
            ),
            "$.advisers[0].leave[0].end_date",
        ),
        (
            "bad leave date in unavailable adviser",
            advisers(
                r#"{"email": "a@x.com", "data_unavailable": true, "leave": [{"start_date": " 2025-03-10", "end_date": "2025-03-11"}]}"#,
            ),
            "$.advisers[0].leave[0].start_date",
        ),
        (
            "bad closure start date",
            top(r#""advisers": [], "office_closures": [{"start_date": "soon"}]"#),
            "$.office_closures[0].start_date",
        ),
        (
            "bad closure end date",
            top(
                r#""advisers": [], "office_closures": [{"start_date": "2025-03-10"}, {"start_date": "2025-03-10", "end_date": "2025-13-01"}]"#,
            ),
            "$.office_closures[1].end_date",
        ),
        (
            "override limit 0",
            top(
                r#""advisers": [], "capacity_overrides": [{"adviser_email": "a@x.com", "effective_date": "2025-03-10", "client_limit_monthly": 0}]"#,
            ),
            "$.capacity_overrides[0].client_limit_monthly",
        ),
        (
            "override limit 1001",
            top(
                r#""advisers": [], "capacity_overrides": [{"adviser_email": "a@x.com", "effective_date": "2025-03-10", "client_limit_monthly": 1001}]"#,
            ),
            "$.capacity_overrides[0].client_limit_monthly",
        ),
        (
            "override bad date",
            top(
                r#""advisers": [], "capacity_overrides": [{"adviser_email": "a@x.com", "effective_date": "10/03/2025", "client_limit_monthly": 5}]"#,
            ),
            "$.capacity_overrides[0].effective_date",
        ),
        (
            "override empty email",
            top(
                r#""advisers": [], "capacity_overrides": [{"adviser_email": "", "effective_date": "2025-03-10", "client_limit_monthly": 5}]"#,
            ),
            "$.capacity_overrides[0].adviser_email",
        ),
        (
            "bad deal agreement date",
            top(
                r#""advisers": [], "deal": {"service_package": "Seed", "agreement_start_date": "soon"}"#,
            ),
            "$.deal.agreement_start_date",
        ),
        (
            "deal agreement date out of range",
            top(
                r#""advisers": [], "deal": {"service_package": "Seed", "agreement_start_date": 18446744073709551615}"#,
            ),
            "$.deal.agreement_start_date",
        ),
        (
            "deal agreement date float",
            top(
                r#""advisers": [], "deal": {"service_package": "Seed", "agreement_start_date": 1.5}"#,
            ),
            "$.deal.agreement_start_date",
        ),
        (
            "deal-without-clarify date float",
            advisers(
                r#"{"email": "a@x.com", "deals_without_clarify": [{"agreement_start_date": 1742169600000.0}]}"#,
            ),
            "$.advisers[0].deals_without_clarify[0].agreement_start_date",
        ),
        (
            "deal-without-clarify date exponent",
            advisers(
                r#"{"email": "a@x.com", "deals_without_clarify": [{"agreement_start_date": 1e12}]}"#,
            ),
            "$.advisers[0].deals_without_clarify[0].agreement_start_date",
        ),
        (
            "deal-without-clarify date bool",
            advisers(
                r#"{"email": "a@x.com", "deals_without_clarify": [{"id": "D", "agreement_start_date": true}]}"#,
            ),
            "$.advisers[0].deals_without_clarify[0].agreement_start_date",
        ),
        (
            "deal-without-clarify date object",
            advisers(
                r#"{"email": "a@x.com", "deals_without_clarify": [{}, {"agreement_start_date": {}}]}"#,
            ),
            "$.advisers[0].deals_without_clarify[1].agreement_start_date",
        ),
    ];
    for (what, text, path) in cases {
        match parse_scenario(&text) {
            Ok(_) => panic!("{what}: parsed, expected an error at {path}\n{text}"),
            Err(e) => assert_eq!(e.path, path, "{what}: {e}\n{text}"),
        }
    }
}

#[test]
fn syntax_error_reason_gives_line_and_column() {
    let e = parse_scenario("{\n  \"today\": \"2025-03-12\",\n  \"advisers\": [,]\n}").unwrap_err();
    assert_eq!(e.path, "$");
    assert!(e.reason.contains("line 3 column"), "{}", e.reason);
    assert_eq!(e.to_string(), format!("$: {}", e.reason));
}

#[test]
fn minimal_file_takes_the_defaults() {
    let s = ok(r#"{"today": "2025-03-12", "advisers": []}"#);
    assert_eq!(s.today, d("2025-03-12"));
    assert_eq!(s.config, domain::allocation::Config::default());
    assert!(!s.include_no);
    assert!(s.firm.advisers.is_empty() && s.firm.closures.is_empty());
    assert!(s.firm.overrides.is_empty());
    assert_eq!(s.deal, None);
    assert_eq!((s.name, s.description), (None, None));
}

#[test]
fn top_level_and_config_mapping() {
    let s = ok(&top(
        r#""name": "n", "description": "d", "timezone": "America/New_York", "include_no": true,
           "config": {"horizon_weeks": 5, "solo_limit_monthly": 1000}, "advisers": [], "deal": null"#,
    ));
    assert_eq!(s.name.as_deref(), Some("n"));
    assert_eq!(s.description.as_deref(), Some("d"));
    assert_eq!(s.config.timezone(), chrono_tz::America::New_York);
    assert_eq!(s.config.horizon_weeks(), 5);
    assert_eq!(s.config.solo_limit_monthly(), 1000);
    assert_eq!(s.config.prestart_weeks(), 3);
    assert!(s.include_no);
    assert_eq!(s.deal, None);
}

#[test]
fn adviser_profile_mapping() {
    let s = ok(&advisers(
        r#"{"email": "a@x.com"},
           {"email": "b@x.com", "taking_on_clients": null, "hubspot_owner_id": 12345678901,
            "service_packages": ["Seed", "IPO"], "household_types": "Single", "name": "Bo",
            "pod_type": "Solo Adviser", "start_date": "someday"},
           {"email": " C@x.com ", "taking_on_clients": " TRUE ", "hubspot_owner_id": "0042",
            "service_packages": "Seed", "household_types": null, "name": null, "pod_type": null,
            "start_date": null},
           {"email": "d@x.com", "taking_on_clients": false, "hubspot_owner_id": null}"#,
    ));
    let p: Vec<_> = s.firm.advisers.iter().map(|a| &a.profile).collect();
    // absent / null / string / bool taking_on_clients
    assert_eq!(p[0].taking_on_clients, RawFlag::Bool(true));
    assert_eq!(p[1].taking_on_clients, RawFlag::Missing);
    assert_eq!(p[2].taking_on_clients, RawFlag::Text(" TRUE ".into()));
    assert_eq!(p[3].taking_on_clients, RawFlag::Bool(false));
    // owner ids
    assert_eq!(p[0].hubspot_owner_id, None);
    assert_eq!(p[1].hubspot_owner_id.as_deref(), Some("12345678901"));
    assert_eq!(p[2].hubspot_owner_id.as_deref(), Some("0042"));
    assert_eq!(p[3].hubspot_owner_id, None);
    // multi-value fields
    assert_eq!(p[0].service_packages, RawMulti::Text(String::new()));
    assert_eq!(
        p[1].service_packages,
        RawMulti::List(vec!["Seed".into(), "IPO".into()])
    );
    assert_eq!(p[2].service_packages, RawMulti::Text("Seed".into()));
    assert_eq!(p[0].household_types, RawMulti::Missing);
    assert_eq!(p[1].household_types, RawMulti::Text("Single".into()));
    assert_eq!(p[2].household_types, RawMulti::Missing);
    // strings kept as written
    assert_eq!(p[2].email, " C@x.com ");
    assert_eq!(p[1].name.as_deref(), Some("Bo"));
    assert_eq!(p[2].name, None);
    assert_eq!(p[1].pod_type.as_deref(), Some("Solo Adviser"));
    assert_eq!(p[1].start_date.as_deref(), Some("someday"));
    assert_eq!(p[2].start_date, None);
}

#[test]
fn adviser_activity_mapping() {
    let s = ok(&advisers(
        r#"{"email": "a@x.com",
            "meetings": [{"start": "2025-03-10T09:30"},
                         {"start": "2025-03-19T14:00:00+11:00", "type": "Review", "title": "t"}],
            "deals_without_clarify": [
                {"id": "D-1", "agreement_start_date": "soon", "name": "n"},
                {"id": 7, "agreement_start_date": 1742169600000},
                {"agreement_start_date": null},
                {"agreement_start_date": 9223372036854775808},
                {}],
            "leave": [{"id": "L1", "start_date": "2025-03-24", "end_date": "2025-03-25T00:00:00+11:00"}]},
           {"email": "b@x.com", "data_unavailable": true,
            "meetings": [{"start": "2025-03-10T09:30"}]},
           {"email": "c@x.com", "data_unavailable": false}"#,
    ));
    let Activity::Available(data) = &s.firm.advisers[0].activity else {
        panic!("adviser 0 unavailable")
    };
    assert_eq!(
        data.meetings,
        vec![
            RawMeeting {
                id: None,
                start: "2025-03-10T09:30".into(),
                kind: "Clarify".into()
            },
            RawMeeting {
                id: None,
                start: "2025-03-19T14:00:00+11:00".into(),
                kind: "Review".into()
            },
        ]
    );
    assert_eq!(
        data.deals_without_clarify,
        vec![
            RawDeal {
                id: Some("D-1".into()),
                agreement_start_date: RawDealDate::Text("soon".into())
            },
            RawDeal {
                id: Some("7".into()),
                agreement_start_date: RawDealDate::Millis(1_742_169_600_000)
            },
            RawDeal {
                id: None,
                agreement_start_date: RawDealDate::Missing
            },
            RawDeal {
                id: None,
                // Beyond i64: kept as received, so W2 quotes it exactly (ER3).
                agreement_start_date: RawDealDate::Text("9223372036854775808".into())
            },
            RawDeal {
                id: None,
                agreement_start_date: RawDealDate::Missing
            },
        ]
    );
    assert_eq!(
        data.leave,
        vec![RawLeave {
            id: Some("L1".into()),
            start_date: Some("2025-03-24".into()),
            end_date: Some("2025-03-25T00:00:00+11:00".into()),
        }]
    );
    assert_eq!(
        s.firm.advisers[1].activity,
        Activity::Unavailable(DataSource::Meetings)
    );
    assert_eq!(s.firm.advisers[2].activity, Activity::default());
}

#[test]
fn stores_mapping() {
    let s = ok(&top(r#""advisers": [],
           "office_closures": [
               {"start_date": "2025-03-26"},
               {"start_date": "2025-12-24T00:00", "end_date": "2026-01-02", "description": "Shutdown",
                "tags": " office, ,summer "},
               {"start_date": "2025-04-18", "end_date": null, "tags": ["public"]}],
           "capacity_overrides": [
               {"adviser_email": "Eli@x.com", "effective_date": "2025-04-02T10:00:00Z",
                "client_limit_monthly": 1, "pod_type": null, "notes": "ramp-up"},
               {"adviser_email": "f@x.com", "effective_date": "2025-04-02",
                "client_limit_monthly": 1000, "pod_type": "Solo Adviser", "notes": null}]"#));
    let c = &s.firm.closures;
    assert_eq!(c[0].start_date, d("2025-03-26"));
    assert_eq!(c[0].end_date, None);
    assert_eq!(c[0].description, "");
    assert!(c[0].tags.is_empty());
    assert_eq!(c[1].start_date, d("2025-12-24"));
    assert_eq!(c[1].end_date, Some(d("2026-01-02")));
    assert_eq!(c[1].description, "Shutdown");
    assert_eq!(c[1].tags, ["office", "summer"]);
    assert_eq!(c[2].end_date, None);
    assert_eq!(c[2].tags, ["public"]);
    let o = &s.firm.overrides;
    assert_eq!(o[0].adviser_email, "Eli@x.com");
    assert_eq!(o[0].effective_date, d("2025-04-02"));
    assert_eq!(o[0].client_limit_monthly.get(), 1);
    assert_eq!(
        (o[0].pod_type.as_deref(), o[0].notes.as_deref()),
        (None, Some("ramp-up"))
    );
    assert_eq!(o[1].client_limit_monthly.get(), 1000);
    assert_eq!(o[1].pod_type.as_deref(), Some("Solo Adviser"));
}

#[test]
fn deal_mapping() {
    let deal = |members: &str| {
        ok(&top(&format!(
            r#""timezone": "Australia/Sydney", "advisers": [], "deal": {{{members}}}"#
        )))
        .deal
        .unwrap()
    };
    let full = deal(
        r#""deal_id": " 5550001 ", "service_package": "Series A", "household_type": "Single",
           "agreement_start_date": "2025-03-26""#,
    );
    assert_eq!(full.deal_id(), Some("5550001"));
    assert_eq!(full.service_package(), "Series A");
    assert_eq!(full.household_type(), "Single");
    assert_eq!(full.agreement_date(), Some(d("2025-03-26")));

    let bare = deal(r#""service_package": """#);
    assert_eq!(bare.deal_id(), None);
    assert_eq!(bare.service_package(), "");
    assert_eq!(bare.household_type(), "");
    assert_eq!(bare.agreement_date(), None);

    let numeric = deal(
        r#""deal_id": 42, "service_package": "Seed", "household_type": null,
           "agreement_start_date": 1742169600000"#,
    );
    assert_eq!(numeric.deal_id(), Some("42"));
    assert_eq!(numeric.agreement_date(), Some(d("2025-03-17")));

    let nulls = deal(r#""deal_id": null, "service_package": "Seed", "agreement_start_date": null"#);
    assert_eq!((nulls.deal_id(), nulls.agreement_date()), (None, None));

    // The agreement date is resolved in the top-level zone, whichever member comes first.
    let s = ok(
        r#"{"deal": {"service_package": "Seed", "agreement_start_date": "2025-03-16T20:00:00Z"},
                   "advisers": [], "timezone": "UTC", "today": "2025-03-12"}"#,
    );
    assert_eq!(s.deal.unwrap().agreement_date(), Some(d("2025-03-16")));
}

#[test]
fn no_input_panics() {
    // Truncations of a valid document are all errors, never panics.
    let text = std::fs::read_to_string(examples_dir().join("ex1_basic_allocation.json")).unwrap();
    for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
        assert!(parse_scenario(&text[..end]).is_err());
    }
    for odd in ["", "null", "1", "\"x\"", "{}", "[[[[", &"[".repeat(100_000)] {
        assert!(parse_scenario(odd).is_err(), "{odd:?}");
    }
}
