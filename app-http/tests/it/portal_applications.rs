//! Portal applications: acceptance scenarios 9–13 and 20 of portal.md P11, against the U6.6
//! fake.

use crate::employer_fake::{EmployerFake, job_id, portal_app, save_complete_profile, save_profile};
use crate::portal_client::PortalUser;
use crate::support::TestApp;
use app_http::workers::run_portal_outbox_once;
use chrono::TimeDelta;
use reqwest::Method;
use serde_json::{Value, json};

/// alex with a complete profile and the job cache filled.
async fn setup(
    fake: &EmployerFake,
    extra: &[(&str, &str)],
) -> (TestApp, offline_fakes::ManualClock, PortalUser) {
    let (app, clock) = portal_app(fake, extra).await;
    let alex = app.portal_user("alex").await;
    save_complete_profile(&app, &alex).await;
    let (status, _) = app.get_json_as(&alex, "/api/portal/jobs").await;
    assert_eq!(status, 200);
    (app, clock, alex)
}

async fn apply(app: &TestApp, user: &PortalUser, external_id: i64, extra: Value) -> (u16, Value) {
    let mut body = json!({"job_id": job_id(app, external_id).await});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.post_json_as(user, "/api/portal/applications", body)
        .await
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// Scenario 9 (P7.1 step 3): no profile → 422 with everything missing; nothing sent.
#[tokio::test]
async fn scenario_9_apply_with_incomplete_profile() {
    let fake = EmployerFake::start().await;
    let (app, _clock, _alex) = setup(&fake, &[]).await;
    let brett = app.portal_user("brett").await;
    let (status, body) = apply(&app, &brett, 1001, json!({})).await;
    assert_eq!((status, code(&body)), (422, "profile_incomplete"));
    assert_eq!(
        body["error"]["details"]["missing"],
        json!(["resume_link", "experience", "skills", "certifications"])
    );
    assert_eq!(fake.count("POST", "/applications"), 0);
}

/// Scenario 10 (P7.3–P7.5): saved, sent once with exactly the six fields and both headers;
/// the snapshot does not follow the profile.
#[tokio::test]
async fn scenario_10_apply_success() {
    let fake = EmployerFake::start().await;
    let (app, _clock, alex) = setup(&fake, &[]).await;
    let (status, body) = apply(&app, &alex, 1001, json!({"cover_letter": "Hello"})).await;
    assert_eq!(status, 201, "{body}");
    let a = &body["application"];
    assert_eq!(
        (a["status"].clone(), a["remote_status"].clone()),
        (json!("submitted"), json!("sent"))
    );
    assert_eq!(body["warning"], Value::Null);
    assert_eq!(a["skills"], json!(["Food Safety", "cooking"]));
    assert_eq!(a["certifications"], json!(["Food Handler Certification"]));
    assert_eq!(a["resume_link"], "https://example.com/cv.pdf");
    assert_eq!(a["submitted_at"], "2025-11-20T00:00:00.000Z");
    assert_eq!(a["can_withdraw"], true);
    let id = a["id"].as_i64().unwrap();

    let posts: Vec<_> = fake
        .received()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].body,
        json!({"job_id": 1001, "user_id": alex.id, "resume_link": "https://example.com/cv.pdf",
               "skills": ["Food Safety", "cooking"], "certifications": ["Food Handler Certification"],
               "cover_letter": "Hello"})
    );
    assert_eq!(posts[0].headers["x-api-key"], "test-key");
    assert_eq!(
        posts[0].headers["idempotency-key"],
        format!("portal-application-{id}")
    );

    save_profile(&app, &alex, &["Driving"]).await;
    let (status, again) = app
        .get_json_as(&alex, &format!("/api/portal/applications/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        again["skills"],
        json!(["Food Safety", "cooking"]),
        "P7.4 snapshot"
    );
}

