//! `/sync/employees` and `/sync/leave_requests` (H2.3): who may run them, one at a time per kind,
//! the summary bodies, and the 503s when Employment Hero cannot be used. Demo mode reads the
//! offline HR fake (the demo firm's advisers and their leave).

use crate::support::{API_KEY, TestApp, status_json};
use domain::ports::WorkerLeases;
use serde_json::Value;

async fn with_key(app: &TestApp, method: reqwest::Method, path: &str, key: &str) -> (u16, Value) {
    let r = app
        .client
        .request(method, app.url(path))
        .header("authorization", format!("Bearer {key}"))
        .send()
        .await
        .unwrap();
    status_json(r).await
}

/// The H0.9 error of an answer.
fn assert_error(status: u16, body: &Value, expected: u16, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
}

#[tokio::test]
async fn h2_3_2_an_api_key_syncs_employees_by_get_or_post_and_reports_counts() {
    let app = TestApp::spawn().await;
    let (status, first) = with_key(&app, reqwest::Method::GET, "/sync/employees", API_KEY).await;
    assert_eq!(status, 200, "{first}");
    let synced = first["synced"].as_u64().unwrap();
    assert!(synced > 0, "the demo firm has advisers");
    assert_eq!(first["created"].as_u64(), Some(synced));
    assert_eq!(
        (first["updated"].as_u64(), first["deleted"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(first["pages"], 1);
    assert!(first["duration_ms"].is_u64());
    assert!(first["finished_at"].as_str().unwrap().ends_with('Z'));

    let (status, again) = with_key(&app, reqwest::Method::POST, "/sync/employees", API_KEY).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["synced"].as_u64(), Some(synced));
    assert_eq!(again["created"], 0, "nothing new the second time");
}

#[tokio::test]
async fn h2_3_3_leave_of_unknown_employees_is_skipped_until_employees_are_synced() {
    let app = TestApp::spawn().await;
    let path = "/sync/leave_requests";
    let (status, before) = with_key(&app, reqwest::Method::GET, path, API_KEY).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["synced"], 0);
    let kept = before["skipped_unknown_employee"].as_u64().unwrap();
    assert!(kept > 0, "the demo firm has leave in the window: {before}");
    let window = before["window_start"].as_str().unwrap();
    let monday = chrono::NaiveDate::parse_from_str(window, "%Y-%m-%d").unwrap();
    assert_eq!(chrono::Datelike::weekday(&monday), chrono::Weekday::Mon);

    with_key(&app, reqwest::Method::GET, "/sync/employees", API_KEY).await;
    let (status, after) = with_key(&app, reqwest::Method::POST, path, API_KEY).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["synced"].as_u64(), Some(kept));
    assert_eq!(after["skipped_unknown_employee"], 0);
    assert_eq!(after["skipped_invalid"], 0);
}

