//! Portal accounts over HTTP (http-api.md H4.1, H6.10; portal.md P3, P11 scenarios 1–3;
//! security.md S2–S4). Users are registered through the API: that is what is tested here.

use crate::admin_login::{form, hidden, set_cookie};
use crate::portal_client::{PASSWORD, PortalUser};
use crate::support::{TestApp, status_json};
use serde_json::{Value, json};

/// The `sid=<token>` pair of a response's session cookie.
pub fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sid=") && !v.contains("Max-Age=0"))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// POSTs `body` as JSON with our Origin, no cookie.
pub async fn post_public(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("origin", &app.base)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn registration(username: &str, email: &str, password: &str) -> Value {
    json!({"username": username, "email": email, "password": password, "confirm_password": password})
}

/// Registers `username` (`<username>@example.com`, `PASSWORD`) through the API.
pub async fn register(app: &TestApp, username: &str) -> PortalUser {
    let email = format!("{}@example.com", username.to_lowercase());
    let resp = post_public(
        app,
        "/api/portal/auth/register",
        registration(username, &email, PASSWORD),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let cookie = session_cookie(&resp).unwrap();
    let (_, body) = status_json(resp).await;
    PortalUser {
        id: body["user"]["id"].as_i64().unwrap(),
        username: username.to_owned(),
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
    }
}

pub async fn login(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    post_public(
        app,
        "/api/portal/auth/login",
        json!({"login": login, "password": password}),
    )
    .await
}

#[tokio::test]
async fn scenario_1_register_and_uniqueness_p3_2() {
    let app = TestApp::spawn().await;
    let resp = post_public(
        &app,
        "/api/portal/auth/register",
        registration("alex", "Alex@Example.com", PASSWORD),
    )
    .await;
    assert!(session_cookie(&resp).is_some());
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["user"]["email"], "alex@example.com");
    assert_eq!(body["user"]["username"], "alex");
    assert_eq!(body["user"]["role"], "employee");
    assert!(body["user"]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["csrf_token"].as_str().unwrap().len(), 43);

    let cases = [
        ("alex2", "ALEX@example.com", "email_taken"),
        ("ALEX", "other@example.com", "username_taken"),
    ];
    for (username, email, code) in cases {
        let resp = post_public(
            &app,
            "/api/portal/auth/register",
            registration(username, email, PASSWORD),
        )
        .await;
        let (status, body) = status_json(resp).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some(code)));
    }
}

#[tokio::test]
async fn scenario_2_registration_validation_p2_1_to_p2_4() {
    let app = TestApp::spawn().await;
    let long = "p".repeat(129);
    let eleven = "p".repeat(11);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            registration("ab", "a1@example.com", PASSWORD),
            "username",
            "too_short",
        ),
        (
            registration("  ab  ", "a2@example.com", PASSWORD),
            "username",
            "too_short",
        ),
        (
            registration("a b c", "a3@example.com", PASSWORD),
            "username",
            "invalid_format",
        ),
        (
            registration("user4", "a4@example.com", "short"),
            "password",
            "too_short",
        ),
        (
            registration("user5", "a5@example.com", &eleven),
            "password",
            "too_short",
        ),
        (
            registration("user6", "a6@example.com", &long),
            "password",
            "too_long",
        ),
        (
            json!({"username": "user7", "email": "a7@example.com", "password": PASSWORD, "confirm_password": "Password123?"}),
            "confirm_password",
            "mismatch",
        ),
        (
            registration("user8", "zed@", PASSWORD),
            "email",
            "invalid_format",
        ),
    ];
    for (body, field, code) in cases {
        let (status, answer) =
            status_json(post_public(&app, "/api/portal/auth/register", body.clone()).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert_eq!(answer["error"]["details"]["fields"][field], code, "{body}");
    }
    let bob = post_public(
        &app,
        "/api/portal/auth/register",
        registration("  bob  ", "bob@example.com", PASSWORD),
    )
    .await;
    let (status, body) = status_json(bob).await;
    assert_eq!(
        (status, body["user"]["username"].as_str()),
        (201, Some("bob"))
    );
    for (name, password) in [("twelve", "p".repeat(12)), ("max128", "p".repeat(128))] {
        let email = format!("{name}@example.com");
        let resp = post_public(
            &app,
            "/api/portal/auth/register",
            registration(name, &email, &password),
        )
        .await;
        assert_eq!(resp.status(), 201, "{name}");
    }
}