/// Scenario 11 (P7.1 step 4, P7.2): a second apply is refused; concurrent applies give one row.
#[tokio::test]
async fn scenario_11_duplicate_apply() {
    let fake = EmployerFake::start().await;
    let (app, _clock, alex) = setup(&fake, &[]).await;
    let (_, first) = apply(&app, &alex, 1001, json!({})).await;
    let (status, body) = apply(&app, &alex, 1001, json!({})).await;
    assert_eq!((status, code(&body)), (409, "already_applied"));
    assert_eq!(
        body["error"]["details"]["application_id"],
        first["application"]["id"]
    );
    assert_eq!(fake.count("POST", "/applications"), 1);

    let dana = app.portal_user("dana").await;
    save_complete_profile(&app, &dana).await;
    let (a, b) = tokio::join!(
        apply(&app, &dana, 1003, json!({})),
        apply(&app, &dana, 1003, json!({}))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{a:?} {b:?}");
    let (_, mine) = app.get_json_as(&dana, "/api/portal/applications").await;
    assert_eq!(mine["applications"].as_array().unwrap().len(), 1);
    let to_1003 = fake
        .received()
        .iter()
        .filter(|r| r.method == "POST" && r.body["job_id"] == 1003)
        .count();
    assert_eq!(to_1003, 1);
}

/// Scenario 12 (P6.7, P7.5, P7.8): rejected, unavailable, then the outbox delivers.
#[tokio::test]
async fn scenario_12_employer_api_failures() {
    let fake = EmployerFake::start().await;
    let (app, clock, alex) = setup(&fake, &[]).await;
    fake.answer_post(
        1002,
        404,
        json!({"success": false, "error": "job closed upstream"}),
    );
    let (status, body) = apply(&app, &alex, 1002, json!({})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["application"]["remote_status"], "rejected");
    assert_eq!(body["warning"]["code"], "employer_api_rejected");
    assert!(
        body["warning"]["message"]
            .as_str()
            .unwrap()
            .contains("job closed upstream")
    );

    let j1004 = job_id(&app, 1004).await;
    fake.down().await;
    let (status, body) = app
        .post_json_as(&alex, "/api/portal/applications", json!({"job_id": j1004}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["application"]["remote_status"], "retrying");
    assert_eq!(body["warning"]["code"], "employer_api_unavailable");
    let id = body["application"]["id"].as_i64().unwrap();
    let (status, refused) = app
        .send_as(&alex, Method::POST, "/api/portal/jobs/refresh")
        .await;
    assert_eq!((status, code(&refused)), (503, "employer_api_unavailable"));
    let (status, jobs) = app.get_json_as(&alex, "/api/portal/jobs").await;
    assert_eq!(status, 200);
    assert_eq!(
        (jobs["total"].clone(), jobs["stale"].clone()),
        (json!(15), json!(true))
    );
    assert_eq!(jobs["sync_error"], "employer_api_unavailable");

    fake.up().await;
    let before = fake.received().len();
    clock.advance(TimeDelta::minutes(2));
    run_portal_outbox_once(&app.state).await.unwrap();
    let calls: Vec<_> = fake.received().split_off(before);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        (calls[0].method.as_str(), calls[0].path.as_str()),
        ("GET", "/applications")
    );
    assert_eq!(calls[0].query, format!("job_id=1004&user_id={}", alex.id));
    assert_eq!(
        (calls[1].method.as_str(), calls[1].body["job_id"].clone()),
        ("POST", json!(1004))
    );
    let (_, after) = app
        .get_json_as(&alex, &format!("/api/portal/applications/{id}"))
        .await;
    assert_eq!(after["remote_status"], "sent");
}

/// Scenario 13 (P7.6, P7.9): withdraw is the owner's, once; it cancels a pending send.
#[tokio::test]
async fn scenario_13_withdraw() {
    let fake = EmployerFake::start().await;
    let (app, clock, alex) = setup(&fake, &[]).await;
    let brett = app.portal_user("brett").await;
    let (_, body) = apply(&app, &alex, 1001, json!({})).await;
    assert_eq!(body["application"]["remote_status"], "sent");
    let path = format!(
        "/api/portal/applications/{}/withdraw",
        body["application"]["id"]
    );
    let (status, theirs) = app.send_as(&brett, Method::POST, &path).await;
    assert_eq!((status, code(&theirs)), (404, "application_not_found"));
    let calls = fake.received().len();
    let (status, withdrawn) = app.send_as(&alex, Method::POST, &path).await;
    assert_eq!(status, 200, "{withdrawn}");
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["withdrawn_at"], "2025-11-20T00:00:00.000Z");
    assert_eq!(withdrawn["can_withdraw"], false);
    assert_eq!(fake.received().len(), calls, "no upstream call");
    let (status, again) = app.send_as(&alex, Method::POST, &path).await;
    assert_eq!((status, code(&again)), (409, "invalid_status_transition"));
    assert_eq!(again["error"]["details"]["status"], "withdrawn");
    let (status, reapply) = apply(&app, &alex, 1001, json!({})).await;
    assert_eq!((status, code(&reapply)), (409, "already_applied"));

    let j1004 = job_id(&app, 1004).await;
    fake.down().await;
    let (_, pending) = app
        .post_json_as(&alex, "/api/portal/applications", json!({"job_id": j1004}))
        .await;
    assert_eq!(pending["application"]["remote_status"], "retrying");
    let path = format!(
        "/api/portal/applications/{}/withdraw",
        pending["application"]["id"]
    );
    let (status, cancelled) = app.send_as(&alex, Method::POST, &path).await;
    assert_eq!(status, 200);
    assert_eq!(cancelled["remote_status"], "cancelled");
    fake.up().await;
    let calls = fake.received().len();
    clock.advance(TimeDelta::minutes(2));
    run_portal_outbox_once(&app.state).await.unwrap();
    assert_eq!(
        fake.received().len(),
        calls,
        "a cancelled send is not retried"
    );
}

