//! `POST /post/create_box_folder` (H2.2) in demo mode: the recording Box fake and in-memory
//! contacts behind the real route, signature and store.

use crate::support::{TestApp, status_json};
use domain::ports::{BoxFolders, ContactNames, MetadataField, UpstreamError};
use serde_json::{Value, json};

const SECRET: &str = "allot-demo-secret";
const PATH: &str = "/post/create_box_folder";

fn body(value: Value) -> String {
    value.to_string()
}

fn couple(deal_id: &str) -> String {
    body(json!({
        "object": {"objectType": "DEAL", "objectId": deal_id.parse::<u64>().unwrap()},
        "fields": {
            "hs_deal_record_id": deal_id,
            "hs_contact_id": "501", "hs_contact_firstname": "Ann", "hs_contact_lastname": "Lee",
            "hs_contact_email": "ann@x.com",
            "hs_spouse_firstname": "Bob", "hs_spouse_lastname": "lee",
            "household_type": "Couple"
        }
    }))
}

fn demo_box(app: &TestApp) -> &offline_fakes::RecordingBox {
    app.state
        .folders
        .as_ref()
        .unwrap()
        .demo_box
        .as_deref()
        .unwrap()
}

async fn post(app: &TestApp, body: &str) -> (u16, Value) {
    status_json(app.signed_post(PATH, body, SECRET, None).await).await
}

#[tokio::test]
async fn h2_2_demo_mode_copies_the_template_names_the_folder_and_applies_metadata() {
    let app = TestApp::spawn().await;
    let (status, answer) = post(&app, &couple("7001")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "created");
    assert_eq!(answer["deal_id"], "7001");
    assert_eq!(answer["folder"]["name"], "Ann & Bob Lee");
    assert_eq!(answer["folder"]["parent_path"], "Clients/Active");
    assert_eq!(answer["contacts"], json!(["Ann Lee", "Bob lee"]));
    assert_eq!(answer["metadata"], "applied");

    let fake = demo_box(&app);
    let copies = fake.copies();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].name, "Ann & Bob Lee");
    let id = answer["folder"]["id"].as_str().unwrap();
    assert!(answer["folder"]["url"].as_str().unwrap().ends_with(id));
    let metadata = fake.metadata_of(id).unwrap();
    assert_eq!(metadata[&MetadataField::HsDealRecordId], "7001");
    assert_eq!(metadata[&MetadataField::PrimaryContactEmail], "ann@x.com");
    let row = app
        .state
        .store
        .get_box_folder("7001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.folder.unwrap().folder_id, id);
}

#[tokio::test]
async fn h2_2_2_a_redelivery_answers_the_first_folder_and_writes_nothing_new() {
    let app = TestApp::spawn().await;
    let (_, first) = post(&app, &couple("7002")).await;
    let (status, again) = post(&app, &couple("7002")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "existing");
    assert_eq!(again["folder"]["id"], first["folder"]["id"]);
    assert_eq!(again["folder"]["name"], first["folder"]["name"]);
    assert_eq!(demo_box(&app).copies().len(), 1, "no second copy");
    assert_eq!(demo_box(&app).metadata_writes().len(), 1, "no second write");
}

#[tokio::test]
async fn h2_2_2_a_delivery_storm_copies_the_template_once() {
    let app = TestApp::spawn().await;
    let delivery = couple("7010");
    let storm = (0..8).map(|_| post(&app, &delivery));
    let answers = futures::future::join_all(storm).await;
    let ids: Vec<&Value> = answers.iter().map(|(_, a)| &a["folder"]["id"]).collect();
    for (status, answer) in &answers {
        assert_eq!(*status, 200, "{answer}");
        assert_eq!(&answer["folder"]["id"], ids[0]);
    }
    let created = answers
        .iter()
        .filter(|(_, a)| a["status"] == "created")
        .count();
    assert_eq!(created, 1);
    assert_eq!(demo_box(&app).copies().len(), 1);
}

