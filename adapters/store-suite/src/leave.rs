//! Leave syncs, listings and the allocation's leave source (H2.3.3, H2.4, H7.2; C10).

use crate::{ann_and_bob, at, d, employee, leave, leave_ids, summary, sync_employees, sync_leave};
use domain::allocation::RawLeave;
use domain::ports::{
    EmployeeStore, LeaveFilter, LeaveRequest, LeaveSource, SyncSummary, UpstreamError,
};
use std::future::Future;

/// After a leave sync the store holds exactly the synced set (leave of unknown employees is
/// skipped); a request may move to another employee.
pub async fn leave_sync_becomes_exactly_the_set<S: EmployeeStore>(store: &S) {
    let (t1, t2) = (at("2025-03-01T00:00:00Z"), at("2025-03-08T00:00:00Z"));
    sync_employees(store, ann_and_bob(), t1).await;
    let first = sync_leave(
        store,
        vec![
            leave("a", "1", "2025-03-03", "2025-03-04"),
            leave("b", "1", "2025-03-10", "2025-03-10"),
            leave("c", "2", "2025-03-05", "2025-03-07"),
            leave("x", "99", "2025-03-05", "2025-03-07"),
        ],
        t1,
    )
    .await;
    assert_eq!(
        first,
        SyncSummary {
            skipped_unknown_employee: 1,
            ..summary(3, 0, 0, 0)
        }
    );
    let moved = leave("b", "2", "2025-03-11", "2025-03-12");
    let second = sync_leave(
        store,
        vec![
            leave("a", "1", "2025-03-03", "2025-03-04"),
            moved.clone(),
            leave("d", "2", "2025-03-20", "2025-03-21"),
        ],
        t2,
    )
    .await;
    assert_eq!(second, summary(1, 1, 1, 1), "c was cancelled upstream");
    let stored = store.list_leave(LeaveFilter::default()).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|l| l.request.leave_request_id.as_str())
            .collect::<Vec<_>>(),
        ["a", "b", "d"]
    );
    assert_eq!(stored[1].request, moved);
    assert!(stored.iter().all(|l| l.synced_at == t2));
    let emptied = sync_leave(store, vec![], t2).await;
    assert_eq!(
        emptied,
        summary(0, 0, 0, 3),
        "no approved leave left upstream"
    );
    assert!(leave_ids(store, LeaveFilter::default()).await.is_empty());
}

pub async fn leave_listing_filters_and_orders<S: EmployeeStore>(store: &S) {
    let t = at("2025-03-01T00:00:00Z");
    sync_employees(
        store,
        vec![
            employee("10", "Ann", Some(" "), Some("ann@x.com")),
            employee("9", "Bob", Some("bob@x.com"), Some("b@x.com")),
        ],
        t,
    )
    .await;
    sync_leave(
        store,
        vec![
            leave("3", "10", "2025-03-03", "2025-03-04"),
            leave("2", "9", "2025-03-03", "2025-03-03"),
            leave("1", "9", "2025-03-10", "2025-03-14"),
            leave("4", "10", "2025-02-24", "2025-02-28"),
        ],
        t,
    )
    .await;
    assert_eq!(
        leave_ids(store, LeaveFilter::default()).await,
        ["4", "2", "3", "1"],
        "by start date, then employee id as a number"
    );
    let of = |employee_id: Option<&str>, from: Option<&str>, to: Option<&str>| LeaveFilter {
        employee_id: employee_id.map(Into::into),
        from: from.map(d),
        to: to.map(d),
    };
    assert_eq!(
        leave_ids(store, of(Some("10"), None, None)).await,
        ["4", "3"]
    );
    assert_eq!(
        leave_ids(store, of(None, Some("2025-03-04"), Some("2025-03-10"))).await,
        ["3", "1"],
        "overlapping: ends on or after from, starts on or before to"
    );
    assert_eq!(
        leave_ids(store, of(None, Some("2025-03-05"), None)).await,
        ["1"]
    );
    assert_eq!(
        leave_ids(store, of(Some("9"), None, Some("2025-03-03"))).await,
        ["2"]
    );
    let all = store.list_leave(LeaveFilter::default()).await.unwrap();
    assert_eq!(all[0].employee_email.as_deref(), Some("ann@x.com"));
    assert_eq!(all[1].employee_email.as_deref(), Some("bob@x.com"));
    assert_eq!(
        all[0].request.leave_category.as_deref(),
        Some("Annual Leave")
    );
}

pub async fn leave_source_matches_by_ekey<S: EmployeeStore + LeaveSource>(store: &S) {
    let t = at("2025-03-01T00:00:00Z");
    sync_employees(
        store,
        vec![
            employee("1", "Ann", Some("Ann.Lee@Example.com"), None),
            employee("2", "Bob", None, Some(" bob@example.com")),
            employee("3", "Cy", Some("cy@example.com"), None),
        ],
        t,
    )
    .await;
    let pending = LeaveRequest {
        status: "Pending".into(),
        ..leave("p", "1", "2025-03-17", "2025-03-17")
    };
    let approved_lowercase = LeaveRequest {
        status: " approved ".into(),
        ..leave("q", "1", "2025-03-03", "2025-03-03")
    };
    sync_leave(
        store,
        vec![
            leave("a", "1", "2025-03-10", "2025-03-11"),
            pending,
            approved_lowercase,
            leave("b", "2", "2025-03-05", "2025-03-05"),
        ],
        t,
    )
    .await;
    let emails = [
        " ANN.LEE@example.COM ".to_owned(),
        "Bob@Example.com".to_owned(),
        "cy@example.com".to_owned(),
        "nobody@example.com".to_owned(),
    ];
    let got = store.leave(&emails).await.unwrap();
    let raw = |id: &str, start: &str, end: &str| RawLeave {
        id: Some(id.into()),
        start_date: Some(start.into()),
        end_date: Some(end.into()),
    };
    assert_eq!(
        got["ann.lee@example.com"],
        [
            raw("q", "2025-03-03", "2025-03-03"),
            raw("a", "2025-03-10", "2025-03-11")
        ],
        "only approved leave, by start date"
    );
    assert_eq!(
        got["bob@example.com"],
        [raw("b", "2025-03-05", "2025-03-05")],
        "matched by account email"
    );
    assert!(
        got["cy@example.com"].is_empty(),
        "an employee without leave"
    );
    assert!(!got.contains_key("nobody@example.com"));
    assert_eq!(got.len(), 3);
    assert!(store.leave(&[]).await.unwrap().is_empty());
}

/// When the leave can no longer be read (`break_leave_reads`: the backend's way to make it so),
/// the leave source answers `Unavailable`, never an empty map (U4.7).
pub async fn leave_source_failure_is_unavailable<S, F, Fut>(store: &S, break_leave_reads: F)
where
    S: EmployeeStore + LeaveSource,
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    store
        .sync_employees(
            vec![employee("1", "Ann", Some("ann@x.com"), None)],
            at("2025-03-01T00:00:00Z"),
        )
        .await
        .unwrap();
    break_leave_reads().await;
    let err = store.leave(&["ann@x.com".into()]).await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err:?}");
}
