//! Connections over HTTP (http-api.md H4.5; portal.md P8; P11 scenarios 15–17; S7.2).

use crate::portal_client::PortalUser;
use crate::support::TestApp;
use domain::ports::ConnectionStore;
use offline_fakes::ManualClock;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

/// The P11 setup: alex, brett, casey, dana registered in that order; clock at 2025-11-20.
pub async fn four_users() -> (TestApp, [PortalUser; 4]) {
    let (app, _, users) = setup().await;
    (app, users)
}

/// As `four_users`, with the manual clock.
pub async fn setup() -> (TestApp, ManualClock, [PortalUser; 4]) {
    let clock = ManualClock::at("2025-11-20T00:00:00Z".parse().unwrap());
    let app = TestApp::spawn_full(&[], Some(Arc::new(clock.clone()))).await;
    let mut users = Vec::new();
    for name in ["alex", "brett", "casey", "dana"] {
        users.push(app.portal_user(name).await);
    }
    let users: [PortalUser; 4] = users.try_into().unwrap();
    (app, clock, users)
}

pub async fn request(app: &TestApp, from: &PortalUser, to: i64) -> (u16, Value) {
    app.post_json_as(
        from,
        "/api/portal/connections/requests",
        json!({ "user_id": to }),
    )
    .await
}

