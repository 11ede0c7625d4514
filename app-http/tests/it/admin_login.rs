//! H2.10: admin login and logout pages (S1–S4).

use crate::support::{ADMIN, ADMIN_PASSWORD, TestApp};
use argon2::password_hash::{PasswordHasher, SaltString};
use chrono::Utc;
use domain::ports::{LoginKey, NewUser, Role, SessionStore, UserStore};
use reqwest::{Response, StatusCode};

/// The `name=value` of the first `Set-Cookie` named `name`, and the whole header.
pub(crate) fn set_cookie(resp: &Response, name: &str) -> Option<(String, String)> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v
                .split(';')
                .next()
                .unwrap()
                .trim_start_matches(&format!("{name}="))
                .to_owned();
            (value, v.to_owned())
        })
}

pub(crate) fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).unwrap() + marker.len();
    let end = start + body[start..].find('"').unwrap();
    body[start..end].to_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// GET the form, then POST it with its CSRF cookie.
pub(crate) async fn login(app: &TestApp, login: &str, password: &str) -> Response {
    let page = app
        .client
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap();
    let (csrf, _) = set_cookie(&page, "csrf").unwrap();
    let token = hidden(&page.text().await.unwrap(), "csrf_token");
    app.client
        .post(app.url("/admin/login"))
        .header("cookie", format!("csrf={csrf}"))
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf_token", &token),
            ("next", ""),
            ("login", login),
            ("password", password),
        ]))
        .send()
        .await
        .unwrap()
}

/// The page with the per-form token removed, to compare two answers.
fn without_token(body: &str) -> String {
    let token = hidden(body, "csrf_token");
    body.replace(&token, "")
}

pub(crate) async fn admin_id(app: &TestApp) -> i64 {
    app.state
        .store
        .find_user_by_login(&LoginKey::parse(ADMIN))
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn the_login_page_sets_the_csrf_cookie() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let (value, header) = set_cookie(&page, "csrf").unwrap();
    assert_eq!(value.len(), 43);
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Strict"));
    assert!(!header.contains("Secure"), "COOKIE_SECURE=false");
    let body = page.text().await.unwrap();
    assert!(!hidden(&body, "csrf_token").is_empty());
    assert!(!body.contains("<script"));
}

