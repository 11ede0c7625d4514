//! U1.9 deals without a Clarify: the exact body, paging, the `hs_object_id GT` continuation past
//! 10,000, and the partition by the lowercased, trimmed adviser email.

use crate::fake::{deal, mount_searches, object};
use crate::support::{assert_authorised, body, crm, requests};
use domain::allocation::{RawDeal, RawDealDate};
use domain::ports::Crm;
use serde_json::{Value, json};
use wiremock::MockServer;

#[tokio::test]
async fn u1_9_one_query_all_pages_partitioned_by_adviser_email() {
    let server = MockServer::start().await;
    let mut deals: Vec<_> = (1..=430u64)
        .map(|id| {
            let email = match id % 3 {
                0 => " Alice@X.com ",
                1 => "alice@x.com",
                _ => "bob@x.com",
            };
            deal(id, email, json!("2025-03-26"))
        })
        .collect();
    deals.push(deal(500, "cy@x.com", Value::Null));
    deals.push(deal(501, "cy@x.com", json!("1742169600000")));
    // Excluded by the filters: another pipeline, another stage, a booked Clarify, no email.
    let mut other_pipeline = deal(600, "cy@x.com", json!("2025-03-26"));
    other_pipeline.properties["pipeline"] = json!("1");
    let mut other_stage = deal(601, "cy@x.com", json!("2025-03-26"));
    other_stage.properties["dealstage"] = json!("999");
    let mut booked = deal(602, "cy@x.com", json!("2025-03-26"));
    booked.properties["most_recent_clarify_booked_date"] = json!("2025-03-01");
    let mut held = deal(603, "cy@x.com", json!("2025-03-26"));
    held.properties["most_recent_clarify_call_date"] = json!("2025-03-01");
    deals.extend([
        other_pipeline,
        other_stage,
        booked,
        held,
        object(604, json!({"pipeline": "152417162"})),
    ]);
    mount_searches(&server, Vec::new(), deals).await;

    let by_adviser = crm(&server).deals_without_clarify().await.unwrap();

    assert_eq!(by_adviser["alice@x.com"].len(), 287);
    assert_eq!(by_adviser["bob@x.com"].len(), 143);
    assert_eq!(
        by_adviser["cy@x.com"],
        [
            RawDeal {
                id: Some("500".into()),
                agreement_start_date: RawDealDate::Missing
            },
            RawDeal {
                id: Some("501".into()),
                agreement_start_date: RawDealDate::Text("1742169600000".into())
            },
        ]
    );
    assert_eq!(by_adviser.len(), 3);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "432 deals: 3 pages of 200");
    assert_authorised(&sent);
    assert_eq!(sent[0].url.path(), "/crm/v3/objects/deals/search");
    let mut expected = json!({
        "filterGroups": [{"filters": [
            {"propertyName": "pipeline", "operator": "EQ", "value": "152417162"},
            {"propertyName": "dealstage", "operator": "IN",
             "values": ["257144337", "257144338", "257144339"]},
            {"propertyName": "most_recent_clarify_booked_date", "operator": "NOT_HAS_PROPERTY"},
            {"propertyName": "most_recent_clarify_call_date", "operator": "NOT_HAS_PROPERTY"},
            {"propertyName": "advisor_email", "operator": "HAS_PROPERTY"}]}],
        "properties": ["advisor_email", "agreement_start_date", "dealname", "hubspot_owner_id"],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "limit": 200});
    assert_eq!(body(&sent[0]), expected);
    expected["after"] = json!("400");
    assert_eq!(body(&sent[2]), expected);
}

#[tokio::test]
async fn u1_9_past_10000_results_the_query_continues_after_the_last_id() {
    let server = MockServer::start().await;
    let deals: Vec<_> = (1..=10_300u64)
        .map(|id| deal(id * 2, "alice@x.com", json!("2025-03-26")))
        .collect();
    mount_searches(&server, Vec::new(), deals).await;

    let by_adviser = crm(&server).deals_without_clarify().await.unwrap();

    let ids: Vec<u64> = by_adviser["alice@x.com"]
        .iter()
        .map(|d| d.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, (1..=10_300u64).map(|id| id * 2).collect::<Vec<_>>());
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 50 + 2);
    let continuation = body(&sent[50]);
    assert!(continuation.get("after").is_none());
    assert_eq!(
        continuation["filterGroups"][0]["filters"][5],
        json!({"propertyName": "hs_object_id", "operator": "GT", "value": "20000"})
    );
    assert_eq!(body(&sent[51])["after"], json!("200"));
}
