//! `POST /post/allocate` (http-api.md H2.1; security.md S8, S9, S14.2) on the demo firm.

use crate::support::TestApp;
use chrono::TimeDelta;
use domain::ports::{DecisionQuery, DecisionStore};
use serde_json::{Value, json};

const SECRET: &str = "allot-demo-secret";

fn deal_body(deal_id: &str) -> String {
    json!({
        "object": {"objectType": "DEAL", "objectId": 1},
        "fields": {
            "service_package": "Series A",
            "household_type": "Couple",
            "agreement_start_date": "2026-11-25",
            "hs_deal_record_id": deal_id,
            "client_email": "client@example.com"
        }
    })
    .to_string()
}

async fn decisions_of(app: &TestApp, deal_id: &str) -> u64 {
    let query = DecisionQuery {
        outcome: None,
        hubspot_write: None,
        deal_id: Some(deal_id.into()),
        adviser: None,
        within: TimeDelta::days(3650),
        page: 1,
        page_size: 200,
    };
    app.state
        .store
        .list_decisions(query, chrono::Utc::now())
        .await
        .unwrap()
        .total
}

fn owner_writes(app: &TestApp, deal_id: &str) -> usize {
    let demo = app.state.demo.as_ref().unwrap();
    demo.crm
        .writes()
        .iter()
        .filter(|w| w.deal_id == deal_id)
        .count()
}

async fn error_code(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["error"].clone())
}

#[tokio::test]
async fn a_signed_demo_deal_is_allocated_recorded_and_written_once() {
    let app = TestApp::spawn().await;
    let response = app
        .signed_post("/post/allocate", &deal_body("9100001"), SECRET, None)
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "allocated");
    assert_eq!(body["deal_id"], "9100001");
    assert_eq!(body["replayed"], false);
    assert_eq!(body["hubspot_write"], "done");
    let owner = body["adviser"]["hubspot_owner_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The same choice as the offline dry run of the demo scenario for this deal.
    let scenario =
        scenario::parse_scenario(include_str!("../../../fixtures/demo/scenario.json")).unwrap();
    let dry = scenario::dry_run(&scenario);
    assert_eq!(body["adviser"]["email"], dry.chosen().unwrap().email);

    assert_eq!(decisions_of(&app, "9100001").await, 1);
    let demo = app.state.demo.as_ref().unwrap();
    let writes = demo.crm.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].owner_id, owner);

    // The stored explanation is the full AllocationDecision.
    let id = body["allocation_id"].as_str().unwrap();
    let stored = app.state.store.get_decision(id).await.unwrap().unwrap();
    let explanation: Value = serde_json::from_str(&stored.explanation).unwrap();
    assert_eq!(explanation["source"], "hubspot_webhook");
    assert_eq!(explanation["outcome"], "allocated");
    assert_eq!(explanation["input"]["agreement_start_date"], "2026-11-25");
    assert!(explanation["result"]["advisers"].as_array().unwrap().len() >= 20);
    assert!(explanation["result"]["selection"]["ratios"].is_array());
}

#[tokio::test]
async fn a_redelivery_replays_the_first_decision_and_writes_nothing_new() {
    let app = TestApp::spawn().await;
    let first: Value = app
        .signed_post("/post/allocate", &deal_body("9100002"), SECRET, None)
        .await
        .json()
        .await
        .unwrap();
    // A different body for the same deal inside the window still replays.
    let other = deal_body("9100002").replace("Couple", "Single");
    let again: Value = app
        .signed_post("/post/allocate", &other, SECRET, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["replayed"], true);
    assert_eq!(again["allocation_id"], first["allocation_id"]);
    assert_eq!(again["adviser"], first["adviser"]);
    assert_eq!(decisions_of(&app, "9100002").await, 1);
    assert_eq!(owner_writes(&app, "9100002"), 1);
    let id = first["allocation_id"].as_str().unwrap();
    let stored = app.state.store.get_decision(id).await.unwrap().unwrap();
    assert_eq!(stored.summary.replay_count, 1);
}

#[tokio::test]
async fn a_duplicate_storm_makes_one_decision_and_one_owner_write() {
    let app = TestApp::spawn().await;
    let body = deal_body("9100003");
    for _ in 0..10 {
        let r = app.signed_post("/post/allocate", &body, SECRET, None).await;
        assert_eq!(r.status(), 200);
    }
    let concurrent = (0..10).map(|_| app.signed_post("/post/allocate", &body, SECRET, None));
    for r in futures::future::join_all(concurrent).await {
        assert_eq!(r.status(), 200);
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["replayed"], true);
    }
    assert_eq!(decisions_of(&app, "9100003").await, 1);
    assert_eq!(owner_writes(&app, "9100003"), 1);
}