#[tokio::test]
async fn wrong_and_unknown_logins_get_the_same_401() {
    let app = TestApp::spawn().await;
    let wrong = login(&app, ADMIN, "not the right password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&wrong, "sid").is_none());
    let wrong = without_token(&wrong.text().await.unwrap());
    let unknown = login(&app, "nobody-here", "not the right password").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(without_token(&unknown.text().await.unwrap()), wrong);
    assert_eq!(
        app.state
            .store
            .count_sessions(admin_id(&app).await)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_eleventh_attempt_is_refused_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    for _ in 0..10 {
        let r = login(&app, ADMIN, "not the right password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login(&app, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry));
    assert!(set_cookie(&r, "sid").is_none());
    assert_eq!(
        app.state
            .store
            .count_sessions(admin_id(&app).await)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn an_employee_gets_403_and_no_session() {
    let app = TestApp::spawn().await;
    let weak = argon2::Argon2::default()
        .hash_password(
            b"employee password 1",
            &SaltString::encode_b64(&[7u8; 16]).unwrap(),
        )
        .unwrap()
        .to_string();
    let user = app
        .state
        .store
        .create_user(
            &NewUser {
                username: "emma".into(),
                email: "emma@example.com".into(),
                password_hash: weak,
                role: Role::Employee,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let r = login(&app, "Emma@Example.com", "employee password 1").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&r, "sid").is_none());
    assert_eq!(app.state.store.count_sessions(user.id).await.unwrap(), 0);
}

#[tokio::test]
async fn the_form_needs_its_csrf_pair_and_an_allowed_origin() {
    let app = TestApp::spawn().await;
    let post = |cookie: Option<String>, origin: &str, token: &str| {
        let mut req = app
            .client
            .post(app.url("/admin/login"))
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("csrf_token", token),
                ("login", ADMIN),
                ("password", ADMIN_PASSWORD),
            ]));
        if let Some(c) = cookie {
            req = req.header("cookie", format!("csrf={c}"));
        }
        req.send()
    };
    let page = app
        .client
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap();
    let (csrf, _) = set_cookie(&page, "csrf").unwrap();
    let token = hidden(&page.text().await.unwrap(), "csrf_token");
    let no_cookie = post(None, &app.base, &token).await.unwrap();
    assert_eq!(no_cookie.status(), StatusCode::FORBIDDEN);
    let bad_token = post(Some(csrf.clone()), &app.base, "forged").await.unwrap();
    assert_eq!(bad_token.status(), StatusCode::FORBIDDEN);
    let foreign = post(Some(csrf.clone()), "https://evil.example", &token)
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let null = post(Some(csrf), "null", &token).await.unwrap();
    assert_eq!(null.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.state
            .store
            .count_sessions(admin_id(&app).await)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn an_admin_signs_in_uses_the_session_and_signs_out_only_by_post() {
    let app = TestApp::spawn().await;
    let r = login(&app, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/closures/ui");
    let (sid, header) = set_cookie(&r, "sid").unwrap();
    assert_eq!(sid.len(), 43);
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax"));
    assert!(header.contains("Path=/") && !header.contains("Max-Age"));
    let admin = admin_id(&app).await;
    assert_eq!(app.state.store.count_sessions(admin).await.unwrap(), 1);
    let cookie = format!("sid={sid}");

    // Logged in: the login page redirects; GET /admin/logout only shows a form.
    let again = app
        .client
        .get(app.url("/admin/login?next=/closures/ui%3Fa%3D1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(again.headers()["location"], "/closures/ui?a=1");
    let confirm = app
        .client
        .get(app.url("/admin/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), StatusCode::OK);
    let csrf = hidden(&confirm.text().await.unwrap(), "csrf_token");
    assert_eq!(app.state.store.count_sessions(admin).await.unwrap(), 1);

    // Without the token nothing changes.
    let refused = app
        .client
        .post(app.url("/admin/logout"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf_token=wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.state.store.count_sessions(admin).await.unwrap(), 1);

    let out = app
        .client
        .post(app.url("/admin/logout"))
        .header("cookie", &cookie)
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("csrf_token", &csrf)]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(out.headers()["location"], "/admin/login");
    let (_, expired) = set_cookie(&out, "sid").unwrap();
    assert!(expired.contains("Max-Age=0"));
    assert_eq!(app.state.store.count_sessions(admin).await.unwrap(), 0);

    // The old cookie is worthless now.
    let gone = app
        .client
        .get(app.url("/admin/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);
    assert_eq!(gone.headers()["location"], "/admin/login");
}

#[tokio::test]
async fn a_second_start_never_overwrites_the_admin_password() {
    let app = TestApp::spawn().await;
    let before = app
        .state
        .store
        .find_user_by_login(&LoginKey::parse(ADMIN))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.role, Role::Admin);
    assert!(
        before
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    let db = app.state.settings.database_url.clone().unwrap();
    let mut settings = app.state.settings.clone();
    settings.database_url = Some(db);
    settings.admin_password = Some("another long password".to_owned().into());
    let _again = app_http::state::AppState::build(settings).await.unwrap();
    let after = app
        .state
        .store
        .find_user_by_login(&LoginKey::parse(ADMIN))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.password_hash, before.password_hash);
}

#[tokio::test]
async fn a_weak_admin_password_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = [
        (
            "DATABASE_URL",
            dir.path().join("a.db").display().to_string(),
        ),
        ("ADMIN_USERNAME", "boss".to_owned()),
        ("ADMIN_PASSWORD", "short".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = app_http::Settings::from_sources(None, &env).unwrap();
    let err = app_http::state::AppState::build(settings)
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("ADMIN_PASSWORD") && msg.contains("too_short"),
        "{msg}"
    );
    assert!(!msg.contains("short\""));
}
