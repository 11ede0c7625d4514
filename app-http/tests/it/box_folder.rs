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

/// Live mode against wiremock Box and HubSpot: names read from the HubSpot contact, the template
/// copied through the real `box-files` client (JWT token, path walk), a 409 `item_name_in_use`
/// on a folder that is not ours (U3.6: no metadata instance) answered with `"{name} (2)"`.
mod live {
    use super::*;
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const KEY: &str = include_str!("../../../adapters/box-files/tests/keys/box_test_key.enc.pem");
    const SIGNING: &str = "live-signing-secret";

    fn jwt_json() -> String {
        json!({
            "boxAppSettings": {"clientID": "cid", "clientSecret": "csecret",
                "appAuth": {"publicKeyID": "kid", "privateKey": KEY, "passphrase": "test-passphrase-0000"}},
            "enterpriseID": "998877"
        })
        .to_string()
    }

    fn items(entries: &[(&str, &str)]) -> ResponseTemplate {
        let entries: Vec<Value> = entries
            .iter()
            .map(|(id, name)| json!({"type": "folder", "id": id, "name": name}))
            .collect();
        ResponseTemplate::new(200).set_body_json(
            json!({"total_count": entries.len(), "entries": entries, "offset": 0, "limit": 1000}),
        )
    }

    async fn fake_box() -> MockServer {
        let server = MockServer::start().await;
        let get = |p: &str, r: ResponseTemplate| {
            Mock::given(method("GET"))
                .and(path(p.to_owned()))
                .respond_with(r)
        };
        Mock::given(method("POST"))
            .and(path("/oauth2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": "box-token", "expires_in": 3600, "token_type": "bearer"}),
            ))
            .mount(&server)
            .await;
        get(
            "/2.0/folders/0/items",
            items(&[("1", "Clients"), ("2", "Templates")]),
        )
        .mount(&server)
        .await;
        get("/2.0/folders/1/items", items(&[("10", "Active")]))
            .mount(&server)
            .await;
        get("/2.0/folders/2/items", items(&[("20", "Client")]))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/2.0/folders/20/copy"))
            .and(body_partial_json(
                json!({"name": "Ann Lee", "parent": {"id": "10"}}),
            ))
            .respond_with(ResponseTemplate::new(409).set_body_json(json!({
                "type": "error", "status": 409, "code": "item_name_in_use", "message": "taken",
                "context_info": {"conflicts": {"type": "folder", "id": "55", "name": "Ann Lee"}},
                "request_id": "r1"})))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/2.0/folders/20/copy"))
            .and(body_partial_json(json!({"name": "Ann Lee (2)"})))
            .respond_with(ResponseTemplate::new(201).set_body_json(
                json!({"type": "folder", "id": "77", "name": "Ann Lee (2)", "parent": {"id": "10"}}),
            ))
            .mount(&server)
            .await;
        get("/2.0/folders/55/metadata/enterprise_998877/clientFolder", ResponseTemplate::new(404).set_body_json(
            json!({"type": "error", "status": 404, "code": "instance_tuple_not_found", "message": "none"}),
        ))
        .mount(&server)
        .await;
        Mock::given(method("POST"))
            .and(path(
                "/2.0/folders/77/metadata/enterprise_998877/clientFolder",
            ))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"hs_deal_record_id": "8001"})),
            )
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn h2_2_5_live_box_409_not_ours_is_suffixed_and_names_come_from_hubspot() {
        let (boxes, hubspot) = (fake_box().await, MockServer::start().await);
        Mock::given(method("GET"))
            .and(path("/crm/v3/objects/contacts/501"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"id": "501", "properties": {"firstname": "Ann", "lastname": "Lee", "email": "ann@x.com"}}),
            ))
            .mount(&hubspot)
            .await;
        let (box_api, box_token, hubspot_url, jwt) = (
            format!("{}/2.0", boxes.uri()),
            format!("{}/oauth2/token", boxes.uri()),
            hubspot.uri(),
            jwt_json(),
        );
        let app = TestApp::spawn_with(&[
            ("HUBSPOT_TOKEN", "pat-test"),
            ("HUBSPOT_BASE_URL", &hubspot_url),
            ("HUBSPOT_CLIENT_SECRET", SIGNING),
            ("BOX_JWT_CONFIG_JSON", &jwt),
            ("BOX_API_BASE_URL", &box_api),
            ("BOX_TOKEN_URL", &box_token),
            ("BOX_ACTIVE_CLIENTS_PATH", "Clients/Active"),
            ("BOX_TEMPLATE_PATH", "Templates/Client"),
            ("BOX_METADATA_SCOPE", "enterprise_998877"),
            ("BOX_METADATA_TEMPLATE_KEY", "clientFolder"),
        ])
        .await;
        let delivery =
            body(json!({"fields": {"hs_deal_record_id": "8001", "hs_contact_id": "501"}}));
        let r = app.signed_post(PATH, &delivery, SIGNING, None).await;
        let (status, answer) = status_json(r).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["status"], "created");
        assert_eq!(answer["folder"]["id"], "77");
        assert_eq!(answer["folder"]["name"], "Ann Lee (2)");
        assert_eq!(answer["folder"]["url"], "https://app.box.com/folder/77");
        assert_eq!(answer["metadata"], "applied");
        let sent = boxes.received_requests().await.unwrap();
        let meta = sent
            .iter()
            .find(|r| r.method.as_str() == "POST" && r.url.path().contains("/77/metadata"))
            .unwrap();
        let written: Value = serde_json::from_slice(&meta.body).unwrap();
        assert_eq!(written["hs_deal_record_id"], "8001");
        assert_eq!(written["primary_contact_email"], "ann@x.com");
        assert!(
            sent.iter().all(|r| r.url.path() == "/oauth2/token"
                || r.headers["authorization"] == "Bearer box-token")
        );

        let r = app.signed_post(PATH, &delivery, SIGNING, None).await;
        let (status, again) = status_json(r).await;
        assert_eq!((status, again["status"].as_str()), (200, Some("existing")));
        assert_eq!(
            boxes.received_requests().await.unwrap().len(),
            sent.len(),
            "a replay calls no upstream"
        );
    }
}