#[tokio::test]
async fn scenario_3_login_p3_3_s3() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    for name in ["brett", "casey", "dana"] {
        register(&app, name).await;
    }

    let (status, wrong) = status_json(login(&app, "alex", "Wrong-password-1").await).await;
    assert_eq!(
        (status, wrong["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let (status, unknown) = status_json(login(&app, "nobody@example.com", PASSWORD).await).await;
    assert_eq!(status, 401);
    assert_eq!(unknown, wrong, "identical bodies");

    let resp = app
        .client
        .post(app.url("/api/portal/auth/login"))
        .header("origin", &app.base)
        .header("cookie", &alex.cookie)
        .json(&json!({"login": "ALEX@EXAMPLE.COM", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let new_cookie = session_cookie(&resp).unwrap();
    assert_ne!(new_cookie, alex.cookie, "S2.4 rotation");
    let (status, body) = status_json(resp).await;
    assert_eq!((status, body["user"]["id"].as_i64()), (200, Some(alex.id)));
    let (status, _) = status_json(
        app.client
            .get(app.url("/api/portal/auth/me"))
            .header("cookie", &alex.cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "the session the login came with is gone");
    assert_eq!(login(&app, "Alex", PASSWORD).await.status(), 200);

    // Anonymous portal reads are 401.
    for path in ["/api/portal/jobs", "/api/portal/profile"] {
        let (status, body) = status_json(app.client.get(app.url(path)).send().await.unwrap()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthenticated")),
            "{path}"
        );
    }

    // The page login never redirects off-site (S7.6).
    let page = app
        .client
        .get(app.url("/portal/login?next=https%3A%2F%2Fevil.example%2F"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let (csrf_value, _) = set_cookie(&page, "csrf").unwrap();
    let html = page.text().await.unwrap();
    let body = form(&[
        ("csrf_token", &hidden(&html, "csrf_token")),
        ("next", &hidden(&html, "next")),
        ("login", "alex"),
        ("password", PASSWORD),
    ]);
    let submitted = app
        .client
        .post(app.url("/portal/login"))
        .header("origin", &app.base)
        .header("cookie", format!("csrf={csrf_value}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 303);
    assert_eq!(submitted.headers()["location"], "/portal/");
    assert!(session_cookie(&submitted).is_some());

    // S3.2: ten failures lock the account key; the 11th attempt is refused even if right.
    for _ in 0..10 {
        assert_eq!(login(&app, "alex", "Wrong-password-1").await.status(), 401);
    }
    let locked = login(&app, "alex", PASSWORD).await;
    assert!(locked.headers().contains_key("retry-after"));
    let (status, body) = status_json(locked).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
}

#[tokio::test]
async fn logout_is_idempotent_and_needs_csrf_with_a_session_p3_4() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    let (status, me) = app.get_json_as(&alex, "/api/portal/auth/me").await;
    assert_eq!((status, me["user"]["id"].as_i64()), (200, Some(alex.id)));
    assert_eq!(me["csrf_token"], alex.csrf.as_str(), "S4.2 stable token");
    assert!(me["user"].get("password_hash").is_none());

    let without_token = app
        .client
        .post(app.url("/api/portal/auth/logout"))
        .header("cookie", &alex.cookie)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(without_token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("csrf_failed"))
    );

    let resp = app
        .write_as(&alex, reqwest::Method::POST, "/api/portal/auth/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let expired = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(expired.starts_with("sid=;") && expired.contains("Max-Age=0"));
    assert_eq!(app.get_json_as(&alex, "/api/portal/auth/me").await.0, 401);
    let again = app
        .send_as(&alex, reqwest::Method::POST, "/api/portal/auth/logout")
        .await;
    assert_eq!(again.0, 204);
    let anonymous = app
        .client
        .post(app.url("/api/portal/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 204);
}

#[tokio::test]
async fn closed_registration_and_the_domain_allow_list_p0_8() {
    let closed = TestApp::spawn_with(&[("PORTAL_REGISTRATION_OPEN", "false")]).await;
    let resp = post_public(
        &closed,
        "/api/portal/auth/register",
        registration("alex", "alex@example.com", PASSWORD),
    )
    .await;
    let (status, body) = status_json(resp).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("registration_closed"))
    );

    let app = TestApp::spawn_with(&[("PORTAL_REGISTRATION_EMAIL_DOMAINS", "corp.example")]).await;
    let refused = post_public(
        &app,
        "/api/portal/auth/register",
        registration("alex", "alex@example.com", PASSWORD),
    )
    .await;
    let (status, body) = status_json(refused).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["details"]["fields"]["email"],
        "domain_not_allowed"
    );
    let ok = post_public(
        &app,
        "/api/portal/auth/register",
        registration("alex", "Alex@Corp.Example", PASSWORD),
    )
    .await;
    assert_eq!(ok.status(), 201);
}

#[tokio::test]
async fn foreign_origins_and_missing_csrf_are_refused_s4() {
    let app = TestApp::spawn().await;
    for path in ["/api/portal/auth/register", "/api/portal/auth/login"] {
        let resp = app
            .client
            .post(app.url(path))
            .header("origin", "https://evil.example")
            .json(&registration("alex", "alex@example.com", PASSWORD))
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(resp).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("origin_not_allowed")),
            "{path}"
        );
    }
    let alex = register(&app, "alex").await;
    let put = app
        .client
        .put(app.url("/api/portal/profile"))
        .header("cookie", &alex.cookie)
        .json(&json!({"headline": "x"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(put).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("csrf_failed"))
    );
    let delete = app
        .client
        .delete(app.url("/api/portal/profile"))
        .header("cookie", &alex.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 403);
    let foreign = app
        .client
        .put(app.url("/api/portal/profile"))
        .header("cookie", &alex.cookie)
        .header("x-csrf-token", &alex.csrf)
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "S4.4 on session writes");
}
