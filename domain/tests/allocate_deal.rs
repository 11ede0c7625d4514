//! The allocation use case over mocked ports (allocation.md SL1, C7, C9, C10; upstreams.md U1.8,
//! U1.9; http-api.md H2.1.4, H3.2). Needs the `mocks` feature:
//! `cargo test -p domain --features mocks --test allocate_deal`.
#![cfg(feature = "mocks")]
// Test helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, Utc};
use domain::allocation::*;
use domain::ports::*;
use domain::usecase::{AllocateDeal, AllocateError, ReadFailure, SnapshotSource};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type UseCase =
    AllocateDeal<MockCrm, MockLeaveSource, MockClosureStore, MockOverrideStore, MockClock>;

/// Wednesday 2025-03-12, 12:00 in Sydney (AEDT, +11): CW 03-10, LW 03-03, MA 03-24.
const NOW: &str = "2025-03-12T01:00:00Z";
/// 00:00 Sydney on Monday 2025-03-03 (LW).
const SINCE: &str = "2025-03-02T13:00:00Z";

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn adviser(email: &str, owner: Option<&str>, taking: bool, packages: &str) -> AdviserProfile {
    AdviserProfile {
        hubspot_owner_id: owner.map(String::from),
        taking_on_clients: RawFlag::Text(if taking { "True" } else { "False" }.into()),
        service_packages: RawMulti::Text(packages.into()),
        ..AdviserProfile::new(email)
    }
}

/// The listing, in order. Business-eligible for a Series A deal: carol, alice, erin, gina.
fn listing() -> Vec<AdviserProfile> {
    vec![
        adviser("carol@x.com", Some("1002"), true, "Series A; Seed"),
        adviser("alice@x.com", Some("1001"), true, "Series A"),
        adviser("dave@x.com", Some("1003"), false, "Series A"),
        adviser("Erin@x.com", None, true, "series a"),
        adviser("frank@x.com", Some("1004"), true, "IPO"),
        adviser(" Gina@X.com", Some("1005"), true, "Series A | IPO"),
    ]
}

const ELIGIBLE_EMAILS: [&str; 4] = ["carol@x.com", "alice@x.com", "Erin@x.com", " Gina@X.com"];

fn series_a(deal_id: Option<&str>) -> DealRequest {
    deal_with(deal_id, "Series A")
}

fn deal_with(deal_id: Option<&str>, package: &str) -> DealRequest {
    DealRequest::new(
        deal_id,
        package,
        None,
        &RawDealDate::Missing,
        chrono_tz::Australia::Sydney,
    )
    .unwrap()
}

fn clarify(start: &str) -> RawMeeting {
    RawMeeting {
        id: None,
        start: start.into(),
        kind: "Clarify".into(),
    }
}

