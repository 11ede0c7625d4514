//! Who is in the portal: the directory (portal.md P8.11, P3.7) and the demo employees.

use crate::portal_accounts::{login, register, session_cookie};
use crate::support::{TestApp, status_json};

#[tokio::test]
async fn the_directory_lists_others_without_emails_p8_11() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    register(&app, "Brett").await;
    register(&app, "casey").await;
    let (status, page) = app.get_json_as(&alex, "/api/portal/users").await;
    assert_eq!(status, 200, "{page}");
    let names: Vec<&str> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Brett") && names.contains(&"casey") && !names.contains(&"alex"));
    assert!(!page.to_string().contains("@example.com"), "P3.7");
    assert!(
        page["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["relationship"] == "none")
    );
    let (_, filtered) = app.get_json_as(&alex, "/api/portal/users?q=BRE").await;
    assert_eq!(filtered["total"], 1);
    assert_eq!(
        app.get_json_as(&alex, "/api/portal/users?limit=0").await.0,
        400
    );
}

#[tokio::test]
async fn demo_employees_are_created_once_in_demo_mode() {
    let app = TestApp::spawn_with(&[("PORTAL_DEMO_EMPLOYEES", "true")]).await;
    let resp = login(&app, "dana", "allot-demo-password").await;
    let cookie = session_cookie(&resp).unwrap();
    assert_eq!(resp.status(), 200);
    let profile = app
        .client
        .get(app.url("/api/portal/profile"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let (_, profile) = status_json(profile).await;
    assert_eq!(profile["completeness"]["complete"], true);
    let again = app_http::auth::demo_employees::seed(
        &app.state.store,
        &app.state.hasher,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(again, 0, "idempotent: existing users are skipped");
    let (status, _) = status_json(login(&app, "ebony", "allot-demo-password").await).await;
    assert_eq!(status, 200);
}
