//! The allocation history (H2.7.1): filters, order, paging and counts.

use super::{adviser, allocated, at, decide, unallocated};
use crate::harness::TestDb;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{
    AdviserCount, DecisionOutcome, DecisionPage, DecisionQuery, DecisionStore, HubspotWrite,
    HubspotWriteStatus, ServicePackageCount,
};
use sql_store::SqlStore;

fn query() -> DecisionQuery {
    DecisionQuery {
        outcome: None,
        hubspot_write: None,
        deal_id: None,
        adviser: None,
        within: TimeDelta::days(30),
        page: 1,
        page_size: 25,
    }
}

fn deals(page: &DecisionPage) -> Vec<&str> {
    page.items.iter().map(|d| d.deal_id.as_str()).collect()
}

fn now() -> DateTime<Utc> {
    at("2025-03-31T00:00:00Z")
}

async fn allocate(
    store: &SqlStore,
    deal: &str,
    decided_at: &str,
    chosen: (&str, &str),
    package: &str,
    write: HubspotWriteStatus,
) -> String {
    let at = at(decided_at);
    decide(store, deal, at, |id| {
        let mut d = allocated(id, deal, at);
        d.chosen = Some(adviser(chosen.0, chosen.1, Some("1")));
        d.service_package = package.into();
        d.hubspot_write = HubspotWrite {
            status: write,
            ..HubspotWrite::pending(at)
        };
        d
    })
    .await
}

/// d1..d7 as the tests below expect them; d6 is older than 30 days.
async fn seed(store: &SqlStore) {
    use HubspotWriteStatus::{Done, Failed, Pending};
    let alice = ("alice@example.com", "Alice Anders");
    allocate(
        store,
        "d1",
        "2025-03-30T10:00:00Z",
        alice,
        "Series A",
        Pending,
    )
    .await;
    let zoe = ("zoe@example.com", "Zoë Ångström");
    allocate(store, "d2", "2025-03-29T10:00:00Z", zoe, "Series B", Done).await;
    allocate(
        store,
        "d3",
        "2025-03-28T10:00:00Z",
        alice,
        "Series A",
        Failed,
    )
    .await;
    for (deal, outcome, package) in [
        ("d4", DecisionOutcome::NoEligibleAdviser, "Series A"),
        ("d5", DecisionOutcome::UpstreamUnavailable, "Series C"),
    ] {
        let at = at("2025-03-27T10:00:00Z");
        decide(store, deal, at, |id| {
            let mut d = unallocated(id, deal, at, outcome);
            d.service_package = package.into();
            d
        })
        .await;
    }
    let bob = ("bob@example.com", "Bob");
    allocate(store, "d6", "2025-01-01T10:00:00Z", bob, "Series A", Done).await;
    let under = ("pct@example.com", "Under_Score");
    allocate(
        store,
        "d7",
        "2025-03-26T10:00:00Z",
        under,
        "Series A",
        Pending,
    )
    .await;
}