#[tokio::test]
async fn h0_12_1_a_wrong_key_is_401_invalid_api_key_and_none_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (status, body) = with_key(&app, reqwest::Method::GET, "/sync/employees", "nope").await;
    assert_error(status, &body, 401, "invalid_api_key");
    let r = app
        .client
        .get(app.url("/sync/leave_requests"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(r).await;
    assert_error(status, &body, 401, "unauthenticated");
}

#[tokio::test]
async fn h2_3_1_an_admin_session_must_post_with_csrf_and_a_get_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.portal_admin("root").await;
    let (status, body) = app.get_json_as(&admin, "/sync/employees").await;
    assert_error(status, &body, 403, "csrf_failed");
    let r = app
        .client
        .post(app.url("/sync/employees"))
        .header("cookie", &admin.cookie)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(r).await;
    assert_error(status, &body, 403, "csrf_failed");
    let (status, body) = app
        .post_json_as(&admin, "/sync/employees", serde_json::json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let employee = app.portal_user("emp").await;
    let (status, body) = app
        .post_json_as(&employee, "/sync/employees", serde_json::json!({}))
        .await;
    assert_error(status, &body, 403, "forbidden");
}

#[tokio::test]
async fn h2_3_4_a_second_sync_of_the_same_kind_is_409_while_the_other_kind_runs() {
    let app = TestApp::spawn().await;
    let now = app.state.clock.now();
    let ttl = chrono::TimeDelta::seconds(60);
    assert!(
        app.state
            .store
            .try_acquire("sync_employees", "another-process", now, ttl)
            .await
            .unwrap()
    );
    let (status, body) = with_key(&app, reqwest::Method::POST, "/sync/employees", API_KEY).await;
    assert_error(status, &body, 409, "sync_in_progress");
    let (status, _) = with_key(&app, reqwest::Method::POST, "/sync/leave_requests", API_KEY).await;
    assert_eq!(status, 200, "the other kind is not blocked");

    app.state
        .store
        .release("sync_employees", "another-process")
        .await
        .unwrap();
    let (status, _) = with_key(&app, reqwest::Method::POST, "/sync/employees", API_KEY).await;
    assert_eq!(status, 200, "free again once the running sync ends");
}

#[tokio::test]
async fn h0_12_the_app_engine_cron_header_counts_only_when_trusted() {
    for (trusted, expected) in [("false", 401), ("true", 200)] {
        let app = TestApp::spawn_with(&[("TRUST_APPENGINE_CRON_HEADER", trusted)]).await;
        let r = app
            .client
            .get(app.url("/sync/employees"))
            .header("x-appengine-cron", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "trusted={trusted}");
    }
}

const LIVE: [(&str, &str); 2] = [
    ("HUBSPOT_TOKEN", "pat-test"),
    ("HUBSPOT_CLIENT_SECRET", "s3cret"),
];
/// 32 zero bytes, base64.
const KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

#[tokio::test]
async fn h2_3_4_without_employment_hero_settings_live_mode_is_503_not_configured() {
    let app = TestApp::spawn_with(&LIVE).await;
    let (status, body) = with_key(&app, reqwest::Method::GET, "/sync/employees", API_KEY).await;
    assert_error(status, &body, 503, "not_configured");
}

#[tokio::test]
async fn h2_3_4_without_a_stored_connection_live_mode_is_503_reauth_required() {
    let mut env = LIVE.to_vec();
    env.extend([
        ("EH_CLIENT_ID", "client"),
        ("EH_CLIENT_SECRET", "secret"),
        ("DATA_ENCRYPTION_KEY", KEY),
        ("EH_API_BASE_URL", "http://127.0.0.1:9"),
        ("EH_TOKEN_URL", "http://127.0.0.1:9/oauth2/token"),
    ]);
    let app = TestApp::spawn_with(&env).await;
    let (status, body) =
        with_key(&app, reqwest::Method::GET, "/sync/leave_requests", API_KEY).await;
    assert_error(status, &body, 503, "reauth_required");
}

/// H0.9 / H2.1.6: a wrong method is 405 `method_not_allowed` with `Allow` listing the path's
/// methods, for API routes (templated paths included) and pages alike.
#[tokio::test]
async fn h0_9_a_wrong_method_is_405_with_the_allow_header_of_the_path() {
    let app = TestApp::spawn().await;
    let cases = [
        (reqwest::Method::DELETE, "/sync/employees", "GET, POST"),
        (reqwest::Method::GET, "/post/create_box_folder", "POST"),
        (reqwest::Method::GET, "/post/allocate", "POST"),
        (
            reqwest::Method::PATCH,
            "/closures/abc-123",
            "GET, PUT, DELETE",
        ),
        (reqwest::Method::POST, "/auth/start", "GET"),
    ];
    for (method, path, allow) in cases {
        let r = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405, "{method} {path}");
        let header = r
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header.as_deref(), Some(allow), "{method} {path}");
        let (_, body) = status_json(r).await;
        assert_eq!(
            body["error"]["code"], "method_not_allowed",
            "{method} {path}"
        );
    }
}
