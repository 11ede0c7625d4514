//! The typed response schemas of H2.7, H2.8 and H3 over HTTP with an admin session: each answer is
//! exactly the JSON the handler functions build (typing changed the document, not the wire), and
//! the OpenAPI document names the typed schemas (H0.8).

use crate::support::{TestApp, status_json};
use app_http::routes::allocations::{DealInput, HistoryParams, decision, dry_run, history};
use app_http::routes::availability::{earliest, schedule};
use chrono::{SubsecRound, Utc};
use offline_fakes::ManualClock;
use serde_json::{Value, json};
use std::sync::Arc;

const DEMO_SECRET: &str = "allot-demo-secret";

/// The demo server on a manual clock, so `computed_at` and `decided_at` agree between the two
/// ways of asking.
async fn app_on_manual_clock() -> (TestApp, ManualClock) {
    let clock = ManualClock::at(Utc::now().trunc_subsecs(3));
    let app = TestApp::spawn_full(&[], Some(Arc::new(clock.clone()))).await;
    (app, clock)
}

#[tokio::test]
async fn h2_7_history_decision_and_dry_run_answer_the_handlers_json_unchanged() {
    let (app, clock) = app_on_manual_clock().await;
    let admin = app.portal_admin("typedroot").await;
    let body = json!({"object": {"objectType": "DEAL", "objectId": 1},
        "fields": {"service_package": "Series A", "household_type": "Couple",
                   "agreement_start_date": "2026-11-25", "hs_deal_record_id": "9300001"}})
    .to_string();
    let ts = domain::ports::Clock::now(&clock).timestamp_millis();
    let r = app
        .signed_post("/post/allocate", &body, DEMO_SECRET, Some(ts))
        .await;
    let (status, answer) = status_json(r).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["allocation_id"].as_str().unwrap().to_owned();

    let (status, list) = app.get_json_as(&admin, "/allocations").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list,
        history(&app.state, &HistoryParams::default())
            .await
            .unwrap()
    );
    assert_eq!(list["items"][0]["id"], id.as_str());

    let (status, got) = app.get_json_as(&admin, &format!("/allocations/{id}")).await;
    assert_eq!(status, 200, "{got}");
    let expected = decision(&app.state, &id).await.unwrap();
    assert_eq!(got, expected);
    assert!(got["result"]["advisers"][0]["weeks"].is_array());

    let input = json!({"deal_id": "9300002", "service_package": "Series A",
                       "household_type": "Couple", "agreement_start_date": "2026-11-25"});
    let (status, dry) = app
        .post_json_as(&admin, "/allocations/dry-run", input)
        .await;
    assert_eq!(status, 200, "{dry}");
    let expected = dry_run(
        &app.state,
        &DealInput {
            deal_id: Some(json!("9300002")),
            service_package: Some(json!("Series A")),
            household_type: Some(json!("Couple")),
            agreement_start_date: Some(json!("2026-11-25")),
            client_email: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(dry, expected);
    // A walk with its half numbers survives the round trip (EW15: integers stay integers).
    let walks: Vec<&Value> = dry["result"]["advisers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["walk"].is_null())
        .collect();
    assert!(!walks.is_empty());
}

#[tokio::test]
async fn h2_8_availability_answers_the_handlers_json_unchanged() {
    let (app, _clock) = app_on_manual_clock().await;
    let admin = app.portal_admin("typedroot").await;
    let (status, got) = app
        .get_json_as(&admin, "/api/availability/earliest?include_no=1")
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got, earliest(&app.state, true, None).await.unwrap());

    let email = got["result"]["advisers"][0]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, got) = app
        .get_json_as(&admin, &format!("/api/availability/schedule?email={email}"))
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got, schedule(&app.state, &email, None).await.unwrap());
}

#[tokio::test]
async fn h0_8_the_document_names_the_typed_schemas() {
    let app = TestApp::spawn().await;
    let (_, doc) = status_json(
        app.client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for (path, method, schema) in [
        ("/allocations", "get", "AllocationList"),
        ("/allocations/{id}", "get", "AllocationDecision"),
        ("/allocations/dry-run", "post", "AllocationDecision"),
        ("/api/availability/earliest", "get", "EarliestAvailability"),
        ("/api/availability/schedule", "get", "AdviserSchedule"),
    ] {
        let ok = &doc["paths"][path][method]["responses"]["200"]["content"]["application/json; charset=utf-8"]
            ["schema"]["$ref"];
        assert_eq!(*ok, format!("#/components/schemas/{schema}"), "{path}");
    }
    let schemas = &doc["components"]["schemas"];
    let step = &schemas["WalkStep"]["properties"];
    assert_eq!(step["cap"]["type"], "number");
    assert_eq!(step["cap"]["multipleOf"], 0.5);
    assert!(step.get("final").is_some());
    let entry = &schemas["AdviserEntry"]["properties"];
    for key in ["excluded_detail", "inputs", "overrides", "walk", "weeks"] {
        assert!(entry.get(key).is_some(), "AdviserEntry.{key}");
    }
}
