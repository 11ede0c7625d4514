//! U3.6 folder metadata: create, 409 `tuple_already_exists` → GET + JSON-Patch PUT (never
//! `remove`), 400 `schema_validation_failed`, the ownership read, and the field map.

use crate::support::*;
use box_files::{BoxConfig, BoxFiles, parse_field_map};
use domain::ports::{FolderMetadata, FolderStore, MetadataField, MetadataOutcome};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const INSTANCE: &str = "/2.0/folders/91/metadata/enterprise_998877/clientFolder";

fn values() -> FolderMetadata {
    FolderMetadata::from([
        (MetadataField::HsDealRecordId, "12345".to_owned()),
        (
            MetadataField::PrimaryContactEmail,
            "ann@example.com".to_owned(),
        ),
        (MetadataField::SpouseContactEmail, "  ".to_owned()),
        (MetadataField::HouseholdType, "Couple".to_owned()),
    ])
}

/// Our `hs_deal_record_id` is the template's `dealId`.
fn mapped(server: &MockServer) -> BoxFiles {
    BoxFiles::new(&BoxConfig {
        metadata_field_map: parse_field_map(r#"{"hs_deal_record_id": "dealId"}"#).unwrap(),
        ..config(server)
    })
    .unwrap()
}

#[tokio::test]
async fn u3_6_create_sends_mapped_non_empty_values() {
    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path(INSTANCE))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"$id": "x"})))
        .mount(&server)
        .await;
    let outcome = mapped(&server)
        .apply_metadata("91", &values())
        .await
        .unwrap();
    assert_eq!(outcome, MetadataOutcome::Applied);
    let api = api_requests(&server).await;
    assert_eq!(api.len(), 1);
    assert_eq!(
        body(&api[0]),
        serde_json::json!({
            "dealId": "12345", "primary_contact_email": "ann@example.com", "household_type": "Couple"
        })
    );
}

#[tokio::test]
async fn u3_6_an_existing_instance_is_patched_with_replace_and_add_only() {
    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path(INSTANCE))
        .respond_with(box_error(409, "tuple_already_exists"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(INSTANCE))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "$id": "x", "$type": "clientFolder-1", "dealId": "999",
            "household_type": "Couple", "spouse_contact_email": "keep@example.com"
        })))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(INSTANCE))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"$id": "x"})))
        .mount(&server)
        .await;
    let outcome = mapped(&server)
        .apply_metadata("91", &values())
        .await
        .unwrap();
    assert_eq!(outcome, MetadataOutcome::Applied);
    let api = api_requests(&server).await;
    let methods: Vec<&str> = api.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "PUT"]);
    let put = &api[2];
    assert_eq!(
        header_of(put, "content-type"),
        Some("application/json-patch+json")
    );
    // Unchanged `household_type` is left alone; the spouse email absent from the input is kept.
    assert_eq!(
        body(put),
        serde_json::json!([
            {"op": "replace", "path": "/dealId", "value": "12345"},
            {"op": "add", "path": "/primary_contact_email", "value": "ann@example.com"}
        ])
    );
}

#[tokio::test]
async fn u3_6_schema_validation_failed_fails_the_metadata_only() {
    let server = fake_box().await;
    Mock::given(method("POST"))
        .and(path(INSTANCE))
        .respond_with(box_error(400, "schema_validation_failed"))
        .mount(&server)
        .await;
    let outcome = client(&server)
        .apply_metadata("91", &values())
        .await
        .unwrap();
    assert_eq!(
        outcome,
        MetadataOutcome::Failed {
            reason: "schema_validation_failed".into()
        }
    );
    assert_eq!(api_requests(&server).await.len(), 1, "not retried");
}

#[tokio::test]
async fn u3_6_the_ownership_read_maps_keys_back_and_404_is_none() {
    let server = fake_box().await;
    Mock::given(method("GET"))
        .and(path(INSTANCE))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "$id": "x", "dealId": "12345", "household_type": "Single", "other": "ignored"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/2.0/folders/92/metadata/enterprise_998877/clientFolder",
        ))
        .respond_with(box_error(404, "instance_tuple_not_found"))
        .mount(&server)
        .await;
    let files = mapped(&server);
    assert!(files.metadata_configured());
    assert_eq!(
        files.folder_metadata("91").await.unwrap(),
        Some(FolderMetadata::from([
            (MetadataField::HsDealRecordId, "12345".to_owned()),
            (MetadataField::HouseholdType, "Single".to_owned()),
        ]))
    );
    assert_eq!(files.folder_metadata("92").await.unwrap(), None);
}

#[tokio::test]
async fn u3_6_without_scope_or_template_metadata_is_skipped_without_calls() {
    let server = fake_box().await;
    let files = BoxFiles::new(&BoxConfig {
        metadata_template_key: String::new(),
        ..config(&server)
    })
    .unwrap();
    assert!(!files.metadata_configured());
    assert_eq!(
        files.apply_metadata("91", &values()).await.unwrap(),
        MetadataOutcome::Skipped
    );
    assert_eq!(files.folder_metadata("91").await.unwrap(), None);
    assert_eq!(requests(&server).await.len(), 0);
    assert_eq!(files.folder_url("91"), "https://app.box.com/folder/91");
}