/// X2: carol has two Clarifies in each of the weeks 03-10 .. 03-31, so her earliest is 04-14.
fn meetings_of(owner: &str) -> Vec<RawMeeting> {
    match owner {
        "1002" => ["2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31"]
            .iter()
            .flat_map(|w| {
                [
                    clarify(&format!("{w}T10:00")),
                    clarify(&format!("{w}T14:00")),
                ]
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Erin has six open deals dated before CW (a backlog, like X6's ivy), keyed by ekey.
fn deals() -> DealsByAdviser {
    let deal = |day: &str| RawDeal {
        id: Some(format!("deal-{day}")),
        agreement_start_date: RawDealDate::Text(day.into()),
    };
    HashMap::from([(
        "erin@x.com".to_owned(),
        [
            "2025-02-10",
            "2025-02-17",
            "2025-02-24",
            "2025-03-03",
            "2025-03-05",
            "2025-03-06",
        ]
        .into_iter()
        .map(deal)
        .collect(),
    )])
}

/// Gina is on leave the whole of MA, keyed by ekey (C10).
fn leave() -> LeaveByAdviser {
    HashMap::from([(
        "gina@x.com".to_owned(),
        vec![RawLeave {
            id: Some("L1".into()),
            start_date: Some("2025-03-24".into()),
            end_date: Some("2025-03-28".into()),
        }],
    )])
}

/// The meetings calls a mock CRM received, in call order.
type Calls = Arc<Mutex<Vec<Vec<String>>>>;

/// A CRM answering from the fixtures; meeting batches that contain `failing_owner` fail.
fn crm(batch_size: usize, failing_owner: Option<&'static str>, since: &str) -> (MockCrm, Calls) {
    let calls = Calls::default();
    let mut crm = MockCrm::new();
    crm.expect_advisers().times(1).returning(|| Ok(listing()));
    crm.expect_meeting_batch_size().return_const(batch_size);
    let since = utc(since);
    let seen = Arc::clone(&calls);
    crm.expect_meetings()
        .withf(move |_, s| *s == since)
        .returning(move |ids: &[String], _| {
            seen.lock().unwrap().push(ids.to_vec());
            if failing_owner.is_some_and(|f| ids.iter().any(|id| id == f)) {
                return Err(UpstreamError::unavailable("timeout"));
            }
            Ok(ids.iter().map(|id| (id.clone(), meetings_of(id))).collect())
        });
    crm.expect_deals_without_clarify()
        .times(1)
        .returning(|| Ok(deals()));
    (crm, calls)
}

fn hr_ok() -> MockLeaveSource {
    let mut hr = MockLeaveSource::new();
    hr.expect_leave()
        .withf(|emails: &[String]| emails == ELIGIBLE_EMAILS)
        .times(1)
        .returning(|_| Ok(leave()));
    hr
}

fn closures_ok() -> MockClosureStore {
    let mut closures = MockClosureStore::new();
    closures.expect_closures().returning(|| Ok(Vec::new()));
    closures
}

fn overrides_ok() -> MockOverrideStore {
    let mut overrides = MockOverrideStore::new();
    overrides.expect_overrides().returning(|| Ok(Vec::new()));
    overrides
}

fn clock_at(now: &str) -> MockClock {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(utc(now));
    clock
}

fn use_case(crm: MockCrm, hr: MockLeaveSource) -> UseCase {
    AllocateDeal::new(
        crm,
        hr,
        closures_ok(),
        overrides_ok(),
        clock_at(NOW),
        Config::default(),
    )
}

fn outcome<'a>(r: &'a AllocationResult, email: &str) -> &'a AdviserOutcome {
    r.advisers.iter().find(|a| a.email == email).unwrap()
}

fn earliest(r: &AllocationResult, email: &str) -> String {
    let schedule = outcome(r, email).schedule.as_ref().unwrap();
    schedule.earliest_open_week.to_string()
}

fn chosen(r: &AllocationResult) -> (&str, &'static str) {
    let s = r.selection.as_ref().unwrap();
    (r.chosen().unwrap().email.as_str(), s.decided_by.code())
}

fn excluded(r: &AllocationResult, email: &str) -> (Option<&'static str>, Option<&'static str>) {
    let a = outcome(r, email);
    (
        a.excluded_reason.map(ExcludedReason::code),
        a.excluded_detail.map(DataSource::code),
    )
}

fn sorted(calls: &Calls) -> Vec<Vec<String>> {
    let mut calls = calls.lock().unwrap().clone();
    calls.sort();
    calls
}

fn ids(batch: &[&str]) -> Vec<String> {
    batch.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn happy_path_chooses_the_idle_adviser() {
    futures::executor::block_on(async {
        let (crm, _) = crm(50, None, SINCE);
        let r = use_case(crm, hr_ok())
            .decide(&series_a(Some("D1")))
            .await
            .unwrap();
        assert_eq!(r.error, None);
        assert_eq!(r.today, d("2025-03-12"));
        assert_eq!(earliest(&r, "carol@x.com"), "2025-04-14");
        assert_eq!(earliest(&r, "alice@x.com"), "2025-03-24");
        assert!(earliest(&r, "Erin@x.com").as_str() > "2025-03-24");
        assert!(earliest(&r, " Gina@X.com").as_str() > "2025-03-24");
        assert_eq!(chosen(&r), ("alice@x.com", "single"));
        assert_eq!(
            r.chosen().unwrap().hubspot_owner_id.as_deref(),
            Some("1001")
        );
        // Activity reached the right advisers: meetings by owner, deals and leave by ekey.
        assert_eq!(outcome(&r, "carol@x.com").inputs, (8, 0, 0));
        assert_eq!(outcome(&r, "Erin@x.com").inputs, (0, 6, 0));
        assert_eq!(outcome(&r, " Gina@X.com").inputs, (0, 0, 1));
    })
}

#[test]
fn u1_8_meetings_are_searched_in_batches_from_last_monday() {
    futures::executor::block_on(async {
        let (crm, calls) = crm(2, None, SINCE);
        let r = use_case(crm, hr_ok())
            .decide(&series_a(Some("D1")))
            .await
            .unwrap();
        assert_eq!(chosen(&r), ("alice@x.com", "single"));
        // Erin has no owner id, so no meetings; dave and frank are not business-eligible.
        assert_eq!(sorted(&calls), vec![ids(&["1002", "1001"]), ids(&["1005"])]);
    })
}

#[test]
fn el2_only_business_eligible_advisers_are_fetched() {
    futures::executor::block_on(async {
        let (crm, calls) = crm(50, None, SINCE);
        let r = use_case(crm, hr_ok())
            .decide(&series_a(None))
            .await
            .unwrap();
        assert_eq!(sorted(&calls), vec![ids(&["1002", "1001", "1005"])]);
        assert_eq!(
            excluded(&r, "dave@x.com"),
            (Some("not_taking_on_clients"), None)
        );
        assert_eq!(
            excluded(&r, "frank@x.com"),
            (Some("service_package_mismatch"), None)
        );
        assert_eq!(outcome(&r, "dave@x.com").inputs, (0, 0, 0));
        assert!(outcome(&r, "frank@x.com").schedule.is_none());
    })
}

#[test]
fn c7_a_failed_meetings_batch_makes_only_its_advisers_unavailable() {
    futures::executor::block_on(async {
        let (crm, calls) = crm(2, Some("1001"), SINCE);
        let r = use_case(crm, hr_ok())
            .decide(&series_a(Some("D1")))
            .await
            .unwrap();
        assert_eq!(calls.lock().unwrap().len(), 2);
        let unavailable = (Some("data_unavailable"), Some("hubspot_meetings"));
        assert_eq!(excluded(&r, "carol@x.com"), unavailable);
        assert_eq!(excluded(&r, "alice@x.com"), unavailable);
        assert_eq!(
            outcome(&r, "alice@x.com").excluded_detail,
            Some(DataSource::Meetings)
        );
        // Erin (no owner id) and gina (the other batch) still allocate.
        assert_eq!(excluded(&r, "Erin@x.com"), (None, None));
        assert_eq!(excluded(&r, " Gina@X.com"), (None, None));
        assert_eq!(r.error, None);
        let (email, _) = chosen(&r);
        assert!(["Erin@x.com", " Gina@X.com"].contains(&email));
    })
}

#[test]
fn c7_failed_deals_query_makes_every_fetched_adviser_unavailable() {
    futures::executor::block_on(async {
        let mut crm = MockCrm::new();
        crm.expect_advisers().returning(|| Ok(listing()));
        crm.expect_meeting_batch_size().return_const(50usize);
        crm.expect_meetings()
            .times(1)
            .returning(|ids: &[String], _| {
                Ok(ids.iter().map(|id| (id.clone(), meetings_of(id))).collect())
            });
        crm.expect_deals_without_clarify()
            .times(1)
            .returning(|| Err(UpstreamError::RateLimited { retry_after: None }));
        let r = use_case(crm, hr_ok())
            .decide(&series_a(Some("D1")))
            .await
            .unwrap();
        for email in ELIGIBLE_EMAILS {
            assert_eq!(
                excluded(&r, email),
                (Some("data_unavailable"), Some("hubspot_deals"))
            );
        }
        assert_eq!(
            excluded(&r, "dave@x.com"),
            (Some("not_taking_on_clients"), None)
        );
        assert!(r.selection.is_none());
        assert_eq!(r.error, Some(AllocationFailure::UpstreamUnavailable));
    })
}

#[test]
fn c7_failed_leave_makes_every_fetched_adviser_unavailable() {
    futures::executor::block_on(async {
        let (crm, _) = crm(50, None, SINCE);
        let mut hr = MockLeaveSource::new();
        hr.expect_leave()
            .times(1)
            .returning(|_| Err(UpstreamError::unavailable("breaker open")));
        let r = use_case(crm, hr)
            .decide(&series_a(Some("D1")))
            .await
            .unwrap();
        for email in ELIGIBLE_EMAILS {
            let a = outcome(&r, email);
            assert_eq!(a.excluded_reason, Some(ExcludedReason::DataUnavailable));
            assert_eq!(a.excluded_detail, Some(DataSource::Leave));
        }
        assert_eq!(r.error, Some(AllocationFailure::UpstreamUnavailable));
    })
}

/// A CRM and HR source that fail the test if any activity is fetched.
fn no_activity(crm: &mut MockCrm) -> MockLeaveSource {
    crm.expect_meeting_batch_size().times(0);
    crm.expect_meetings().times(0);
    crm.expect_deals_without_clarify().times(0);
    let mut hr = MockLeaveSource::new();
    hr.expect_leave().times(0);
    hr
}

#[test]
fn sl1_a_failed_adviser_listing_computes_nothing() {
    futures::executor::block_on(async {
        let mut crm = MockCrm::new();
        crm.expect_advisers()
            .times(1)
            .returning(|| Err(UpstreamError::Unauthorized));
        let hr = no_activity(&mut crm);
        let err = use_case(crm, hr)
            .decide(&series_a(Some("D1")))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "upstream_unavailable");
        assert_eq!(
            err,
            AllocateError::UpstreamUnavailable {
                which: SnapshotSource::Advisers,
                cause: ReadFailure::Upstream(UpstreamError::Unauthorized),
            }
        );
    })
}

#[test]
fn sl1_an_unreadable_store_computes_nothing() {
    futures::executor::block_on(async {
        for which in [SnapshotSource::Closures, SnapshotSource::Overrides] {
            let mut crm = MockCrm::new();
            crm.expect_advisers().returning(|| Ok(listing()));
            let hr = no_activity(&mut crm);
            let down = || StoreError::Unavailable("connection refused".into());
            let mut closures = MockClosureStore::new();
            let mut overrides = MockOverrideStore::new();
            if which == SnapshotSource::Closures {
                closures
                    .expect_closures()
                    .times(1)
                    .returning(move || Err(down()));
                overrides.expect_overrides().returning(|| Ok(Vec::new()));
            } else {
                closures.expect_closures().returning(|| Ok(Vec::new()));
                overrides
                    .expect_overrides()
                    .times(1)
                    .returning(move || Err(down()));
            }
            let uc = AllocateDeal::new(
                crm,
                hr,
                closures,
                overrides,
                clock_at(NOW),
                Config::default(),
            );
            let err = uc.decide(&series_a(Some("D1"))).await.unwrap_err();
            let AllocateError::UpstreamUnavailable { which: got, cause } = &err else {
                panic!("unexpected error {err:?}");
            };
            assert_eq!(*got, which);
            assert_eq!(
                *cause,
                ReadFailure::Store(StoreError::Unavailable("connection refused".into()))
            );
            assert_eq!(err.code(), "upstream_unavailable");
        }
    })
}

#[test]
fn sl1_no_business_eligible_adviser_fetches_no_activity() {
    futures::executor::block_on(async {
        let mut crm = MockCrm::new();
        crm.expect_advisers().returning(|| Ok(listing()));
        let hr = no_activity(&mut crm);
        let r = use_case(crm, hr)
            .decide(&deal_with(Some("D1"), "Series Z"))
            .await
            .unwrap();
        assert_eq!(r.error, Some(AllocationFailure::NoEligibleAdviser));
        assert!(r.selection.is_none());
        assert!(r.advisers.iter().all(|a| a.excluded_detail.is_none()));
    })
}

#[test]
fn t2_today_is_the_firm_local_date_near_midnight() {
    futures::executor::block_on(async {
        // 2025-03-09 13:30 UTC is Monday 2025-03-10 00:30 in Sydney: CW 03-10, LW 03-03.
        // (In UTC it would still be Sunday 03-09, LW 02-24.)
        let (crm, _) = crm(50, None, SINCE);
        let uc = AllocateDeal::new(
            crm,
            hr_ok(),
            closures_ok(),
            overrides_ok(),
            clock_at("2025-03-09T13:30:00Z"),
            Config::default(),
        );
        let r = uc.decide(&series_a(Some("D1"))).await.unwrap();
        assert_eq!(r.today, d("2025-03-10"));
        assert_eq!(r.current_week.to_string(), "2025-03-10");
    })
}

#[test]
fn t1_the_search_window_follows_the_configured_zone() {
    futures::executor::block_on(async {
        // In UTC, Wednesday 2025-03-12 01:00 gives LW 03-03 at 00:00 UTC.
        let (crm, _) = crm(50, None, "2025-03-03T00:00:00Z");
        let config = Config::new(chrono_tz::UTC, ConfigValues::default()).unwrap();
        let uc = AllocateDeal::new(
            crm,
            hr_ok(),
            closures_ok(),
            overrides_ok(),
            clock_at(NOW),
            config,
        );
        let r = uc.decide(&series_a(Some("D1"))).await.unwrap();
        assert_eq!(r.today, d("2025-03-12"));
    })
}

#[test]
fn u1_6_assign_owner_writes_the_chosen_owner_once() {
    futures::executor::block_on(async {
        let (mut crm, _) = crm(50, None, SINCE);
        crm.expect_set_deal_owner()
            .withf(|deal, owner| deal == "D1" && owner == "1001")
            .times(1)
            .returning(|_, _| Ok(()));
        let uc = use_case(crm, hr_ok());
        let r = uc.decide(&series_a(Some("D1"))).await.unwrap();
        assert_eq!(
            uc.assign_owner("D1", &r).await.unwrap(),
            Some("1001".to_owned())
        );
    })
}

#[test]
fn u1_6_assign_owner_reports_a_failed_write() {
    futures::executor::block_on(async {
        let (mut crm, _) = crm(50, None, SINCE);
        crm.expect_set_deal_owner()
            .times(1)
            .returning(|_, _| Err(UpstreamError::NotFound));
        let uc = use_case(crm, hr_ok());
        let r = uc.decide(&series_a(Some("D1"))).await.unwrap();
        let err = uc.assign_owner("D1", &r).await.unwrap_err();
        assert_eq!(
            err,
            AllocateError::OwnerWriteFailed(UpstreamError::NotFound)
        );
        assert_eq!(err.code(), "hubspot_write_failed");
    })
}

#[test]
fn h2_1_5_assign_owner_writes_nothing_without_an_owner_id_or_a_selection() {
    futures::executor::block_on(async {
        let (mut crm, _) = crm(50, None, SINCE);
        crm.expect_set_deal_owner().times(0);
        let mut hr = MockLeaveSource::new();
        hr.expect_leave().returning(|_| Ok(LeaveByAdviser::new()));
        let uc = use_case(crm, hr);
        let mut r = uc.decide(&series_a(Some("D1"))).await.unwrap();
        // The chosen adviser lost its owner id (e.g. a listing without one).
        let chosen = r.selection.as_ref().unwrap().chosen;
        r.advisers[chosen].hubspot_owner_id = None;
        assert_eq!(uc.assign_owner("D1", &r).await.unwrap(), None);
        r.selection = None;
        assert_eq!(uc.assign_owner("D1", &r).await.unwrap(), None);
    })
}

#[test]
fn the_decide_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let uc = use_case(MockCrm::new(), MockLeaveSource::new());
    let deal = series_a(None);
    let fut = uc.decide(&deal);
    assert_send(&fut);
}
