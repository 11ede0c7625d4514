//! Service polish (http-api.md H2.11, H6.19): the landing page by role, the static 500 page for
//! page routes against the JSON `internal_error` elsewhere, and `/readyz` with the upstreams'
//! real breaker states.

use crate::support::{TestApp, status_json};
use chrono::TimeZone;
use offline_fakes::ManualClock;
use std::sync::Arc;

async fn landing_html(app: &TestApp, cookie: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(app.url("/"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(r.headers().contains_key("content-security-policy"), "S13.2");
    (status, r.text().await.unwrap())
}

/// H2.11: name, version, the demo firm's day and its ISO week (fixtures/demo: 2026-11-18, a
/// Wednesday of 2026-W47), and for an anonymous visitor only the two login links.
#[tokio::test]
async fn h2_11_landing_shows_version_firm_day_and_login_links_when_anonymous() {
    let app = TestApp::spawn().await;
    let (status, html) = landing_html(&app, None).await;
    assert_eq!(status, 200);
    assert!(html.contains("Allot"));
    assert!(html.contains(env!("CARGO_PKG_VERSION")));
    assert!(html.contains("2026-11-18"), "{html}");
    assert!(html.contains("2026-W47"), "{html}");
    assert!(html.contains("href=\"/admin/login\""));
    assert!(html.contains("href=\"/portal/login\""));
    for hidden in [
        "/closures/ui",
        "/docs",
        "/allocations/history",
        "href=\"/portal/\"",
    ] {
        assert!(!html.contains(hidden), "anonymous sees {hidden}");
    }
}

/// H2.11: no configuration values on the page (the time zone, the base URL, the database, the
/// admin's name).
#[tokio::test]
async fn h2_11_landing_shows_no_configuration_values() {
    let app = TestApp::spawn().await;
    let (_, html) = landing_html(&app, None).await;
    let admin = app.portal_admin("landingadmin").await;
    let (_, admin_html) = landing_html(&app, Some(&admin.cookie)).await;
    let db = app.dir().display().to_string();
    for page in [&html, &admin_html] {
        for secret in [
            "Australia/Sydney",
            app.base.as_str(),
            db.as_str(),
            crate::support::ADMIN,
            crate::support::API_KEY,
        ] {
            assert!(!page.contains(secret), "{secret} on the landing page");
        }
    }
}

/// H2.11: an admin session gets the admin pages and `/docs`; an employee gets the portal only.
#[tokio::test]
async fn h2_11_landing_links_follow_the_role() {
    let app = TestApp::spawn().await;
    let admin = app.portal_admin("landingroot").await;
    let (status, html) = landing_html(&app, Some(&admin.cookie)).await;
    assert_eq!(status, 200);
    for link in [
        "/closures/ui",
        "/capacity_overrides/ui",
        "/availability/earliest",
        "/availability/schedule",
        "/allocations/history",
        "/docs",
    ] {
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "admin lacks {link}"
        );
    }
    assert!(!html.contains("href=\"/admin/login\""));

    let employee = app.portal_user("landingemp").await;
    let (status, html) = landing_html(&app, Some(&employee.cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/portal/\""));
    for hidden in [
        "/closures/ui",
        "/docs",
        "/allocations/history",
        "/admin/login",
    ] {
        assert!(!html.contains(hidden), "employee sees {hidden}");
    }
}

/// H2.11: outside demo mode the date is the firm time zone's day of the server clock: 23:30 UTC
/// on Sunday 2026-03-01 is already Monday 2026-03-02 (2026-W10) in Sydney.
#[tokio::test]
async fn h2_11_landing_date_is_firm_local_in_live_mode() {
    let clock = ManualClock::at(chrono::Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap());
    let app = TestApp::spawn_full(
        &[
            ("HUBSPOT_TOKEN", "pat-test"),
            ("HUBSPOT_BASE_URL", "http://127.0.0.1:9"),
            ("HUBSPOT_CLIENT_SECRET", "s3cret"),
            ("FIRM_TIMEZONE", "Australia/Sydney"),
        ],
        Some(Arc::new(clock.clone())),
    )
    .await;
    let (_, html) = landing_html(&app, None).await;
    assert!(html.contains("2026-03-02"), "{html}");
    assert!(html.contains("2026-W10"), "{html}");
    assert!(!html.contains("2026-03-01"));
}

/// H2.11: HEAD answers like GET without a body; POST is 405 with `Allow: GET` (H0.9).
#[tokio::test]
async fn h2_11_landing_head_works_and_post_is_405() {
    let app = TestApp::spawn().await;
    let r = app.client.head(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().await.unwrap().is_empty());
    let r = app.client.post(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
    let (_, body) = status_json(r).await;
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

/// A request that trips the test-only failpoint (feature `test-failpoints`), carrying a marker in
/// its query and headers so the answer can be checked for echoes (H6.19).
async fn trip(app: &TestApp, path: &str, how: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("{path}?probe=echo-marker-q")))
        .header("x-test-failpoint", how)
        .header("x-echo", "echo-marker-h")
        .send()
        .await
        .unwrap()
}

const PAGES: [&str; 6] = [
    "/",
    "/closures/ui",
    "/availability/earliest",
    "/allocations/history/some-id",
    "/admin/login",
    "/portal/login",
];
const JSON_ROUTES: [&str; 4] = ["/healthz", "/readyz", "/closures", "/api/portal/auth/me"];

/// The 500 split of H6.19 for one kind of failure: on page routes the static 500 page (HTML,
/// the page CSP, nothing from the request), on JSON routes `internal_error`.
async fn assert_500_split(app: &TestApp, how: &str) {
    for path in PAGES {
        let r = trip(app, path, how).await;
        assert_eq!(r.status(), 500, "{how} {path}");
        let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            content_type.starts_with("text/html"),
            "{how} {path}: {content_type}"
        );
        assert!(
            r.headers().contains_key("content-security-policy"),
            "{how} {path}"
        );
        assert!(r.headers().contains_key("x-request-id"), "{how} {path}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Something went wrong"),
            "{how} {path}: {html}"
        );
        assert!(
            !html.contains("echo-marker"),
            "{how} {path} echoes the request"
        );
        assert!(!html.contains("some-id"), "{how} {path} echoes the path");
        assert!(
            !html.contains("failpoint"),
            "{how} {path} shows the failure"
        );
    }
    for path in JSON_ROUTES {
        let r = trip(app, path, how).await;
        assert_eq!(r.status(), 500, "{how} {path}");
        let (_, body) = status_json(r).await;
        assert_eq!(body["error"]["code"], "internal_error", "{how} {path}");
        assert!(
            !body.to_string().contains("failpoint"),
            "{how} {path}: {body}"
        );
    }
}