async fn history_lists_newest_first_with_counts(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let page = store.list_decisions(query(), now()).await.unwrap();
    assert_eq!(page.total, 6, "d6 is outside the last 30 days");
    let mut tied = [
        &page.items[3].id, // d4 and d5 share decided_at: id desc
        &page.items[4].id,
    ];
    assert_eq!(&deals(&page)[..3], ["d1", "d2", "d3"]);
    assert_eq!(deals(&page)[5], "d7");
    tied.sort();
    assert_eq!(page.items[3].id, *tied[1]);

    let c = &page.counts;
    use DecisionOutcome::*;
    assert_eq!(
        c.by_outcome
            .iter()
            .map(|(o, n)| (*o, *n))
            .collect::<Vec<_>>(),
        [
            (Allocated, 4),
            (NoEligibleAdviser, 1),
            (UpstreamUnavailable, 1)
        ]
    );
    use HubspotWriteStatus::*;
    assert_eq!(
        c.by_hubspot_write
            .iter()
            .map(|(w, n)| (*w, *n))
            .collect::<Vec<_>>(),
        [(NotApplicable, 2), (Pending, 2), (Done, 1), (Failed, 1)]
    );
    let advisers = |list: &[(&str, u64)]| {
        list.iter()
            .map(|(email, count)| AdviserCount {
                email: (*email).into(),
                count: *count,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        c.top_advisers,
        advisers(&[
            ("alice@example.com", 2),
            ("pct@example.com", 1),
            ("zoe@example.com", 1)
        ])
    );
    let packages = c
        .top_service_packages
        .iter()
        .map(|p| (p.service_package.as_str(), p.count))
        .collect::<Vec<_>>();
    assert_eq!(
        packages,
        [("Series A", 4), ("Series B", 1), ("Series C", 1)]
    );

    let year = DecisionQuery {
        within: TimeDelta::days(365),
        ..query()
    };
    assert_eq!(store.list_decisions(year, now()).await.unwrap().total, 7);
}

async fn history_filters(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let list = |q: DecisionQuery| async move {
        let page = store.list_decisions(q, now()).await.unwrap();
        (page.total, deals(&page).join(","))
    };
    let allocated_only = DecisionQuery {
        outcome: Some(DecisionOutcome::Allocated),
        ..query()
    };
    assert_eq!(list(allocated_only).await, (4, "d1,d2,d3,d7".into()));
    let pending = DecisionQuery {
        hubspot_write: Some(HubspotWriteStatus::Pending),
        ..query()
    };
    assert_eq!(list(pending).await, (2, "d1,d7".into()));
    let deal = DecisionQuery {
        deal_id: Some("d3".into()),
        ..query()
    };
    assert_eq!(list(deal).await, (1, "d3".into()));
    let by_adviser = |a: &str| DecisionQuery {
        adviser: Some(a.into()),
        ..query()
    };
    assert_eq!(
        list(by_adviser("ALICE")).await,
        (2, "d1,d3".into()),
        "email"
    );
    assert_eq!(
        list(by_adviser("anders")).await,
        (2, "d1,d3".into()),
        "name"
    );
    assert_eq!(
        list(by_adviser("ÅNGSTRÖM")).await,
        (1, "d2".into()),
        "beyond ASCII"
    );
    assert_eq!(
        list(by_adviser("_")).await,
        (1, "d7".into()),
        "LIKE wildcards are literal"
    );
    assert_eq!(list(by_adviser("%")).await, (0, String::new()));
    assert_eq!(list(by_adviser("example.com")).await.0, 4);
    let combined = DecisionQuery {
        outcome: Some(DecisionOutcome::Allocated),
        hubspot_write: Some(HubspotWriteStatus::Pending),
        adviser: Some("alice".into()),
        ..query()
    };
    assert_eq!(list(combined).await, (1, "d1".into()));

    // Counts follow the filters.
    let page = store
        .list_decisions(by_adviser("alice"), now())
        .await
        .unwrap();
    assert_eq!(page.counts.by_outcome[&DecisionOutcome::Allocated], 2);
    assert_eq!(
        page.counts.by_outcome[&DecisionOutcome::NoEligibleAdviser],
        0
    );
    assert_eq!(
        page.counts.top_service_packages,
        [ServicePackageCount {
            service_package: "Series A".into(),
            count: 2
        }]
    );
}

async fn history_pages(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let page = |n| DecisionQuery {
        page: n,
        page_size: 2,
        ..query()
    };
    let first = store.list_decisions(page(1), now()).await.unwrap();
    assert_eq!(deals(&first), ["d1", "d2"]);
    let third = store.list_decisions(page(3), now()).await.unwrap();
    assert_eq!(third.total, 6);
    assert_eq!(deals(&third)[1], "d7");
    assert_eq!(
        third.counts, first.counts,
        "counts cover the filtered set, not the page"
    );
    let beyond = store.list_decisions(page(4), now()).await.unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 6);
}

async fn top_lists_keep_five(db: &TestDb) {
    let store = &db.store;
    for i in 1..=7 {
        let email = format!("a{i}@example.com");
        allocate(
            store,
            &format!("{i}"),
            "2025-03-30T10:00:00Z",
            (&email, "A"),
            &format!("P{i}"),
            HubspotWriteStatus::Done,
        )
        .await;
    }
    allocate(
        store,
        "8",
        "2025-03-30T11:00:00Z",
        ("a7@example.com", "A"),
        "P7",
        HubspotWriteStatus::Done,
    )
    .await;
    let counts = store.list_decisions(query(), now()).await.unwrap().counts;
    let emails: Vec<_> = counts
        .top_advisers
        .iter()
        .map(|a| (a.email.as_str(), a.count))
        .collect();
    assert_eq!(
        emails,
        [
            ("a7@example.com", 2),
            ("a1@example.com", 1),
            ("a2@example.com", 1),
            ("a3@example.com", 1),
            ("a4@example.com", 1)
        ]
    );
    assert_eq!(counts.top_service_packages.len(), 5);
    assert_eq!(counts.top_service_packages[0].service_package, "P7");
}

crate::on_both_backends!(
    history_lists_newest_first_with_counts,
    history_filters,
    history_pages,
    top_lists_keep_five,
);