#[tokio::test]
async fn h2_2_3_names_come_from_the_crm_when_the_payload_has_none() {
    let app = TestApp::spawn().await;
    let contacts = app
        .state
        .folders
        .as_ref()
        .unwrap()
        .demo_contacts
        .clone()
        .unwrap();
    contacts.add_contact(ContactNames {
        id: "601".into(),
        first_name: Some("Cara".into()),
        last_name: Some("Diaz".into()),
        email: None,
    });
    contacts.associate("7003", 601, &["Primary"]);
    let (status, answer) = post(
        &app,
        &body(json!({"inputFields": {"hs_deal_record_id": 7003}})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["folder"]["name"], "Cara Diaz");
}

#[tokio::test]
async fn h2_2_5_a_name_in_use_gets_a_suffix_and_box_outages_are_503_and_free_the_claim() {
    let app = TestApp::spawn().await;
    let fake = demo_box(&app);
    let parent = fake.add_path("Clients/Active");
    fake.add_folder(&parent.id, "Deal 7004", None);
    let (status, answer) = post(
        &app,
        &body(json!({"fields": {"hs_deal_record_id": "7004"}})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["folder"]["name"], "Deal 7004 (2)");

    fake.fail_copies_with(vec![UpstreamError::unavailable("timeout")]);
    let (status, answer) = post(
        &app,
        &body(json!({"fields": {"hs_deal_record_id": "7005"}})),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (503, Some("upstream_unavailable"))
    );
    assert_eq!(answer["error"]["details"]["upstream"], "box");
    let (status, answer) = post(
        &app,
        &body(json!({"fields": {"hs_deal_record_id": "7005"}})),
    )
    .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("created")),
        "HubSpot's retry takes over"
    );
}

#[tokio::test]
async fn h2_2_6_every_candidate_name_taken_is_409_folder_name_exhausted() {
    let app = TestApp::spawn().await;
    let fake = demo_box(&app);
    let parent = fake.add_path("Clients/Active");
    fake.add_folder(&parent.id, "Deal 7006", None);
    for n in 2..=20 {
        fake.add_folder(&parent.id, &format!("Deal 7006 ({n})"), None);
    }
    let (status, answer) = post(
        &app,
        &body(json!({"fields": {"hs_deal_record_id": "7006"}})),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["code"], "folder_name_exhausted");
}

#[tokio::test]
async fn s8_3_a_bad_signature_is_401_and_nothing_is_copied() {
    let app = TestApp::spawn().await;
    let r = app
        .signed_post(PATH, &couple("7007"), "not-the-secret", None)
        .await;
    let (status, answer) = status_json(r).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("invalid_signature"))
    );
    assert!(demo_box(&app).copies().is_empty());
    assert!(
        app.state
            .store
            .get_box_folder("7007")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn h2_2_1_malformed_bodies_are_400_with_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        ("{not json", "invalid_json", None),
        ("[1]", "invalid_json", None),
        (
            r#"{"fields": {}}"#,
            "validation_failed",
            Some(("hs_deal_record_id", "required")),
        ),
        (
            r#"{"fields": {"hs_deal_record_id": "12a"}}"#,
            "validation_failed",
            Some(("hs_deal_record_id", "not_digits")),
        ),
        (
            r#"{"dealId": "123456789012345678901"}"#,
            "validation_failed",
            Some(("hs_deal_record_id", "not_digits")),
        ),
    ];
    for (raw, code, field) in cases {
        let (status, answer) = post(&app, raw).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some(code)),
            "{raw}"
        );
        if let Some((name, why)) = field {
            assert_eq!(answer["error"]["details"]["fields"][name], why, "{raw}");
        }
    }
    let long = body(json!({"fields": {"hs_deal_record_id": "1", "folder_name": "x".repeat(121)}}));
    let (status, answer) = post(&app, &long).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"]["details"]["fields"]["folder_name"],
        "too_long"
    );
    assert!(demo_box(&app).copies().is_empty());
}

mod live;