/// Scenario 20 (P3.5, P10): the admin sees every application and resends a rejected one.
#[tokio::test]
async fn scenario_20_admin_dashboard() {
    let fake = EmployerFake::start().await;
    let admin_env = [
        ("ADMIN_USERNAME", "root"),
        ("ADMIN_PASSWORD", "correct-horse-battery"),
    ];
    let (app, _clock, alex) = setup(&fake, &admin_env).await;
    let (_, mine) = apply(&app, &alex, 1001, json!({})).await;
    assert_eq!(mine["application"]["remote_status"], "sent");
    fake.answer_post(
        1002,
        404,
        json!({"success": false, "error": "job closed upstream"}),
    );
    let brett = app.portal_user("brett").await;
    save_complete_profile(&app, &brett).await;
    let (_, theirs) = apply(&app, &brett, 1002, json!({})).await;
    assert_eq!(theirs["application"]["remote_status"], "rejected");
    fake.delete_job(1002);
    let (status, _) = app
        .send_as(&alex, Method::POST, "/api/portal/jobs/refresh")
        .await;
    assert_eq!(status, 200);

    let list = "/api/portal/admin/applications";
    let (status, body) = app.get_json_as(&alex, list).await;
    assert_eq!((status, code(&body)), (403, "forbidden"));
    let anonymous = app.client.get(app.url(list)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // root signs in with login `root` (P3.3) and uses the session and CSRF token it gets.
    let login = app
        .client
        .post(app.url("/api/portal/auth/login"))
        .header("origin", &app.base)
        .json(&json!({"login": "root", "password": "correct-horse-battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|c| c.starts_with("sid=")))
        .unwrap()
        .to_owned();
    let answer: serde_json::Value = login.json().await.unwrap();
    let root = PortalUser {
        id: answer["user"]["id"].as_i64().unwrap(),
        username: "root".into(),
        cookie,
        csrf: answer["csrf_token"].as_str().unwrap().to_owned(),
    };
    let (status, body) = app.get_json_as(&root, list).await;
    assert_eq!(status, 200, "{body}");
    let rows = body["applications"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["applicant"],
        json!({"id": brett.id, "username": "brett", "email": "brett@example.com"})
    );
    assert_eq!(rows[0]["job"]["external_id"], "1002");
    assert_eq!(rows[0]["job"]["title"], "Front Desk Cashier");
    assert_eq!(rows[0]["job"]["status"], "removed");
    assert_eq!(rows[0]["remote_status"], "rejected");
    assert_eq!(rows[0]["remote_last_error"], "job closed upstream");
    assert_eq!(rows[1]["applicant"]["username"], "alex");
    assert_eq!(rows[1]["job"]["status"], "active");
    for row in rows {
        assert_eq!(row["status"], "submitted");
        assert_eq!(row["resume_link"], "https://example.com/cv.pdf");
        assert_eq!(row["submitted_at"], "2025-11-20T00:00:00.000Z");
    }
    let (status, summary) = app.get_json_as(&root, "/api/portal/admin/summary").await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["applications"]["remote"]["rejected"], 1);

    let before = fake.received().len();
    let resend = format!("{list}/{}/resend", rows[0]["id"]);
    let (status, queued) = app.send_as(&root, Method::POST, &resend).await;
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["remote_status"], "retrying");
    run_portal_outbox_once(&app.state).await.unwrap();
    let calls = fake.received().split_off(before);
    let kinds: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.method.as_str(), c.path.as_str()))
        .collect();
    assert_eq!(kinds, [("GET", "/applications"), ("POST", "/applications")]);
    let (_, after) = app.get_json_as(&root, list).await;
    assert_eq!(after["applications"][0]["remote_status"], "rejected");

    let resend_sent = format!("{list}/{}/resend", rows[1]["id"]);
    let (status, refused) = app.send_as(&root, Method::POST, &resend_sent).await;
    assert_eq!((status, code(&refused)), (409, "invalid_status_transition"));
}
