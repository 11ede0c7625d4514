//! U1.7: the contact reads behind Box folder naming and the requests they send (their U0 fault
//! matrix rows are in `faults.rs`).

use crate::support::{assert_authorised, body, crm, requests};
use domain::ports::{ContactNames, Contacts, DealContactLink};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ONE: &str = "/crm/v3/objects/contacts/501";
const ASSOC: &str = "/crm/v4/objects/deals/4242/associations/contacts";
const BATCH: &str = "/crm/v3/objects/contacts/batch/read";

fn ann() -> Value {
    json!({"id": "501", "properties": {"firstname": "Ann", "lastname": "Lee", "email": "ann@x.com"}})
}

fn ann_names() -> ContactNames {
    ContactNames {
        id: "501".into(),
        first_name: Some("Ann".into()),
        last_name: Some("Lee".into()),
        email: Some("ann@x.com".into()),
    }
}

#[tokio::test]
async fn u1_7_one_contact_asks_for_the_three_properties() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ONE))
        .and(query_param("properties", "firstname,lastname,email"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ann()))
        .mount(&server)
        .await;
    assert_eq!(
        crm(&server).contact("501").await.unwrap(),
        Some(ann_names())
    );
    assert_authorised(&requests(&server).await);
}

#[tokio::test]
async fn u1_7_a_missing_contact_has_no_names_and_blank_names_are_absent() {
    let server = MockServer::start().await;
    Mock::given(path(ONE))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"status": "error"})))
        .mount(&server)
        .await;
    Mock::given(path("/crm/v3/objects/contacts/502"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "502", "properties": {"firstname": " ", "lastname": null}}),
        ))
        .mount(&server)
        .await;
    let crm = crm(&server);
    assert_eq!(crm.contact("501").await.unwrap(), None);
    let blank = crm.contact("502").await.unwrap().unwrap();
    assert_eq!((blank.first_name, blank.last_name), (None, None));
    assert_eq!(requests(&server).await.len(), 2, "a 404 is not retried");
}

#[tokio::test]
async fn u1_7_deal_associations_follow_every_page_with_their_labels() {
    let server = MockServer::start().await;
    Mock::given(path(ASSOC))
        .and(query_param("after", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"toObjectId": 499, "associationTypes": []}
        ]})))
        .mount(&server)
        .await;
    Mock::given(path(ASSOC))
        .and(query_param("limit", "500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"toObjectId": 501, "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": null},
                {"category": "USER_DEFINED", "typeId": 14, "label": "Primary"}]}
        ], "paging": {"next": {"after": "p2", "link": "x"}}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let links = crm(&server).deal_contacts("4242").await.unwrap();
    assert_eq!(
        links,
        vec![
            DealContactLink {
                contact_id: 501,
                labels: vec!["Primary".into()]
            },
            DealContactLink {
                contact_id: 499,
                labels: vec![]
            },
        ]
    );
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|r| r.url.query().unwrap().contains("limit=500"))
    );
}

#[tokio::test]
async fn u1_7_batch_read_sends_at_most_100_inputs_and_207_errors_are_missing_contacts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BATCH))
        .respond_with(ResponseTemplate::new(207).set_body_json(json!({
            "status": "COMPLETE", "results": [ann()],
            "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND"}]
        })))
        .mount(&server)
        .await;
    let ids: Vec<String> = (0..150).map(|i| (500 + i).to_string()).collect();
    let found = crm(&server).contacts(&ids).await.unwrap();
    assert_eq!(
        found,
        vec![ann_names(), ann_names()],
        "one result per batch"
    );
    let sent = requests(&server).await;
    assert_authorised(&sent);
    let sizes: Vec<usize> = sent
        .iter()
        .map(|r| body(r)["inputs"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![100, 50]);
    assert_eq!(
        body(&sent[0])["properties"],
        json!(["firstname", "lastname", "email"])
    );
    assert_eq!(body(&sent[0])["inputs"][0], json!({"id": "500"}));
}

#[tokio::test]
async fn empty_results_are_empty_answers() {
    let server = MockServer::start().await;
    for p in [ASSOC, BATCH] {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
            .mount(&server)
            .await;
    }
    let crm = crm(&server);
    assert!(crm.deal_contacts("4242").await.unwrap().is_empty());
    assert!(crm.contacts(&["501".into()]).await.unwrap().is_empty());
    assert!(crm.contacts(&[]).await.unwrap().is_empty());
    assert_eq!(requests(&server).await.len(), 2, "no ids, no request");
}
