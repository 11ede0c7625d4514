//! U1.6 deal owner write: one PATCH of every configured property, and its outcomes.

use crate::support::{TOKEN, assert_authorised, config, crm, requests};
use domain::ports::{Crm, UpstreamError};
use hubspot::{HubSpotConfig, HubSpotCrm};
use serde_json::json;
use wiremock::matchers::{bearer_token, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn deal_answer() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "4242", "properties": {"advisor": "1001"},
        "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-03-01T00:00:00Z", "archived": false}))
}

#[tokio::test]
async fn u1_6_one_patch_sets_every_configured_owner_property() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/crm/v3/objects/deals/4242"))
        .and(bearer_token(TOKEN))
        .and(body_json(
            json!({"properties": {"advisor": "1001", "hubspot_owner_id": "1001"}}),
        ))
        .respond_with(deal_answer())
        .expect(1)
        .mount(&server)
        .await;
    let crm = HubSpotCrm::new(&HubSpotConfig {
        deal_owner_properties: vec!["advisor".into(), "hubspot_owner_id".into()],
        ..config(&server)
    })
    .unwrap();

    crm.set_deal_owner("4242", "1001").await.unwrap();

    assert_authorised(&requests(&server).await);
}

#[tokio::test]
async fn u1_6_the_default_property_is_advisor() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/crm/v3/objects/deals/77"))
        .and(body_json(json!({"properties": {"advisor": "9"}})))
        .respond_with(deal_answer())
        .expect(1)
        .mount(&server)
        .await;
    crm(&server).set_deal_owner("77", "9").await.unwrap();
}

#[tokio::test]
async fn u1_6_1_outcomes_404_not_found_400_rejected_401_unauthorized() {
    let cases = [
        (
            404,
            json!({"status": "error", "message": "Object not found.", "category": "OBJECT_NOT_FOUND"}),
        ),
        (
            400,
            json!({"status": "error", "message": "Property values were not valid",
                     "correlationId": "c-1", "category": "VALIDATION_ERROR",
                     "errors": [{"message": "1001 is not a valid owner", "code": "INVALID_OPTION"}]}),
        ),
        (
            401,
            json!({"status": "error", "message": "Authentication credentials not found.",
                     "category": "INVALID_AUTHENTICATION"}),
        ),
    ];
    for (status, error_body) in cases {
        let server = MockServer::start().await;
        Mock::given(method("PATCH"))
            .respond_with(ResponseTemplate::new(status).set_body_json(error_body))
            .mount(&server)
            .await;
        let err = crm(&server)
            .set_deal_owner("4242", "1001")
            .await
            .unwrap_err();
        let expected = match status {
            404 => UpstreamError::NotFound,
            400 => UpstreamError::Rejected {
                status: 400,
                code: "INVALID_OPTION".into(),
                message: "Property values were not valid".into(),
            },
            _ => UpstreamError::Unauthorized,
        };
        assert_eq!(err, expected);
        assert_eq!(requests(&server).await.len(), 1, "{status} is final");
    }
}

#[tokio::test]
async fn u1_6_2_the_patch_is_retried_after_a_retryable_failure() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(deal_answer())
        .mount(&server)
        .await;
    crm(&server).set_deal_owner("4242", "1001").await.unwrap();
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body, "the same value again");
}
