//! U3.4 acting as a user, U3.5 path resolution: offset paging, exact names, the 1 h cache.

use crate::support::*;
use box_files::{BoxConfig, BoxFiles};
use domain::ports::{Folder, FolderStore, UpstreamError};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn page(total: u64, offset: u64, entries: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "total_count": total, "offset": offset, "limit": 1000, "entries": entries
    }))
}

/// Root holds "Clients" (100) on its second page; "Clients" holds "Active" (200).
async fn two_level_tree(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/2.0/folders/0/items"))
        .and(query_param("offset", "0"))
        .respond_with(page(
            1001,
            0,
            serde_json::json!([
                {"type": "folder", "id": "7", "name": "clients"},
                {"type": "file", "id": "8", "name": "Clients"}
            ]),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2.0/folders/0/items"))
        .and(query_param("offset", "1000"))
        .respond_with(page(
            1001,
            1000,
            serde_json::json!([{"type": "folder", "id": "100", "name": "Clients"}]),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2.0/folders/100/items"))
        .respond_with(page(
            1,
            0,
            serde_json::json!([{"type": "folder", "id": "200", "name": "Active"}]),
        ))
        .mount(server)
        .await;
}

#[tokio::test]
async fn u3_5_paths_resolve_one_exact_segment_at_a_time_across_pages() {
    let server = fake_box().await;
    two_level_tree(&server).await;
    let files = client(&server);
    let active = files.resolve_path("Clients/Active").await.unwrap();
    assert_eq!(
        active,
        Folder {
            id: "200".into(),
            name: "Active".into()
        }
    );
    let api = api_requests(&server).await;
    let queries: Vec<String> = api
        .iter()
        .map(|r| format!("{}?{}", r.url.path(), r.url.query().unwrap_or_default()))
        .collect();
    assert_eq!(
        queries,
        [
            "/2.0/folders/0/items?fields=id%2Ctype%2Cname&limit=1000&offset=0",
            "/2.0/folders/0/items?fields=id%2Ctype%2Cname&limit=1000&offset=1000",
            "/2.0/folders/100/items?fields=id%2Ctype%2Cname&limit=1000&offset=0",
        ]
    );

    // Cached for an hour: the same path and its prefix cost nothing more.
    files.resolve_path("/Clients/Active/").await.unwrap();
    assert_eq!(files.resolve_path("Clients").await.unwrap().id, "100");
    assert_eq!(api_requests(&server).await.len(), 3);
}

#[tokio::test]
async fn u3_5_a_missing_segment_is_not_found_and_not_cached() {
    let server = fake_box().await;
    two_level_tree(&server).await;
    let files = client(&server);
    let err = files.resolve_path("Clients/Archive").await.unwrap_err();
    assert_eq!(err, UpstreamError::NotFound);
    files.resolve_path("Clients/Archive").await.unwrap_err();
    // Root resolved once (cached), the missing child looked up twice.
    let children = api_requests(&server)
        .await
        .iter()
        .filter(|r| r.url.path() == "/2.0/folders/100/items")
        .count();
    assert_eq!(children, 2);
}

#[tokio::test]
async fn u3_5_an_empty_page_ends_the_listing() {
    let server = fake_box().await;
    Mock::given(method("GET"))
        .and(path("/2.0/folders/0/items"))
        .respond_with(page(5000, 0, serde_json::json!([])))
        .mount(&server)
        .await;
    let err = client(&server).resolve_path("Clients").await.unwrap_err();
    assert_eq!(err, UpstreamError::NotFound);
    assert_eq!(api_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn u3_4_as_user_with_an_id_is_sent_on_every_api_call() {
    let server = fake_box().await;
    two_level_tree(&server).await;
    let config = BoxConfig {
        impersonation_user: Some("4242".into()),
        ..config(&server)
    };
    BoxFiles::new(&config)
        .unwrap()
        .resolve_path("Clients/Active")
        .await
        .unwrap();
    for r in api_requests(&server).await {
        assert_eq!(header_of(&r, "as-user"), Some("4242"));
    }
    for r in token_requests(&server).await {
        assert_eq!(header_of(&r, "as-user"), None, "not on the token call");
    }
}

#[tokio::test]
async fn u3_4_an_email_is_resolved_once_case_insensitively() {
    let server = fake_box().await;
    two_level_tree(&server).await;
    Mock::given(method("GET"))
        .and(path("/2.0/users"))
        .and(query_param("filter_term", "Ops@Example.com"))
        .and(query_param("user_type", "all"))
        .and(query_param("limit", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 2,
            "entries": [
                {"type": "user", "id": "1", "login": "ops@example.com.au"},
                {"type": "user", "id": "77", "login": "ops@example.com"}
            ]
        })))
        .mount(&server)
        .await;
    let config = BoxConfig {
        impersonation_user: Some("Ops@Example.com".into()),
        ..config(&server)
    };
    let files = BoxFiles::new(&config).unwrap();
    files.resolve_path("Clients/Active").await.unwrap();
    files.resolve_path("Clients").await.unwrap();
    let api = api_requests(&server).await;
    let lookups: Vec<_> = api
        .iter()
        .filter(|r| r.url.path() == "/2.0/users")
        .collect();
    assert_eq!(lookups.len(), 1, "resolved once per process");
    assert_eq!(header_of(lookups[0], "as-user"), None);
    for r in api.iter().filter(|r| r.url.path() != "/2.0/users") {
        assert_eq!(header_of(r, "as-user"), Some("77"));
    }
}

#[tokio::test]
async fn u3_4_an_email_without_a_user_is_refused() {
    let server = fake_box().await;
    Mock::given(method("GET"))
        .and(path("/2.0/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 0, "entries": []
        })))
        .mount(&server)
        .await;
    let config = BoxConfig {
        impersonation_user: Some("nobody@example.com".into()),
        ..config(&server)
    };
    let err = BoxFiles::new(&config)
        .unwrap()
        .resolve_path("Clients")
        .await
        .unwrap_err();
    assert_eq!(err, UpstreamError::Unauthorized);
    assert!(
        api_requests(&server)
            .await
            .iter()
            .all(|r| r.url.path() == "/2.0/users"),
        "no folder call without the user"
    );
}
