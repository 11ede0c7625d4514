//! Employee syncs and lookups (H2.3.2, H2.4, H7.1).

use crate::{
    ann_and_bob, at, employee, employee_ids, leave, leave_ids, listed_employee_ids, summary,
    sync_employees, sync_leave,
};
use domain::ports::{Employee, EmployeeStore, LeaveFilter, SyncSummary};

/// A sync upserts the given employees and deletes the others. After it the store holds, among
/// others, employee "1" (no account email) and "4" (Dee, dee@x.com / d@x.com).
pub async fn employees_sync_upserts_and_deletes<S: EmployeeStore>(store: &S) {
    let (t1, t2) = (at("2025-03-01T00:00:00Z"), at("2025-03-02T00:00:00.250Z"));
    let first = vec![
        employee("1", "Ann", Some("ann@x.com"), None),
        employee("2", "Bob", None, Some("bob@x.com")),
        employee("3", "Cy", None, None),
    ];
    assert_eq!(sync_employees(store, first, t1).await, summary(3, 0, 0, 0));
    let second = vec![
        employee("1", "Ann", Some("ann@x.com"), None),
        employee("2", "Bob Brown", None, Some("bob@x.com")),
        employee("4", "Dee", Some("dee@x.com"), Some("d@x.com")),
    ];
    let got = sync_employees(store, second, t2).await;
    assert_eq!(got, summary(1, 1, 1, 1));
    assert_eq!(got.synced(), 3);
    assert_eq!(employee_ids(store).await, ["1", "2", "4"]);
    assert!(store.get_employee("3").await.unwrap().is_none());
    let bob = store.get_employee("2").await.unwrap().unwrap();
    assert_eq!(bob.employee.name, "Bob Brown");
    for e in store.list_employees().await.unwrap() {
        assert_eq!(
            e.synced_at, t2,
            "every listed employee is confirmed by the sync"
        );
    }
    assert_eq!(
        store.get_employee("4").await.unwrap().unwrap().employee,
        employee("4", "Dee", Some("dee@x.com"), Some("d@x.com"))
    );
}

/// An empty sync (an upstream glitch) deletes nothing.
pub async fn employees_empty_sync_deletes_nothing<S: EmployeeStore>(store: &S) {
    let t = at("2025-03-01T00:00:00Z");
    sync_employees(store, vec![employee("1", "Ann", None, None)], t).await;
    assert_eq!(
        sync_employees(store, vec![], t).await,
        SyncSummary::default()
    );
    assert_eq!(employee_ids(store).await, ["1"]);
}

pub async fn employees_repeated_id_last_wins<S: EmployeeStore>(store: &S) {
    let got = sync_employees(
        store,
        vec![
            employee("1", "Old", None, None),
            employee("1", "New", None, None),
        ],
        at("2025-03-01T00:00:00Z"),
    )
    .await;
    assert_eq!(got, summary(1, 0, 0, 0));
    let ann = store.get_employee("1").await.unwrap().unwrap();
    assert_eq!(ann.employee.name, "New");
}

/// Deleting an employee deletes its leave. The last sync of this behaviour keeps employee "1"
/// only, deleting employee "2" and its leave "b".
pub async fn employee_deletion_cascades_to_leave<S: EmployeeStore>(store: &S) {
    let t = at("2025-03-01T00:00:00Z");
    sync_employees(store, ann_and_bob(), t).await;
    sync_leave(
        store,
        vec![
            leave("a", "1", "2025-03-03", "2025-03-04"),
            leave("b", "2", "2025-03-05", "2025-03-05"),
        ],
        t,
    )
    .await;
    let got = sync_employees(store, vec![employee("1", "Ann", None, None)], t).await;
    assert_eq!(got.deleted, 1);
    assert_eq!(leave_ids(store, LeaveFilter::default()).await, ["a"]);
}

pub async fn employee_lookups<S: EmployeeStore>(store: &S) {
    store
        .sync_employees(
            vec![
                employee("123", "bea", None, Some("shared@x.com")),
                employee("45", "Al", Some(" Shared@X.com "), None),
                employee("100", "Bea", Some("shared@x.com"), None),
                employee("7", "carl", Some(""), Some("Carl@X.com")),
                employee("8", "Al", Some("al@x.com"), None),
            ],
            at("2025-03-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        listed_employee_ids(store).await,
        ["8", "45", "100", "123", "7"],
        "name case-insensitively (Bea before bea), then id as a number"
    );
    let find = |email: &'static str| async move {
        store
            .find_employee_by_email(email)
            .await
            .unwrap()
            .map(|e| e.employee.employee_id)
    };
    assert_eq!(
        find("SHARED@x.com ").await.as_deref(),
        Some("45"),
        "company email first, smallest id"
    );
    assert_eq!(
        find("carl@x.com").await.as_deref(),
        Some("7"),
        "account email when no company email matches; a blank company email matches nothing"
    );
    assert_eq!(find("nobody@x.com").await, None);
    assert_eq!(find("  ").await, None);
    assert!(store.get_employee("nope").await.unwrap().is_none());
}

/// Syncs racing through `writers` (other handles on the same storage, as other processes would
/// hold) leave exactly one sync's result, read back through `store`.
pub async fn concurrent_syncs_serialise<S: EmployeeStore>(store: &S, writers: Vec<S>) {
    let t = at("2025-03-01T00:00:00Z");
    let sets: Vec<Vec<Employee>> = (0..writers.len())
        .map(|k| {
            (0..20)
                .map(|i| employee(&(i + k * 10).to_string(), &format!("E{k}"), None, None))
                .collect()
        })
        .collect();
    let syncs = writers
        .iter()
        .zip(sets.clone())
        .map(|(writer, set)| writer.sync_employees(set, t));
    for result in futures::future::join_all(syncs).await {
        result.unwrap();
    }
    let mut stored: Vec<Employee> = store
        .list_employees()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.employee)
        .collect();
    stored.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
    assert!(
        sets.into_iter().any(|mut set| {
            set.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
            set == stored
        }),
        "the store holds exactly one sync's result"
    );
}
