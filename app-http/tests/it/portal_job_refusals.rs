//! What the portal job, application and admin routes refuse (http-api.md H4.3, H4.4, H4.7;
//! portal.md P2.6, P2.12, P2.14–P2.16, P10.1), and the fixture mode of the demo (P6.2).

use crate::employer_fake::{EmployerFake, portal_app, save_complete_profile};
use crate::support::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// P6.2: without a base URL the demo serves the 15 fixture jobs, posted in the last two weeks.
#[tokio::test]
async fn p6_2_demo_fixture_mode_serves_active_jobs() {
    let app = TestApp::spawn().await;
    let alex = app.portal_user("alex").await;
    let (status, body) = app.get_json_as(&alex, "/api/portal/jobs").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 15);
    assert!(
        body["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["status"] == "active")
    );
}

/// H4.3, P2.14–P2.16: bad query and path values are 400 `validation_failed`; no session is 401;
/// a write without the CSRF token is 403.
#[tokio::test]
async fn h4_3_bad_input_and_missing_credentials() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    let long = "x".repeat(121);
    let role = format!("?role={long}");
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?offset=-1", "offset"),
        ("?sort=newest", "sort"),
        (role.as_str(), "role"),
    ] {
        let (status, body) = app
            .get_json_as(&alex, &format!("/api/portal/jobs{query}"))
            .await;
        assert_eq!((status, code(&body)), (400, "validation_failed"), "{query}");
        assert!(
            body["error"]["details"]["fields"][field].is_string(),
            "{query}: {body}"
        );
    }
    for path in ["/api/portal/jobs?archived=maybe", "/api/portal/jobs/abc"] {
        let (status, body) = app.get_json_as(&alex, path).await;
        assert_eq!((status, code(&body)), (400, "validation_failed"), "{path}");
    }
    let (status, body) = app.get_json_as(&alex, "/api/portal/jobs/999999").await;
    assert_eq!((status, code(&body)), (404, "job_not_found"));

    let anonymous = app
        .client
        .get(app.url("/api/portal/jobs"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let no_csrf = app
        .client
        .post(app.url("/api/portal/jobs/refresh"))
        .header("cookie", &alex.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
}

/// P7.1 step 1 (P2.6, P2.12) before step 2; S7.2: another user's application is 404.
#[tokio::test]
async fn p7_1_body_validation_comes_first() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    let brett = app.portal_user("brett").await;
    save_complete_profile(&app, &alex).await;
    let apply = "/api/portal/applications";
    for (body, field, field_code) in [
        (
            json!({"job_id": 999999, "resume_link": "javascript://example.com/%0Aalert(1)"}),
            "resume_link",
            "invalid_url",
        ),
        (
            json!({"job_id": 999999, "resume_link": "ftp://example.com/cv"}),
            "resume_link",
            "invalid_url",
        ),
        (
            json!({"job_id": 999999, "cover_letter": "x".repeat(5001)}),
            "cover_letter",
            "too_long",
        ),
        (
            json!({"resume_link": "https://example.com/cv.pdf"}),
            "job_id",
            "required",
        ),
    ] {
        let (status, answer) = app.post_json_as(&alex, apply, body).await;
        assert_eq!(
            (status, code(&answer)),
            (400, "validation_failed"),
            "{answer}"
        );
        assert_eq!(answer["error"]["details"]["fields"][field], field_code);
    }
    let (status, answer) = app
        .post_json_as(&alex, apply, json!({"job_id": 999999}))
        .await;
    assert_eq!((status, code(&answer)), (404, "job_not_found"));

    let (_, jobs) = app.get_json_as(&alex, "/api/portal/jobs").await;
    let (status, mine) = app
        .post_json_as(
            &alex,
            apply,
            json!({"job_id": jobs["jobs"][0]["id"], "cover_letter": "x".repeat(5000)}),
        )
        .await;
    assert_eq!(status, 201, "{mine}");
    let path = format!("/api/portal/applications/{}", mine["application"]["id"]);
    let (status, theirs) = app.get_json_as(&brett, &path).await;
    assert_eq!((status, code(&theirs)), (404, "application_not_found"));
    let (status, unknown) = app
        .get_json_as(&brett, "/api/portal/applications/999999")
        .await;
    assert_eq!((status, &unknown), (404, &theirs), "S7.2: identical bodies");
}

/// P10.1: every portal admin route is 401 without a session and 403 for an employee.
#[tokio::test]
async fn p10_1_admin_routes_need_the_admin_role() {
    let fake = EmployerFake::start().await;
    let (app, _clock) = portal_app(&fake, &[]).await;
    let alex = app.portal_user("alex").await;
    let root = app.portal_admin("root").await;
    for (method, path) in [
        (Method::GET, "/api/portal/admin/applications"),
        (Method::GET, "/api/portal/admin/summary"),
        (Method::POST, "/api/portal/admin/applications/1/resend"),
    ] {
        let anonymous = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{path}");
        let (status, body) = app.send_as(&alex, method.clone(), path).await;
        assert_eq!((status, code(&body)), (403, "forbidden"), "{path}");
    }
    let (status, body) = app
        .send_as(
            &root,
            Method::POST,
            "/api/portal/admin/applications/999999/resend",
        )
        .await;
    assert_eq!((status, code(&body)), (404, "application_not_found"));
    let (status, body) = app
        .get_json_as(&root, "/api/portal/admin/applications?limit=201")
        .await;
    assert_eq!((status, code(&body)), (400, "validation_failed"));
    let (status, body) = app
        .get_json_as(&root, "/api/portal/admin/applications?remote_status=lost")
        .await;
    assert_eq!((status, code(&body)), (400, "validation_failed"));
    let (status, body) = app.get_json_as(&root, "/api/portal/admin/summary").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["users"], json!({"employee": 1, "admin": 2}));
}
