//! Portal jobs: acceptance scenarios 6, 7, 8 and 14 of portal.md P11, against the U6.6 fake.

use crate::employer_fake::{
    EmployerFake, job_id, portal_app, save_complete_profile, scenario_start,
};
use crate::portal_client::PortalUser;
use crate::support::TestApp;
use chrono::TimeDelta;
use domain::ports::Role;
use reqwest::Method;
use serde_json::{Value, json};

fn external_ids(list: &Value) -> Vec<String> {
    list["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["external_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn list(app: &TestApp, user: &PortalUser, query: &str) -> Value {
    let (status, body) = app
        .get_json_as(user, &format!("/api/portal/jobs{query}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Scenario 6 (P6.3, P6.4): the cache's TTL is strictly 900 s; a refresh always calls.
#[tokio::test]
async fn scenario_6_job_sync_follows_the_ttl() {
    let fake = EmployerFake::start().await;
    let (app, clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    let body = list(&app, &alex, "").await;
    assert_eq!(fake.count("GET", "/jobs"), 1);
    assert_eq!(body["total"], 15);
    assert_eq!(body["jobs"].as_array().unwrap().len(), 15);
    assert_eq!(body["stale"], false);
    assert_eq!(body["last_synced_at"], "2025-11-20T00:00:00.000Z");
    let sent = &fake.received()[0];
    assert_eq!(
        sent.headers.get("x-api-key").map(String::as_str),
        Some("test-key")
    );

    clock.advance(TimeDelta::minutes(1));
    list(&app, &alex, "").await;
    assert_eq!(fake.count("GET", "/jobs"), 1, "1 minute later: fresh");
    clock.set(scenario_start() + TimeDelta::minutes(15));
    list(&app, &alex, "").await;
    assert_eq!(fake.count("GET", "/jobs"), 1, "exactly 900 s: still fresh");
    clock.set(scenario_start() + TimeDelta::minutes(15) + TimeDelta::seconds(1));
    list(&app, &alex, "").await;
    assert_eq!(fake.count("GET", "/jobs"), 2);

    let (status, refreshed) = app
        .send_as(&alex, Method::POST, "/api/portal/jobs/refresh")
        .await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(refreshed["fetched"], 15);
    assert_eq!(fake.count("GET", "/jobs"), 3);
}

/// Scenario 6, second part (P6.4): two concurrent first reads make one upstream call.
#[tokio::test]
async fn scenario_6_concurrent_first_reads_sync_once() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    let brett = app.portal_user("brett").await;
    let (a, b) = tokio::join!(list(&app, &alex, ""), list(&app, &brett, ""));
    assert_eq!(
        (a["total"].clone(), b["total"].clone()),
        (json!(15), json!(15))
    );
    assert_eq!(fake.count("GET", "/jobs"), 1);
}

/// P6.4: a forced refresh that finds one running waits for it and answers its result.
#[tokio::test]
async fn p6_4_concurrent_refreshes_share_one_sync() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    // The second refresh starts only once the first is inside its upstream call, and that call
    // lasts long enough for the second to reach the gate even on a loaded machine.
    fake.delay_jobs(std::time::Duration::from_secs(2));
    let refresh = "/api/portal/jobs/refresh";
    let first = app.send_as(&alex, Method::POST, refresh);
    let second = async {
        while fake.count("GET", "/jobs") == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        app.send_as(&alex, Method::POST, refresh).await
    };
    let (a, b) = tokio::join!(first, second);
    assert_eq!((a.0, b.0), (200, 200));
    assert_eq!(a.1, b.1, "the same sync's answer");
    assert_eq!(fake.count("GET", "/jobs"), 1);
}

/// Scenario 7 (P5, P6.9): scores are per user; the order is P5.9's.
#[tokio::test]
async fn scenario_7_scores_are_per_user() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    let brett = app.portal_user("brett").await;
    save_complete_profile(&app, &alex).await;

    let mine = list(&app, &alex, "").await;
    let order = [
        "1007", "1001", "1011", "1013", "1008", "1002", "1005", "1012", "1014", "1003", "1009",
        "1004", "1010", "1015", "1006",
    ];
    assert_eq!(external_ids(&mine), order);
    let expected_score = |role: &str| match role {
        "Chef" => 0.75,
        "Cashier" => 0.5,
        "Food Safety Inspector" => 0.33,
        "Driver" | "Marketing Specialist" => 0.25,
        _ => 0.0,
    };
    for job in mine["jobs"].as_array().unwrap() {
        let role = job["role"].as_str().unwrap();
        assert_eq!(
            job["match"]["score"].as_f64(),
            Some(expected_score(role)),
            "{job}"
        );
    }
    let first = &mine["jobs"][0];
    assert_eq!(first["match"]["percent"], 75);
    assert_eq!(
        first["match"]["matched_skills"],
        json!(["Cooking", "Food Safety"])
    );
    assert_eq!(
        first["match"]["missing_skills"],
        json!(["Inventory Management"])
    );
    assert_eq!(first["status"], "active");
    assert_eq!(first["applied"], false);
    assert_eq!(first["posted_at"], "2025-11-13T07:00:00.000Z");

    let theirs = list(&app, &brett, "").await;
    assert!(
        theirs["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["match"]["score"] == 0.0)
    );
    let by_date = [
        "1013", "1007", "1008", "1014", "1003", "1009", "1015", "1001", "1004", "1010", "1011",
        "1005", "1012", "1002", "1006",
    ];
    assert_eq!(external_ids(&theirs), by_date, "no profile: posted_at desc");

    assert_eq!(
        list(&app, &alex, "").await,
        mine,
        "alex's list is unchanged"
    );
}

/// Scenario 8 (P6.8, P6.9, P6.11): a year later every job is archived.
#[tokio::test]
async fn scenario_8_archive_rule() {
    let fake = EmployerFake::start().await;
    let (app, clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    save_complete_profile(&app, &alex).await;
    clock.set("2026-11-21T00:00:00Z".parse().unwrap());
    let alex = app.session_for(alex.id, Role::Employee).await;

    let active = list(&app, &alex, "").await;
    assert_eq!(active["total"], 0);
    assert_eq!(list(&app, &alex, "?archived=true").await["total"], 15);
    let chefs = list(&app, &alex, "?role=chef&archived=true").await;
    let mut ids = external_ids(&chefs);
    ids.sort();
    assert_eq!(ids, ["1001", "1007", "1011"]);
    assert_eq!(
        list(&app, &alex, "?role=che&archived=true").await["total"],
        0
    );
    assert_eq!(
        list(&app, &alex, "?role_contains=che&archived=true").await["total"],
        3
    );

    let (status, dashboard) = app.get_json_as(&alex, "/api/portal/dashboard").await;
    assert_eq!(status, 200, "{dashboard}");
    assert_eq!(dashboard["top_matches"], json!([]));
    assert_eq!(dashboard["categories"], json!([]));
    assert_eq!(dashboard["profile"]["complete"], true);
}

/// Scenario 14 (P6.5, P6.6): a sync deletes unlisted jobs but keeps those with applications.
#[tokio::test]
async fn scenario_14_sync_keeps_history() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    let dana = app.portal_user("dana").await;
    save_complete_profile(&app, &alex).await;
    save_complete_profile(&app, &dana).await;
    list(&app, &alex, "").await;
    let (j1002, j1015) = (job_id(&app, 1002).await, job_id(&app, 1015).await);
    let (status, applied) = app
        .post_json_as(&alex, "/api/portal/applications", json!({"job_id": j1002}))
        .await;
    assert_eq!(status, 201, "{applied}");
    assert_eq!(applied["application"]["remote_status"], "sent");

    fake.delete_job(1002);
    fake.delete_job(1015);
    let (status, refreshed) = app
        .send_as(&alex, Method::POST, "/api/portal/jobs/refresh")
        .await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(
        (
            refreshed["deleted"].clone(),
            refreshed["removed_marked"].clone()
        ),
        (json!(1), json!(1))
    );

    let (status, gone) = app
        .get_json_as(&alex, &format!("/api/portal/jobs/{j1015}"))
        .await;
    assert_eq!(
        (status, gone["error"]["code"].clone()),
        (404, json!("job_not_found"))
    );
    for query in ["", "?archived=true"] {
        assert!(!external_ids(&list(&app, &alex, query).await).contains(&"1002".to_owned()));
    }
    let (status, removed) = app
        .get_json_as(&alex, &format!("/api/portal/jobs/{j1002}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(removed["status"], "removed");
    assert_eq!(removed["can_apply"], false);
    let (_, mine) = app.get_json_as(&alex, "/api/portal/applications").await;
    assert_eq!(
        mine["applications"][0]["job"]["title"],
        "Front Desk Cashier"
    );
    assert_eq!(mine["applications"][0]["job"]["status"], "removed");
    let (status, refused) = app
        .post_json_as(&dana, "/api/portal/applications", json!({"job_id": j1002}))
        .await;
    assert_eq!(
        (status, refused["error"]["code"].clone()),
        (409, json!("job_unavailable"))
    );

    fake.restore_job(1002);
    let (status, _) = app
        .send_as(&alex, Method::POST, "/api/portal/jobs/refresh")
        .await;
    assert_eq!(status, 200);
    let (_, back) = app
        .get_json_as(&alex, &format!("/api/portal/jobs/{j1002}"))
        .await;
    assert_eq!(back["status"], "active");
}

/// P6.11: the 6 best active matches, active jobs by role slug, counts.
#[tokio::test]
async fn p6_11_dashboard_top_matches_and_categories() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    save_complete_profile(&app, &alex).await;
    list(&app, &alex, "").await;
    let j1001 = job_id(&app, 1001).await;
    let (status, _) = app
        .post_json_as(&alex, "/api/portal/applications", json!({"job_id": j1001}))
        .await;
    assert_eq!(status, 201);
    let (status, d) = app.get_json_as(&alex, "/api/portal/dashboard").await;
    assert_eq!(status, 200, "{d}");
    let top: Vec<&str> = d["top_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["external_id"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["1007", "1001", "1011", "1013", "1008", "1002"]);
    assert_eq!(d["top_matches"][1]["applied"], true);
    assert_eq!(
        d["categories"],
        json!([
            {"slug": "cashier", "label": "Cashier", "count": 3},
            {"slug": "chef", "label": "Chef", "count": 3},
            {"slug": "driver", "label": "Driver", "count": 3},
            {"slug": "fire-safety-inspector", "label": "Fire Safety Inspector", "count": 2},
            {"slug": "food-safety-inspector", "label": "Food Safety Inspector", "count": 2},
            {"slug": "marketing-specialist", "label": "Marketing Specialist", "count": 2},
        ])
    );
    assert_eq!(d["counts"]["applications_submitted"], 1);
    assert_eq!(d["profile"], json!({"complete": true, "missing": []}));
    assert_eq!(d["jobs_stale"], false);
    assert_eq!(d["jobs_last_synced_at"], "2025-11-20T00:00:00.000Z");
    assert_eq!(
        fake.count("GET", "/jobs"),
        1,
        "the dashboard found the cache fresh"
    );
}
