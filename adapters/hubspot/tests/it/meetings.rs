//! U1.8 meetings search: the exact body, batches of 50 owners, paging, the 10,000-result
//! continuation, start times for the domain, and the partition by owner.

use crate::fake::{at_minute, meeting, mount_searches, search};
use crate::support::{assert_authorised, body, crm, requests};
use chrono::{DateTime, Utc};
use domain::allocation::RawMeeting;
use domain::ports::{Crm, UpstreamError};
use serde_json::json;
use std::collections::HashSet;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

fn since() -> DateTime<Utc> {
    // 2025-03-03 00:00 in Sydney (the Monday of last week), as the use case computes it.
    DateTime::parse_from_rfc3339("2025-03-02T13:00:00Z")
        .unwrap()
        .to_utc()
}

fn owners(n: usize) -> Vec<String> {
    (0..n).map(|i| (1001 + i).to_string()).collect()
}

#[tokio::test]
async fn u1_8_the_body_is_exactly_the_contract_and_pages_follow_after() {
    let server = MockServer::start().await;
    let found: Vec<_> = (0..250)
        .map(|i| {
            meeting(
                i,
                if i % 2 == 0 { "1001" } else { "1002" },
                &at_minute(i as i64 * 60),
                "Clarify",
            )
        })
        .collect();
    mount_searches(&server, found, Vec::new()).await;

    let meetings = crm(&server)
        .meetings(&["1001".into(), "1002".into()], since())
        .await
        .unwrap();

    assert_eq!(meetings["1001"].len(), 125);
    assert_eq!(meetings["1002"].len(), 125);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_authorised(&sent);
    let mut expected = json!({
        "filterGroups": [{"filters": [
            {"propertyName": "hubspot_owner_id", "operator": "IN", "values": ["1001", "1002"]},
            {"propertyName": "hs_meeting_start_time", "operator": "GTE", "value": "1740920400000"},
            {"propertyName": "hs_activity_type", "operator": "IN", "values": ["Clarify", "Kick Off"]}]}],
        "properties": ["hs_meeting_start_time", "hs_activity_type", "hubspot_owner_id",
                       "hs_meeting_title", "hs_meeting_outcome"],
        "sorts": [{"propertyName": "hs_meeting_start_time", "direction": "ASCENDING"}],
        "limit": 200});
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_eq!(sent[0].url.path(), "/crm/v3/objects/meetings/search");
    assert_eq!(body(&sent[0]), expected, "first page: no after");
    expected["after"] = json!("200");
    assert_eq!(body(&sent[1]), expected);
}

#[tokio::test]
async fn u1_8_sixty_owners_are_two_searches_of_50_and_10_owner_ids() {
    let server = MockServer::start().await;
    let owner_ids = owners(60);
    let found: Vec<_> = owner_ids
        .iter()
        .enumerate()
        .map(|(i, o)| meeting(i as u64, o, &at_minute(i as i64), "Kick Off"))
        .collect();
    mount_searches(&server, found, Vec::new()).await;

    let meetings = crm(&server).meetings(&owner_ids, since()).await.unwrap();

    let sent = requests(&server).await;
    let batches: Vec<Vec<String>> = sent
        .iter()
        .map(|r| {
            serde_json::from_value(body(r)["filterGroups"][0]["filters"][0]["values"].clone())
                .unwrap()
        })
        .collect();
    assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [50, 10]);
    assert_eq!(batches.concat(), owner_ids);
    assert_eq!(meetings.len(), 60);
    assert!(
        meetings
            .values()
            .all(|m| m.len() == 1 && m[0].kind == "Kick Off")
    );
    assert_eq!(crm(&server).meeting_batch_size(), 50);
}

