//! U1.4 users and U1.5 owner names: all pages, raw values, names, the cache.

use crate::fake::listing;
use crate::support::{TOKEN, assert_authorised, config, crm, requests};
use domain::allocation::{AdviserProfile, RawFlag, RawMulti};
use domain::ports::{Crm, UpstreamError};
use hubspot::HubSpotCrm;
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{bearer_token, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROPERTIES: &str = "hs_email,hubspot_owner_id,taking_on_clients,client_types,\
household_type,pod_type,adviser_start_date,hs_given_name,hs_family_name";

fn user(id: u32, properties: Value) -> Value {
    json!({"id": id.to_string(), "properties": properties,
           "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z", "archived": false})
}

async fn mount_users_page(server: &MockServer, after: Option<&str>, page: Value) {
    let mock = Mock::given(method("GET"))
        .and(path("/crm/v3/objects/users"))
        .and(query_param("limit", "100"))
        .and(query_param("properties", PROPERTIES))
        .and(bearer_token(TOKEN));
    let mock = match after {
        Some(after) => mock.and(query_param("after", after)),
        None => mock.and(query_param_is_missing("after")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(server)
        .await;
}

/// Three pages of users: raw values of every kind, one user without an email on each of the
/// first two pages.
async fn mount_three_pages(server: &MockServer) {
    mount_users_page(
        server,
        None,
        json!({"results": [
            user(1, json!({"hs_email": "alice@x.com", "hubspot_owner_id": "1001",
                "taking_on_clients": "True", "client_types": "Series A; Seed",
                "household_type": "Single;Couple", "pod_type": "Standard Pod",
                "adviser_start_date": "2022-07-01", "hs_given_name": "Al", "hs_family_name": "A"})),
            user(2, json!({"hs_email": null, "hubspot_owner_id": "1009"})),
        ], "paging": {"next": {"after": "100", "link": "https://api.hubapi.com/…"}}}),
    )
    .await;
    mount_users_page(
        server,
        Some("100"),
        json!({"results": [
            user(3, json!({"hs_email": " Bob@X.com ", "hubspot_owner_id": "1002",
                "taking_on_clients": null, "client_types": null, "hs_given_name": "Bob",
                "hs_family_name": "Brown", "adviser_start_date": "soon"})),
            user(4, json!({"hubspot_owner_id": "1003"})),
        ], "paging": {"next": {"after": "200"}}}),
    )
    .await;
    mount_users_page(
        server,
        Some("200"),
        json!({"results": [
            user(5, json!({"hs_email": "cy@x.com", "taking_on_clients": "false",
                "household_type": "Family", "pod_type": null})),
        ]}),
    )
    .await;
}

async fn mount_owners(server: &MockServer, expected_calls: u64) {
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners"))
        .and(query_param("limit", "100"))
        .and(query_param("archived", "false"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [{"id": "1001", "email": "alice@x.com", "firstName": "Alice",
                         "lastName": "Anders", "userId": 5551, "archived": false}],
            "paging": {"next": {"after": "1"}}})))
        .expect(expected_calls)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners"))
        .and(query_param("after", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [{"id": "1002", "email": "bob@x.com", "firstName": "",
                         "lastName": null, "userId": 5552, "archived": false}]})))
        .expect(expected_calls)
        .mount(server)
        .await;
}

#[tokio::test]
async fn u1_4_users_of_every_page_in_order_with_raw_values_and_owner_names() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    mount_owners(&server, 1).await;

    let advisers = crm(&server).advisers().await.unwrap();

    let alice = AdviserProfile {
        email: "alice@x.com".into(),
        name: Some("Alice Anders".into()),
        hubspot_owner_id: Some("1001".into()),
        taking_on_clients: RawFlag::Text("True".into()),
        service_packages: RawMulti::Text("Series A; Seed".into()),
        household_types: RawMulti::Text("Single;Couple".into()),
        pod_type: Some("Standard Pod".into()),
        start_date: Some("2022-07-01".into()),
    };
    let bob = AdviserProfile {
        // The owner has no name: the user's own names are used (U1.5).
        name: Some("Bob Brown".into()),
        hubspot_owner_id: Some("1002".into()),
        start_date: Some("soon".into()),
        ..AdviserProfile::new(" Bob@X.com ")
    };
    let cy = AdviserProfile {
        taking_on_clients: RawFlag::Text("false".into()),
        household_types: RawMulti::Text("Family".into()),
        ..AdviserProfile::new("cy@x.com")
    };
    assert_eq!(advisers, vec![alice, bob, cy]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 5, "3 user pages and 2 owner pages");
    assert_authorised(&sent);
}

#[tokio::test]
async fn u1_4_a_cache_hit_calls_nobody() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await; // each page expects exactly one call
    mount_owners(&server, 1).await;
    let crm = crm(&server);
    let first = crm.advisers().await.unwrap();
    let second = crm.advisers().await.unwrap();
    assert_eq!(first, second);
    assert_eq!(requests(&server).await.len(), 5);
}

#[tokio::test]
async fn u1_4_a_zero_ttl_lists_every_time_but_owner_names_stay_cached() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/users"))
        .respond_with(listing(vec![user(
            1,
            json!({"hs_email": "a@x.com", "hubspot_owner_id": "7"}),
        )]))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners"))
        .respond_with(listing(vec![
            json!({"id": "7", "firstName": "Ann", "lastName": "Lee"}),
        ]))
        .expect(1)
        .mount(&server)
        .await;
    let crm = HubSpotCrm::new(&hubspot::HubSpotConfig {
        users_cache_ttl: Duration::ZERO,
        ..config(&server)
    })
    .unwrap();
    for _ in 0..2 {
        let advisers = crm.advisers().await.unwrap();
        assert_eq!(advisers[0].name.as_deref(), Some("Ann Lee"));
    }
}

#[tokio::test]
async fn u1_5_owners_failing_never_fails_the_listing() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    Mock::given(path("/crm/v3/owners"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let advisers = crm(&server).advisers().await.unwrap();
    let names: Vec<Option<&str>> = advisers.iter().map(|a| a.name.as_deref()).collect();
    assert_eq!(names, [Some("Al A"), Some("Bob Brown"), None]);
}

#[tokio::test]
async fn u1_4_more_than_100_pages_is_an_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(path("/crm/v3/objects/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [user(1, json!({"hs_email": "a@x.com"}))],
            "paging": {"next": {"after": "again"}}})))
        .mount(&server)
        .await;
    let err = crm(&server).advisers().await.unwrap_err();
    assert!(
        matches!(err, UpstreamError::InvalidResponse { .. }),
        "{err:?}"
    );
    assert_eq!(requests(&server).await.len(), 100);
}

#[tokio::test]
async fn u1_4_a_users_failure_fails_the_listing() {
    let server = MockServer::start().await;
    Mock::given(path("/crm/v3/objects/users"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "status": "error", "message": "missing scopes", "category": "MISSING_SCOPES"})))
        .mount(&server)
        .await;
    let err = crm(&server).advisers().await.unwrap_err();
    assert_eq!(err, UpstreamError::Unauthorized);
    assert_eq!(requests(&server).await.len(), 1, "never retried");
}
