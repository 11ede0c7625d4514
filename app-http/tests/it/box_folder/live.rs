//! Live mode against wiremock Box and HubSpot: names read from the HubSpot contact, the template
//! copied through the real `box-files` client (JWT token, path walk), a 409 `item_name_in_use`
//! on a folder that is not ours (U3.6: no metadata instance) answered with `"{name} (2)"`.

use super::*;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = include_str!("../../../../adapters/box-files/tests/keys/box_test_key.enc.pem");
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
    let delivery = body(json!({"fields": {"hs_deal_record_id": "8001", "hs_contact_id": "501"}}));
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
    assert!(sent.iter().all(
        |r| r.url.path() == "/oauth2/token" || r.headers["authorization"] == "Bearer box-token"
    ));

    let r = app.signed_post(PATH, &delivery, SIGNING, None).await;
    let (status, again) = status_json(r).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("existing")));
    assert_eq!(
        boxes.received_requests().await.unwrap().len(),
        sent.len(),
        "a replay calls no upstream"
    );
}