/// Connects two users (a request and its reciprocal).
pub async fn connect(app: &TestApp, a: &PortalUser, b: &PortalUser) {
    request(app, a, b.id).await;
    let (status, body) = request(app, b, a.id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "connected");
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// Pending requests between a and b, in either direction.
async fn requests_between(app: &TestApp, a: i64, b: i64) -> usize {
    let lists = app.state.store.connection_lists(a).await.unwrap();
    lists
        .incoming
        .iter()
        .chain(lists.outgoing.iter())
        .filter(|r| r.peer.id == b)
        .count()
}

#[tokio::test]
async fn scenario_15_connection_request_basics() {
    let (app, [alex, brett, ..]) = four_users().await;
    let (status, body) = request(&app, &alex, alex.id).await;
    assert_eq!((status, code(&body)), (400, "connection_self"));
    let (status, body) = request(&app, &alex, 9999).await;
    assert_eq!((status, code(&body)), (404, "user_not_found"));
    let (status, body) = request(&app, &alex, brett.id).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["result"], "requested");
    assert_eq!(body["request"]["to"]["id"], brett.id);
    assert_eq!(body["request"]["to"]["username"], "brett");
    assert!(body["request"]["to"].get("email").is_none());
    assert!(
        body["request"]["created_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    let request_id = body["request"]["id"].clone();
    let (status, body) = request(&app, &alex, brett.id).await;
    assert_eq!((status, code(&body)), (409, "request_already_pending"));
    assert_eq!(body["error"]["details"]["request_id"], request_id);
    assert_eq!(requests_between(&app, alex.id, brett.id).await, 1);
}

#[tokio::test]
async fn scenario_16_reciprocal_auto_accept() {
    let (app, [alex, brett, _, dana]) = four_users().await;
    assert_eq!(request(&app, &alex, brett.id).await.0, 201);
    let (status, body) = request(&app, &brett, alex.id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "connected");
    assert_eq!(body["connection"]["user"]["id"], alex.id);
    assert_eq!(requests_between(&app, alex.id, brett.id).await, 0);
    for (from, to) in [(&alex, &brett), (&brett, &alex)] {
        let (status, body) = request(&app, from, to.id).await;
        assert_eq!((status, code(&body)), (409, "already_connected"));
    }
    // P8.2/P8.3: simultaneous reciprocal sends serialise; the second takes branch 4.
    let (a, d) = tokio::join!(request(&app, &alex, dana.id), request(&app, &dana, alex.id));
    for (status, body) in [&a, &d] {
        assert!(*status < 500, "{status} {body}");
    }
    assert!(
        app.state
            .store
            .are_connected(alex.id, dana.id)
            .await
            .unwrap()
    );
    assert_eq!(requests_between(&app, alex.id, dana.id).await, 0);
    let (_, lists) = app.get_json_as(&alex, "/api/portal/connections").await;
    let names: Vec<&str> = lists["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["brett", "dana"]);
}

#[tokio::test]
async fn scenario_17_accept_decline_cancel_authority() {
    let (app, [alex, brett, casey, dana]) = four_users().await;
    let (_, body) = request(&app, &casey, alex.id).await;
    let r = body["request"]["id"].as_i64().unwrap();
    let accept = format!("/api/portal/connections/requests/{r}/accept");
    let decline = format!("/api/portal/connections/requests/{r}/decline");
    let cancel = format!("/api/portal/connections/requests/{r}");
    let (status, body) = app.send_as(&brett, Method::POST, &accept).await;
    assert_eq!((status, code(&body)), (404, "request_not_found"));
    for path in [&accept, &decline] {
        let (status, body) = app.send_as(&casey, Method::POST, path).await;
        assert_eq!((status, code(&body)), (403, "not_request_receiver"));
    }
    let (status, body) = app.send_as(&alex, Method::DELETE, &cancel).await;
    assert_eq!((status, code(&body)), (403, "not_request_sender"));
    let (_, lists) = app.get_json_as(&alex, "/api/portal/connections").await;
    assert_eq!(lists["incoming"][0]["id"], r);
    assert_eq!(lists["incoming"][0]["from"]["username"], "casey");
    assert_eq!(app.send_as(&alex, Method::POST, &decline).await.0, 204);
    assert_eq!(requests_between(&app, alex.id, casey.id).await, 0);

    let (status, body) = request(&app, &casey, alex.id).await;
    assert_eq!(status, 201, "P8.5: no cooldown after a decline");
    let r2 = body["request"]["id"].as_i64().unwrap();
    let accept2 = format!("/api/portal/connections/requests/{r2}/accept");
    let (status, body) = app.send_as(&alex, Method::POST, &accept2).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "connected");
    assert_eq!(body["connection"]["user"]["id"], casey.id);
    let (status, body) = app.send_as(&alex, Method::POST, &accept2).await;
    assert_eq!((status, code(&body)), (404, "request_not_found"));

    let (_, body) = request(&app, &dana, brett.id).await;
    let r3 = body["request"]["id"].as_i64().unwrap();
    let cancel3 = format!("/api/portal/connections/requests/{r3}");
    assert_eq!(app.send_as(&dana, Method::DELETE, &cancel3).await.0, 204);
    assert_eq!(requests_between(&app, dana.id, brett.id).await, 0);
}

/// S7.2: a request the caller is not party to answers exactly like a missing one.
#[tokio::test]
async fn s7_2_another_users_request_is_404_like_a_missing_one() {
    let (app, [alex, brett, casey, _]) = four_users().await;
    let (_, body) = request(&app, &alex, brett.id).await;
    let r = body["request"]["id"].as_i64().unwrap();
    let theirs = app
        .send_as(
            &casey,
            Method::DELETE,
            &format!("/api/portal/connections/requests/{r}"),
        )
        .await;
    let missing = app
        .send_as(
            &casey,
            Method::DELETE,
            "/api/portal/connections/requests/999999",
        )
        .await;
    assert_eq!(theirs.0, 404);
    assert_eq!(theirs.1["error"], missing.1["error"]);
    let declined = app
        .send_as(
            &casey,
            Method::POST,
            &format!("/api/portal/connections/requests/{r}/decline"),
        )
        .await;
    assert_eq!((declined.0, code(&declined.1)), (404, "request_not_found"));
}

/// P8.7 and H0.12.2: removal rules, and writes need the CSRF token.
#[tokio::test]
async fn p8_7_remove_rules_and_csrf() {
    let (app, [alex, brett, casey, _]) = four_users().await;
    connect(&app, &alex, &brett).await;
    let remove = |id: i64| format!("/api/portal/connections/{id}");
    let (status, body) = app.send_as(&alex, Method::DELETE, &remove(alex.id)).await;
    assert_eq!((status, code(&body)), (400, "connection_self"));
    let (status, body) = app.send_as(&alex, Method::DELETE, &remove(9999)).await;
    assert_eq!((status, code(&body)), (404, "user_not_found"));
    let (status, body) = app.send_as(&alex, Method::DELETE, &remove(casey.id)).await;
    assert_eq!((status, code(&body)), (404, "connection_not_found"));
    let no_csrf = app
        .client
        .post(app.url("/api/portal/connections/requests"))
        .header("cookie", &alex.cookie)
        .json(&json!({ "user_id": casey.id }))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    let anonymous = app
        .client
        .get(app.url("/api/portal/connections"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        app.send_as(&brett, Method::DELETE, &remove(alex.id))
            .await
            .0,
        204
    );
}

/// P8.3: 30 requests per hour, checked after rows 1 and 2.
#[tokio::test]
async fn p8_3_thirty_requests_per_hour() {
    let (app, [alex, brett, ..]) = four_users().await;
    let cancel_path = |id: i64| format!("/api/portal/connections/requests/{id}");
    for _ in 0..30 {
        let (status, body) = request(&app, &alex, brett.id).await;
        assert_eq!(status, 201, "{body}");
        let id = body["request"]["id"].as_i64().unwrap();
        assert_eq!(
            app.send_as(&alex, Method::DELETE, &cancel_path(id)).await.0,
            204
        );
    }
    let (status, body) = request(&app, &alex, alex.id).await;
    assert_eq!(
        code(&body),
        "connection_self",
        "row 1 before the limit ({status})"
    );
    let r = app
        .write_as(&alex, Method::POST, "/api/portal/connections/requests")
        .json(&json!({ "user_id": brett.id }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}
