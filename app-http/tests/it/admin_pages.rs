//! The allocation admin pages (http-api.md H6.1, H6.3–H6.8, H6.19; security.md S13.2) on the
//! demo firm: the session guard, the tables an admin sees, escaping, the 404 page and the
//! static assets.

use crate::portal_client::PortalUser;
use crate::support::TestApp;
use serde_json::{Value, json};

const PAGES: [&str; 6] = [
    "/closures/ui",
    "/capacity_overrides/ui",
    "/availability/earliest",
    "/availability/schedule",
    "/allocations/history",
    "/allocations/history/some-id",
];

async fn page(app: &TestApp, user: &PortalUser, path: &str) -> (u16, String) {
    let r = app.get_as(user, path).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// An allocation decision recorded through the signed demo webhook (H2.1).
pub(crate) async fn decide(app: &TestApp, deal_id: &str) {
    let body = json!({
        "object": {"objectType": "DEAL", "objectId": 1},
        "fields": {"service_package": "Series A", "household_type": "Couple",
                   "agreement_start_date": "2026-11-25", "hs_deal_record_id": deal_id}
    });
    let r = app
        .signed_post(
            "/post/allocate",
            &body.to_string(),
            "allot-demo-secret",
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["status"], "allocated");
}

#[tokio::test]
async fn h0_12_1_pages_without_a_session_redirect_to_login_with_next() {
    let app = TestApp::spawn().await;
    for path in PAGES {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 302, "{path}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("/admin/login?next={path}"));
    }
    // The query is kept, encoded as one value (H6.1 "next=<path and query>").
    let r = app
        .client
        .get(app.url("/allocations/history?page=2&outcome=allocated"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/admin/login?next=/allocations/history%3Fpage%3D2%26outcome%3Dallocated"
    );
}

#[tokio::test]
async fn h0_12_1_an_employee_gets_the_403_page() {
    let app = TestApp::spawn().await;
    let alex = app.portal_user("alex").await;
    for path in PAGES {
        let (status, html) = page(&app, &alex, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(html.contains("Forbidden"));
        assert!(!html.contains("csrf-token"));
    }
}

#[tokio::test]
async fn h6_3_closures_page_lists_the_table_and_escapes_descriptions() {
    let app = TestApp::spawn().await;
    let root = app.portal_admin("root").await;
    let (s, created) = app
        .post_json_as(
            &root,
            "/closures",
            json!({"start_date": "2026-12-07", "end_date": "2026-12-11",
                   "description": "<script>alert(1)</script>", "tags": ["office"]}),
        )
        .await;
    assert_eq!(s, 201);
    let r = app.get_as(&root, "/closures/ui").send().await.unwrap();
    assert_eq!(r.status(), 200);
    // S13.2: strict CSP on the page, no inline script anywhere.
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    for h in [
        "<th>#</th>",
        "<th>Description</th>",
        "<th>Start Date</th>",
        "<th>End Date</th>",
        "<th>Workdays</th>",
        "<th>Actions</th>",
    ] {
        assert!(html.contains(h), "{h}");
    }
    assert!(html.contains(&format!("content=\"{}\"", root.csrf)));
    // The Today picker starts at the firm's day: the demo firm's `today` (fixtures/demo).
    assert!(html.contains("id=\"today\" value=\"2026-11-18\""));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<script>"), "no inline script (S13.2)");
    assert!(html.contains(&format!("data-id=\"{}\"", created["id"].as_str().unwrap())));
    // Tag chips come before the Description field (H6.3).
    let chips = html.find("data-tag=\"christmas\"").unwrap();
    assert!(chips < html.find("id=\"c-description\"").unwrap());
    assert!(html.contains("<td class=\"num\">5</td>"), "five workdays");
}

#[tokio::test]
async fn h6_4_overrides_page_shows_states() {
    let app = TestApp::spawn().await;
    let root = app.portal_admin("root").await;
    let email = "override.page@example.com";
    for (date, limit) in [("2020-01-06", 3), ("2020-02-03", 4), ("2099-01-05", 5)] {
        let (s, _) = app
            .post_json_as(
                &root,
                "/capacity_overrides",
                json!({"adviser_email": email, "effective_date": date, "client_limit_monthly": limit}),
            )
            .await;
        assert_eq!(s, 201);
    }
    let (status, html) = page(&app, &root, "/capacity_overrides/ui").await;
    assert_eq!(status, 200);
    for h in [
        "Adviser",
        "Effective date",
        "Effective week",
        "Limit",
        "Pod type",
        "Notes",
        "State",
        "Actions",
    ] {
        assert!(html.contains(&format!("<th>{h}</th>")), "{h}");
    }
    let mine: Vec<&str> = html
        .split("<tr ")
        .filter(|r| r.contains(&format!("data-email=\"{email}\"")))
        .collect();
    assert_eq!(mine.len(), 3);
    assert!(mine[0].contains(">superseded<"));
    assert!(mine[1].contains(">active<"));
    assert!(mine[2].contains(">scheduled<"));
    assert!(html.contains("<option value=\"olivia.bennett@harbourfinch.example\">"));
}

#[tokio::test]
async fn h6_5_earliest_computes_only_on_request_and_draws_the_chart() {
    let app = TestApp::spawn().await;
    let root = app.portal_admin("root").await;
    let (s, html) = page(&app, &root, "/availability/earliest").await;
    assert_eq!(s, 200);
    assert!(!html.contains("<svg"), "nothing computed without compute=1");
    let (s, html) = page(
        &app,
        &root,
        "/availability/earliest?compute=1&agreement_start_date=2026-11-25",
    )
    .await;
    assert_eq!(s, 200);
    for h in [
        "Email",
        "Service Packages",
        "Pod Type",
        "Client Monthly Limit",
        "Earliest Open Week",
        "Taking on clients",
    ] {
        assert!(html.contains(&format!("<th>{h}</th>")), "{h}");
    }
    assert!(html.contains("olivia.bennett@harbourfinch.example"));
    assert!(html.contains("<svg class=\"chart\" id=\"earliest-chart\""));
    assert!(html.contains("<rect class=\"bar"));
    // A bad value is a 400 page that does not echo it (H2.7.1, H6.19).
    let (s, html) = page(
        &app,
        &root,
        "/availability/earliest?compute=1&include_no=maybe%3Cb%3E",
    )
    .await;
    assert_eq!(s, 400);
    assert!(!html.contains("maybe"));
}

#[tokio::test]
async fn h6_6_schedule_highlights_the_earliest_week() {
    let app = TestApp::spawn().await;
    let root = app.portal_admin("root").await;
    let (s, html) = page(
        &app,
        &root,
        "/availability/schedule?compute=1&email=olivia.bennett%40harbourfinch.example",
    )
    .await;
    assert_eq!(s, 200);
    for h in [
        "Week label",
        "Monday Date",
        "Clarify Count",
        "Kick Off Count",
        "OOO",
        "Deal No Clarify",
        "Target",
        "Actual",
        "Difference",
    ] {
        assert!(html.contains(&format!("<th>{h}</th>")), "{h}");
    }
    assert_eq!(html.matches("<tr class=\"earliest\">").count(), 1);
    assert!(html.contains("<svg class=\"chart\" id=\"schedule-chart\""));
    let (s, _) = page(
        &app,
        &root,
        "/availability/schedule?compute=1&email=nobody%40example.com",
    )
    .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn h6_7_and_h6_8_history_lists_decisions_and_links_to_the_detail() {
    let app = TestApp::spawn().await;
    let root = app.portal_admin("root").await;
    decide(&app, "9300001").await;
    let (s, html) = page(&app, &root, "/allocations/history").await;
    assert_eq!(s, 200);
    for h in [
        "Decided at",
        "Deal",
        "Chosen adviser",
        "Outcome",
        "HubSpot write",
        "Replays",
    ] {
        assert!(html.contains(&format!("<th>{h}</th>")), "{h}");
    }
    assert!(html.contains("<td>9300001</td>"));
    let start = html.find("href=\"/allocations/history/").unwrap() + "href=\"".len();
    let end = start + html[start..].find('"').unwrap();
    let link = html[start..end].to_owned();
    let (s, detail) = page(&app, &root, &link).await;
    assert_eq!(s, 200);
    assert!(detail.contains("9300001"));
    assert!(detail.contains("<details class=\"adviser\">"));
    assert!(detail.contains("<h2>Selection</h2>"));
    // Bad filters → 400 page; unknown id → static 404 page (H6.8, H6.19).
    let (s, _) = page(&app, &root, "/allocations/history?days=0").await;
    assert_eq!(s, 400);
    let (s, html) = page(&app, &root, "/allocations/history/no-such-decision").await;
    assert_eq!(s, 404);
    assert!(html.contains("Not found"));
    assert!(!html.contains("no-such-decision"));
}

#[tokio::test]
async fn h6_1_static_assets_have_types_and_unknown_ones_are_404() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    let r = app
        .client
        .get(app.url("/static/closures.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let r = app
        .client
        .get(app.url("/static/%3Cx%3E.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("<x>"));
    // H0.9: a wrong method on a page answers 405 with Allow.
    let r = app
        .client
        .post(app.url("/closures/ui"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
}

#[tokio::test]
async fn h2_9_2_the_connected_page_offers_both_syncs_with_the_csrf_token() {
    use crate::eh_oauth::{callback, eh, spawn, start, token_answers};
    let server = eh().await;
    token_answers(&server, 200).await;
    let app = spawn(&server, None).await;
    let admin = app.portal_admin("root").await;
    let q = start(&app, &admin).await;
    let (status, html) = callback(&app, &admin, &format!("code=abc&state={}", q["state"])).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!(
        "<meta name=\"csrf-token\" content=\"{}\">",
        admin.csrf
    )));
    assert!(html.contains("data-sync=\"/sync/employees\""));
    assert!(html.contains("data-sync=\"/sync/leave_requests\""));
    assert!(html.contains("<script src=\"/static/connected.js\" defer></script>"));
    // What the buttons send (connected.js): POST with the session's X-CSRF-Token (H0.12.2).
    let r = app
        .write_as(&admin, reqwest::Method::POST, "/sync/employees")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn s13_2_every_page_has_the_strict_csp_and_only_docs_allow_inline() {
    let app = TestApp::spawn().await;
    let csp = |r: &reqwest::Response| {
        r.headers()
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{} has no CSP: {:?}", r.url(), r.headers()))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let host = app.base.trim_start_matches("http://");
    for path in ["/admin/login", "/portal/login", "/static/nothing.js"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let policy = csp(&r);
        assert!(
            policy.starts_with("default-src 'self'; script-src 'self'; style-src 'self';"),
            "{path}: {policy}"
        );
        assert!(policy.contains(&format!("connect-src 'self' wss://{host};")));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
    let r = app.client.get(app.url("/docs")).send().await.unwrap();
    assert!(csp(&r).contains("script-src 'self' 'unsafe-inline';"));
    // JSON answers carry no page policy.
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(!r.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn h2_11_the_landing_page_is_served_at_the_root() {
    let app = TestApp::spawn().await;
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("content-security-policy"));
    assert!(r.text().await.unwrap().contains("href=\"/admin/login\""));
    let r = app.client.post(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
}
