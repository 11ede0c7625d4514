//! Acceptance: everything one allocation needs from HubSpot for a firm of 60 advisers with 2,000
//! meetings takes at most 15 requests (users, owners, meetings in batches of 50, deals), fetched
//! the way the use case fetches it: meeting batches and the deals query concurrently.

use crate::fake::{at_minute, deal, meeting, mount_listings, mount_searches};
use crate::support::{assert_authorised, config, requests};
use chrono::{DateTime, Utc};
use domain::ports::Crm;
use futures::future::join_all;
use hubspot::{HubSpotConfig, HubSpotCrm};
use serde_json::json;
use std::time::Instant;
use wiremock::MockServer;

const ADVISERS: usize = 60;
const MEETINGS: usize = 2_000;

#[tokio::test]
async fn acceptance_60_advisers_and_2000_meetings_take_at_most_15_requests() {
    let server = MockServer::start().await;
    let owner = |i: usize| (2001 + i).to_string();
    let email = |i: usize| format!("adviser{i}@firm.example");
    let users = (0..ADVISERS)
        .map(|i| {
            json!({"id": (500 + i).to_string(), "properties": {
                "hs_email": email(i), "hubspot_owner_id": owner(i), "taking_on_clients": "True",
                "client_types": "Series A; Seed", "household_type": "Single;Couple",
                "pod_type": "Standard Pod", "adviser_start_date": "2022-07-01"}})
        })
        .collect();
    let owners = (0..ADVISERS)
        .map(|i| {
            json!({"id": owner(i), "firstName": "Adviser", "lastName": i.to_string(),
                        "email": email(i), "userId": 9000 + i, "archived": false})
        })
        .collect();
    let mut meetings: Vec<_> = (0..MEETINGS)
        .map(|i| {
            let kind = if i % 2 == 0 { "Clarify" } else { "Kick Off" };
            meeting(
                i as u64 + 1,
                &owner(i % ADVISERS),
                &at_minute(i as i64 * 7),
                kind,
            )
        })
        .collect();
    // Not wanted: other types, meetings before the window, owners who are not advisers.
    meetings.push(meeting(90_001, &owner(0), &at_minute(10), "Discovery"));
    meetings.push(meeting(
        90_002,
        &owner(0),
        "2025-01-01T00:00:00Z",
        "Clarify",
    ));
    meetings.push(meeting(90_003, "777", &at_minute(10), "Clarify"));
    let deals = (0..150u64)
        .map(|i| {
            deal(
                i + 1,
                &email(i as usize % ADVISERS).to_uppercase(),
                json!("2025-03-26"),
            )
        })
        .collect();
    mount_listings(&server, users, owners).await;
    mount_searches(&server, meetings, deals).await;
    // Production budgets (U1.3): 150 per 10 s, 4 searches per second.
    let crm = HubSpotCrm::new(&HubSpotConfig {
        search_per_sec: 4,
        ..config(&server)
    })
    .unwrap();
    let since: DateTime<Utc> = DateTime::parse_from_rfc3339("2025-03-02T13:00:00Z")
        .unwrap()
        .to_utc();
    let started = Instant::now();

    let advisers = crm.advisers().await.unwrap();
    let owner_ids: Vec<String> = advisers
        .iter()
        .filter_map(|a| a.hubspot_owner_id.clone())
        .collect();
    let batches: Vec<&[String]> = owner_ids.chunks(crm.meeting_batch_size()).collect();
    let (found, deals) = futures::join!(
        join_all(batches.iter().map(|batch| crm.meetings(batch, since))),
        crm.deals_without_clarify(),
    );

    let elapsed = started.elapsed();
    assert_eq!(advisers.len(), ADVISERS);
    assert!(
        advisers
            .iter()
            .all(|a| a.name.as_deref().is_some_and(|n| n.starts_with("Adviser ")))
    );
    let found: Vec<_> = found.into_iter().map(Result::unwrap).collect();
    let meeting_count: usize = found.iter().flat_map(|m| m.values()).map(Vec::len).sum();
    assert_eq!(meeting_count, MEETINGS);
    assert_eq!(found.iter().map(|m| m.len()).sum::<usize>(), ADVISERS);
    let deals = deals.unwrap();
    assert_eq!(deals.len(), ADVISERS);
    assert_eq!(deals.values().map(Vec::len).sum::<usize>(), 150);

    let sent = requests(&server).await;
    assert_authorised(&sent);
    let count = |p: &str| sent.iter().filter(|r| r.url.path() == p).count();
    println!(
        "HubSpot requests for 60 advisers and 2,000 meetings: {} (users {}, owners {}, meetings {}, deals {}) in {elapsed:?}",
        sent.len(),
        count("/crm/v3/objects/users"),
        count("/crm/v3/owners"),
        count("/crm/v3/objects/meetings/search"),
        count("/crm/v3/objects/deals/search"),
    );
    assert!(sent.len() <= 15, "{} requests", sent.len());
}
