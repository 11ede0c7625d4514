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

/// U1.3: with the search bucket empty, webhook searches get the next tokens before background
/// (availability) ones, whether they started waiting before or after them.
#[tokio::test]
async fn u1_3_waiting_webhook_searches_are_served_before_background_ones() {
    let server = MockServer::start().await;
    mount_searches(&server, Vec::new(), Vec::new()).await;
    let crm = std::sync::Arc::new(
        HubSpotCrm::new(&HubSpotConfig {
            search_per_sec: 2,
            burst_per_10s: 0,
            ..config(&server)
        })
        .unwrap(),
    );
    searches(&crm, 2).await; // the burst is spent; one token every 500 ms
    let started = Instant::now();
    let search = |background: bool| {
        let crm = crm.clone();
        let work = async move {
            crm.meetings(&["1001".into()], Utc::now()).await.unwrap();
            started.elapsed()
        };
        if background {
            tokio::spawn(async move { hubspot::background_priority(work).await })
        } else {
            tokio::spawn(work)
        }
    };
    let pause = || tokio::time::sleep(Duration::from_millis(50));
    let early = search(false);
    pause().await;
    let backgrounds: Vec<_> = (0..2).map(|_| search(true)).collect();
    pause().await;
    let late = search(false);
    let webhooks = [early.await.unwrap(), late.await.unwrap()];
    for b in backgrounds {
        let background = b.await.unwrap();
        for webhook in webhooks {
            assert!(
                webhook < background,
                "webhook {webhook:?}, background {background:?}"
            );
        }
    }
}