/// S12.1, H6.19: a panic inside a page route answers the static 500 page; inside a JSON route,
/// 500 `internal_error`. The server keeps serving afterwards.
#[tokio::test]
async fn h6_19_a_panic_answers_the_500_page_on_pages_and_internal_error_on_json() {
    let app = TestApp::spawn().await;
    assert_500_split(&app, "panic").await;
    let (status, _) = status_json(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200);
}

/// H6.19, H0.9: an internal error (no panic) gets the same split.
#[tokio::test]
async fn h6_19_an_internal_error_answers_the_500_page_on_pages_only() {
    let app = TestApp::spawn().await;
    assert_500_split(&app, "error").await;
}

/// H0.9 / S12.2: an unknown path under a page prefix is an unknown route, 404 `not_found`; a
/// well-formed unknown id on the detail page is the static 404 page (H6.8, H6.19), which does
/// not echo the id.
#[tokio::test]
async fn h6_19_unknown_paths_under_page_prefixes_are_404() {
    let app = TestApp::spawn().await;
    for path in [
        "/closures/ui/x",
        "/availability/earliest/x",
        "/allocations/history/a/b",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let (_, body) = status_json(r).await;
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
    let admin = app.portal_admin("pagesroot").await;
    let r = app
        .get_as(&admin, "/allocations/history/no-such-decision")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("Not found"));
    assert!(!html.contains("no-such-decision"));
}