#[tokio::test]
async fn concurrent_first_deliveries_still_decide_once() {
    let app = TestApp::spawn().await;
    let body = deal_body("9100004");
    let storm = (0..10).map(|_| app.signed_post("/post/allocate", &body, SECRET, None));
    let mut ids = std::collections::BTreeSet::new();
    for r in futures::future::join_all(storm).await {
        assert_eq!(r.status(), 200, "{:?}", r.text().await);
        // (the body was consumed above only on failure)
    }
    for _ in 0..2 {
        let b: Value = app
            .signed_post("/post/allocate", &body, SECRET, None)
            .await
            .json()
            .await
            .unwrap();
        ids.insert(b["allocation_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(decisions_of(&app, "9100004").await, 1);
    assert_eq!(owner_writes(&app, "9100004"), 1);
}

#[tokio::test]
async fn bad_signatures_are_refused_before_anything_is_read_or_written() {
    let app = TestApp::spawn().await;
    let body = deal_body("9100005");
    // Wrong secret.
    let (status, error) = error_code(
        app.signed_post("/post/allocate", &body, "not-the-secret", None)
            .await,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (401, Some("invalid_signature"))
    );
    // Stale: 301 s old, and 301 s in the future.
    let now = chrono::Utc::now().timestamp_millis();
    for ts in [now - 301_000, now + 301_000] {
        let (status, error) = error_code(
            app.signed_post("/post/allocate", &body, SECRET, Some(ts))
                .await,
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (401, Some("invalid_signature"))
        );
    }
    // Unsigned.
    let r = app
        .client
        .post(app.url("/post/allocate"))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(decisions_of(&app, "9100005").await, 0);
    assert_eq!(owner_writes(&app, "9100005"), 0);
}

#[tokio::test]
async fn malformed_bodies_get_400_with_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let cases: Vec<(String, &str, Option<&str>)> = vec![
        ("{not json".into(), "invalid_json", None),
        ("[1, 2]".into(), "invalid_json", None),
        (
            deal_body("9100006").replace("\"Series A\"", "\"   \""),
            "validation_failed",
            Some("fields.service_package"),
        ),
        (
            deal_body("12ab"),
            "validation_failed",
            Some("fields.hs_deal_record_id"),
        ),
        (
            deal_body("9100006").replace("2026-11-25", "next tuesday"),
            "invalid_agreement_date",
            None,
        ),
    ];
    for (body, code, field) in cases {
        let (status, error) =
            error_code(app.signed_post("/post/allocate", &body, SECRET, None).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error["code"], code, "{body}");
        if let Some(field) = field {
            assert!(error["details"]["fields"][field].is_string(), "{error}");
        }
    }
    assert_eq!(decisions_of(&app, "9100006").await, 0);
    assert!(app.state.demo.as_ref().unwrap().crm.writes().is_empty());
}

#[tokio::test]
async fn deliveries_without_an_object_type_are_ignored() {
    let app = TestApp::spawn().await;
    let body =
        json!({"object": {"objectId": 1}, "fields": {"hs_deal_record_id": "9100007"}}).to_string();
    let r = app.signed_post("/post/allocate", &body, SECRET, None).await;
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b, json!({"status": "ignored", "reason": "no_object_type"}));
    assert_eq!(decisions_of(&app, "9100007").await, 0);
}

#[tokio::test]
async fn wrong_content_type_and_oversized_bodies() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(app.url("/post/allocate"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r).await.1["code"], "unsupported_media_type");
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(300_000));
    let r = app.signed_post("/post/allocate", &big, SECRET, None).await;
    assert_eq!(
        error_code(r).await,
        (413, error_code_body("payload_too_large"))
    );
}

fn error_code_body(code: &str) -> Value {
    json!({"code": code, "message": "The body is larger than 262144 bytes."})
}

#[tokio::test]
async fn no_eligible_adviser_is_422_with_the_allocation_id() {
    let app = TestApp::spawn().await;
    let body = deal_body("9100008").replace("Series A", "No Such Package");
    let (status, error) =
        error_code(app.signed_post("/post/allocate", &body, SECRET, None).await).await;
    assert_eq!(status, 422);
    assert_eq!(error["code"], "no_eligible_adviser");
    assert!(error["details"]["allocation_id"].is_string());
    assert_eq!(owner_writes(&app, "9100008"), 0);
}

#[tokio::test]
async fn an_unreachable_database_answers_503_never_200() {
    // Nothing listens on port 1: every store call fails.
    let app = TestApp::spawn_with(&[
        (
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/none?connect_timeout=1",
        ),
        ("RUN_MIGRATIONS", "false"),
        // No admin bootstrap: it needs the database.
        ("ADMIN_USERNAME", ""),
        ("ADMIN_PASSWORD", ""),
    ])
    .await;
    let r = app
        .signed_post("/post/allocate", &deal_body("9100009"), SECRET, None)
        .await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(error_code(r).await.1["code"], "database_unavailable");
    assert!(app.state.demo.as_ref().unwrap().crm.writes().is_empty());
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
}

#[tokio::test]
async fn other_methods_on_the_webhook_are_405() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(app.url("/post/allocate"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(error_code(r).await.1["code"], "method_not_allowed");
}
