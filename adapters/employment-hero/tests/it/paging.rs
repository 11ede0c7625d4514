//! U2.5–U2.7: the organisation, employee and leave listings and their paging.

use crate::fake::{FakeEh, ORG, Route};
use crate::support::{client, client_with, config, connected, no_progress};
use domain::ports::{HrDirectory, HrError, PageProgress};
use serde_json::json;
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn u2_7_every_page_is_read_with_page_index_and_item_per_page() {
    let fake = FakeEh::start().await;
    fake.set_employees(250);
    let (eh, store) = client(&fake);
    let seen = Mutex::new(Vec::new());
    let on_page = |p: PageProgress| seen.lock().unwrap().push(p);
    let listing = eh.employees(&on_page).await.unwrap();
    assert_eq!(listing.items.len(), 250);
    assert_eq!(listing.pages, 3);
    assert_eq!(listing.items[0].employee_id, "e1");
    assert_eq!(listing.items[0].name, "Ada N1");
    assert_eq!(
        listing.items[0].company_email.as_deref(),
        Some("ada1@x.com")
    );
    assert_eq!(listing.items[249].employee_id, "e250");
    let pages: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|p| (p.page, p.total_pages, p.items))
        .collect();
    assert_eq!(pages, [(1, 3, 100), (2, 3, 200), (3, 3, 250)]);

    let requests = fake.requests("/employees").await;
    assert_eq!(requests.len(), 3);
    for (i, r) in requests.iter().enumerate() {
        assert_eq!(r.method.as_str(), "GET");
        assert_eq!(
            r.url.path(),
            format!("/api/v1/organisations/{ORG}/employees")
        );
        let q: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
        assert_eq!(
            q,
            [
                ("page_index".to_owned(), (i + 1).to_string()),
                ("item_per_page".to_owned(), "100".to_owned())
            ]
        );
        assert!(
            r.headers["authorization"]
                .to_str()
                .unwrap()
                .starts_with("Bearer at-")
        );
        assert_eq!(r.headers["accept"], "application/json");
    }
    // The organisation is resolved once and cached with the credential.
    assert_eq!(store.row().unwrap().organisation_id.as_deref(), Some(ORG));
    eh.employees(&no_progress()).await.unwrap();
    assert_eq!(fake.calls(Route::Organisations), 1);
}

#[tokio::test]
async fn u2_5_names_fall_back_to_first_and_last_and_emails_may_be_null() {
    let fake = FakeEh::start().await;
    fake.set_raw_employees(vec![
        json!({"id": "a", "first_name": "Bo", "last_name": "Li", "full_name": null,
               "company_email": null, "account_email": "bo@x.com"}),
        json!({"id": 17, "first_name": "Cy", "last_name": "Ng", "full_name": "  ",
               "company_email": "", "account_email": null}),
    ]);
    let (eh, _) = client(&fake);
    let items = eh.employees(&no_progress()).await.unwrap().items;
    assert_eq!(items[0].name, "Bo Li");
    assert_eq!(items[0].email(), Some("bo@x.com"));
    assert_eq!(items[1].employee_id, "17");
    assert_eq!(items[1].name, "Cy Ng");
    assert_eq!(items[1].email(), None);
}

#[tokio::test]
async fn u2_6_leave_requests_are_read_as_written() {
    let fake = FakeEh::start().await;
    fake.set_leave(vec![
        json!({"id": "l1", "employee_id": "e1", "start_date": "2025-03-10",
        "end_date": "2025-03-14T00:00:00+11:00", "status": "Approved",
        "leave_category_name": "Annual Leave", "total_hours": 38.0, "hours_per_day": 7.6}),
    ]);
    let (eh, _) = client(&fake);
    let listing = eh.leave_requests(&no_progress()).await.unwrap();
    let l = &listing.items[0];
    assert_eq!(
        (
            l.leave_request_id.as_str(),
            l.employee_id.as_str(),
            l.start_date.as_str()
        ),
        ("l1", "e1", "2025-03-10")
    );
    assert_eq!(l.end_date, "2025-03-14T00:00:00+11:00");
    assert_eq!(l.status, "Approved");
    assert_eq!(l.leave_category.as_deref(), Some("Annual Leave"));
    let r = &fake.requests("/leave_requests").await[0];
    assert_eq!(
        r.url.path(),
        format!("/api/v1/organisations/{ORG}/leave_requests")
    );
}

#[tokio::test]
async fn u2_7_an_empty_listing_is_one_empty_page_and_an_empty_page_stops_early() {
    let fake = FakeEh::start().await;
    let (eh, _) = client(&fake);
    let listing = eh.employees(&no_progress()).await.unwrap();
    assert!(listing.items.is_empty());
    assert_eq!(listing.pages, 1);
    // A page that claims more pages but is empty ends the listing.
    fake.fault(
        Route::Leave,
        1,
        9,
        wiremock::ResponseTemplate::new(200).set_body_json(json!({"data": {"items": [],
            "page_index": 1, "item_per_page": 100, "total_items": 500, "total_pages": 5}})),
    );
    let listing = eh.leave_requests(&no_progress()).await.unwrap();
    assert_eq!((listing.items.len(), listing.pages), (0, 1));
    assert_eq!(fake.calls(Route::Leave), 1);
}

#[tokio::test]
async fn u2_7_paging_that_does_not_end_is_an_invalid_response() {
    let fake = FakeEh::start().await;
    fake.fault(
        Route::Employees,
        1,
        100,
        wiremock::ResponseTemplate::new(200).set_body_json(json!({"data": {"items": [{"id": "x"}],
            "page_index": 1, "item_per_page": 100, "total_items": 99999, "total_pages": 99999}})),
    );
    let (store, _, _) = connected(&fake, 900);
    let eh = client_with(
        &fake,
        employment_hero::EhConfig {
            max_pages: 5,
            ..config(&fake)
        },
        store,
    );
    let err = eh.employees(&no_progress()).await.unwrap_err();
    assert!(
        matches!(
            err,
            HrError::Upstream(domain::ports::UpstreamError::InvalidResponse { .. })
        ),
        "{err:?}"
    );
    assert_eq!(fake.calls(Route::Employees), 5);
}

#[tokio::test]
async fn u2_5_the_organisation_setting_must_be_listed() {
    let fake = FakeEh::start().await;
    fake.set_orgs(vec![
        json!({"id": "o1", "name": "A"}),
        json!({"id": "o2", "name": "B"}),
    ]);
    let (store, _, _) = connected(&fake, 900);
    let wanted = employment_hero::EhConfig {
        organisation_id: Some("o2".into()),
        ..config(&fake)
    };
    let eh = client_with(&fake, wanted, Arc::clone(&store));
    eh.employees(&no_progress()).await.unwrap();
    assert!(
        fake.requests("/employees").await[0]
            .url
            .path()
            .contains("/o2/")
    );
    let missing = employment_hero::EhConfig {
        organisation_id: Some("o9".into()),
        ..config(&fake)
    };
    let eh = client_with(&fake, missing, store);
    let err = eh.employees(&no_progress()).await.unwrap_err();
    assert_eq!(err.code(), "not_configured");
    assert!(matches!(err, HrError::NotConfigured(_)));
}