#[tokio::test]
async fn u1_8_start_times_reach_the_domain_as_rfc3339_and_types_and_ids_are_kept() {
    let server = MockServer::start().await;
    let found = vec![
        meeting(11, "1001", "1741222800000", "Clarify"), // epoch ms
        meeting(12, "1001", "2025-03-06T03:00:00Z", "Kick Off"),
        meeting(13, "1002", "2025-03-07T14:00:00+11:00", "Clarify"),
        meeting(14, "1001", "2025-02-01T00:00:00Z", "Clarify"), // before since
        meeting(15, "1001", "2025-03-08T00:00:00Z", "Discovery"), // other type
        meeting(16, "1003", "2025-03-08T00:00:00Z", "Clarify"), // other owner
    ];
    mount_searches(&server, found, Vec::new()).await;

    let meetings = crm(&server)
        .meetings(&["1001".into(), "1002".into(), "1004".into()], since())
        .await
        .unwrap();

    let m = |id: &str, start: &str, kind: &str| RawMeeting {
        id: Some(id.into()),
        start: start.into(),
        kind: kind.into(),
    };
    assert_eq!(
        meetings["1001"],
        [
            m("11", "2025-03-06T01:00:00Z", "Clarify"),
            m("12", "2025-03-06T03:00:00Z", "Kick Off")
        ]
    );
    assert_eq!(
        meetings["1002"],
        [m("13", "2025-03-07T14:00:00+11:00", "Clarify")]
    );
    assert!(meetings["1004"].is_empty(), "asked about, no meetings");
    assert!(!meetings.contains_key("1003"));
}

#[tokio::test]
async fn u1_8_past_10000_results_a_new_query_starts_at_the_last_start_and_drops_seen_ids() {
    let server = MockServer::start().await;
    // 10,450 meetings; around the 10,000th, 30 of them start in the same minute, so the
    // continuation query returns some already seen.
    let found: Vec<_> = (0..10_450u64)
        .map(|i| {
            let minute = if (9_985..10_015).contains(&i) {
                9_985
            } else {
                i as i64
            };
            meeting(i + 1, "1001", &at_minute(minute), "Clarify")
        })
        .collect();
    mount_searches(&server, found, Vec::new()).await;

    let meetings = crm(&server)
        .meetings(&["1001".into()], since())
        .await
        .unwrap();

    let ids: Vec<&str> = meetings["1001"]
        .iter()
        .map(|m| m.id.as_deref().unwrap())
        .collect();
    assert_eq!(ids.len(), 10_450);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        10_450,
        "each once"
    );
    let sent = requests(&server).await;
    let bodies: Vec<_> = sent.iter().map(body).collect();
    assert_eq!(bodies.len(), 50 + 3, "50 pages, then a continuation of 3");
    let continuation = &bodies[50];
    assert!(
        continuation.get("after").is_none(),
        "a new query starts without after"
    );
    let last_start = DateTime::parse_from_rfc3339(&at_minute(9_985)).unwrap();
    assert_eq!(
        continuation["filterGroups"][0]["filters"][1]["value"],
        json!(last_start.timestamp_millis().to_string())
    );
}

#[tokio::test]
async fn u1_8_more_than_10000_meetings_in_one_millisecond_is_an_invalid_response() {
    let server = MockServer::start().await;
    let found: Vec<_> = (0..10_200u64)
        .map(|i| meeting(i + 1, "1001", &at_minute(5), "Clarify"))
        .collect();
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/meetings/search"))
        .respond_with(search(found))
        .mount(&server)
        .await;
    let err = crm(&server)
        .meetings(&["1001".into()], since())
        .await
        .unwrap_err();
    assert!(
        matches!(err, UpstreamError::InvalidResponse { .. }),
        "{err:?}"
    );
    assert_eq!(
        requests(&server).await.len(),
        100,
        "two full windows, then it stops"
    );
}

#[tokio::test]
async fn u1_8_no_owners_no_search() {
    let server = MockServer::start().await;
    let meetings = crm(&server).meetings(&[], since()).await.unwrap();
    assert!(meetings.is_empty());
    assert!(requests(&server).await.is_empty());
}
