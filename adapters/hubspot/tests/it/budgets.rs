//! U1.3 client budgets: searches are paced by the search bucket and also take from the general
//! bucket, which every other call shares.

use crate::fake::mount_searches;
use crate::support::{config, requests};
use chrono::Utc;
use domain::ports::Crm;
use hubspot::{HubSpotConfig, HubSpotCrm};
use std::time::{Duration, Instant};
use wiremock::MockServer;

async fn searches(crm: &HubSpotCrm, n: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        crm.meetings(&["1001".into()], Utc::now()).await.unwrap();
    }
    started.elapsed()
}

#[tokio::test]
async fn u1_3_searches_are_paced_by_the_search_bucket() {
    let server = MockServer::start().await;
    mount_searches(&server, Vec::new(), Vec::new()).await;
    let crm = HubSpotCrm::new(&HubSpotConfig {
        search_per_sec: 4,
        burst_per_10s: 0,
        ..config(&server)
    })
    .unwrap();
    // A burst of 4, then one every 250 ms: the 8th leaves about 1 s after the first.
    let took = searches(&crm, 8).await;
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert_eq!(requests(&server).await.len(), 8);
}

#[tokio::test]
async fn u1_3_searches_also_take_from_the_general_bucket() {
    let server = MockServer::start().await;
    mount_searches(&server, Vec::new(), Vec::new()).await;
    let crm = HubSpotCrm::new(&HubSpotConfig {
        search_per_sec: 0,
        burst_per_10s: 20,
        ..config(&server)
    })
    .unwrap();
    // A burst of 20, then one every 500 ms: the 22nd leaves about 1 s after the first.
    let took = searches(&crm, 22).await;
    assert!(took >= Duration::from_millis(900), "{took:?}");
}