async fn upstreams(app: &TestApp) -> (u16, serde_json::Value) {
    let (status, body) =
        status_json(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    (status, body["upstreams"].clone())
}

const SIGNING: &str = "s3cret";

/// H2.11: demo mode has only fakes, so every upstream is `disabled`; the shape is kept.
#[tokio::test]
async fn h2_11_readyz_reports_every_upstream_disabled_in_demo_mode() {
    let app = TestApp::spawn().await;
    let (status, body) =
        status_json(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["migrations"], "ok");
    for name in [
        "hubspot",
        "employment_hero",
        "box",
        "employer_api",
        "firestore",
    ] {
        assert_eq!(body["upstreams"][name], "disabled", "{name}");
    }
    assert_eq!(body["upstreams"].as_object().unwrap().len(), 5);
}

/// H2.11: a live HubSpot starts `closed`; Employment Hero is `closed` once configured and
/// `disabled` while not; Box without credentials is `disabled`.
#[tokio::test]
async fn h2_11_readyz_reports_configured_upstreams_closed_and_the_rest_disabled() {
    let hubspot = wiremock::MockServer::start().await;
    let base = hubspot.uri();
    let live = [
        ("HUBSPOT_TOKEN", "pat-test"),
        ("HUBSPOT_BASE_URL", base.as_str()),
        ("HUBSPOT_CLIENT_SECRET", SIGNING),
    ];
    let app = TestApp::spawn_with(&live).await;
    let (status, up) = upstreams(&app).await;
    assert_eq!(status, 200);
    assert_eq!(up["hubspot"], "closed");
    for name in ["employment_hero", "box", "employer_api", "firestore"] {
        assert_eq!(up[name], "disabled", "{name}");
    }

    let mut env = live.to_vec();
    env.extend([
        ("EH_CLIENT_ID", "client"),
        ("EH_CLIENT_SECRET", "secret"),
        (
            "DATA_ENCRYPTION_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ),
        ("EH_API_BASE_URL", "http://127.0.0.1:9"),
        ("EH_TOKEN_URL", "http://127.0.0.1:9/oauth2/token"),
    ]);
    let app = TestApp::spawn_with(&env).await;
    let (_, up) = upstreams(&app).await;
    assert_eq!(up["employment_hero"], "closed");
}

/// H2.11, U0.6: a failing HubSpot opens its breaker; `/readyz` reports `open` and stays 200
/// (breaker states are informational).
#[tokio::test]
async fn h2_11_readyz_reports_an_open_hubspot_breaker_and_stays_200() {
    use wiremock::{Mock, ResponseTemplate, matchers::any};
    let hubspot = wiremock::MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&hubspot)
        .await;
    let base = hubspot.uri();
    let app = TestApp::spawn_with(&[
        ("HUBSPOT_TOKEN", "pat-test"),
        ("HUBSPOT_BASE_URL", base.as_str()),
        ("HUBSPOT_CLIENT_SECRET", SIGNING),
    ])
    .await;
    let mut state = String::new();
    // Each delivery makes up to 3 attempts (U0.4); 5 consecutive failures open the breaker.
    for deal in 0..6 {
        let body = serde_json::json!({
            "object": {"objectType": "DEAL", "objectId": 1},
            "fields": {
                "service_package": "Series A",
                "household_type": "Couple",
                "agreement_start_date": "2026-11-25",
                "hs_deal_record_id": format!("930000{deal}"),
                "client_email": "client@example.com"
            }
        })
        .to_string();
        let r = app
            .signed_post("/post/allocate", &body, SIGNING, None)
            .await;
        assert!(r.status().is_server_error(), "{}", r.status());
        let (status, up) = upstreams(&app).await;
        assert_eq!(status, 200, "an open breaker never makes /readyz 503");
        state = up["hubspot"].as_str().unwrap().to_owned();
        if state == "open" {
            break;
        }
        assert_eq!(state, "closed");
    }
    assert_eq!(state, "open");
    assert!(
        !hubspot.received_requests().await.unwrap().is_empty(),
        "HubSpot was called"
    );
    let (_, up) = upstreams(&app).await;
    assert_eq!(up["box"], "disabled");
}
