//! Every admin write route over HTTP with a real admin session from `POST /admin/login` and its
//! CSRF token (H0.12, H2.5–H2.7, H2.10.4; security.md S4.1, S4.7): success with the token, and
//! for every refusal (no token, wrong token, employee session, no credentials, an API key) the
//! right code and nothing written.

use crate::admin_login::{admin_id, hidden, login, set_cookie};
use crate::portal_client::PortalUser;
use crate::support::{ADMIN, ADMIN_PASSWORD, API_KEY, TestApp, status_json};
use domain::ports::{ClosureStore, DecisionQuery, DecisionStore, OverrideStore, SessionStore};
use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::{Value, json};

/// Signs in as the bootstrapped admin through the login form, then reads the session's CSRF
/// token from the sign-out page (S4.2: every page embeds it).
async fn real_admin(app: &TestApp) -> PortalUser {
    let signed_in = login(app, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(signed_in.status(), 303);
    let (sid, _) = set_cookie(&signed_in, "sid").expect("a session cookie");
    let cookie = format!("sid={sid}");
    let page = app
        .client
        .get(app.url("/admin/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = hidden(&page.text().await.unwrap(), "csrf_token");
    PortalUser {
        id: admin_id(app).await,
        username: ADMIN.into(),
        cookie,
        csrf,
    }
}

/// The signed-in callers of one test.
struct Actors {
    admin: PortalUser,
    employee: PortalUser,
}

async fn actors(app: &TestApp) -> Actors {
    Actors {
        admin: real_admin(app).await,
        employee: app.portal_user("employee1").await,
    }
}

/// Who sends a request.
enum Cred<'a> {
    Nobody,
    ApiKey,
    /// A session cookie with this `X-CSRF-Token` (none when `None`).
    Session(&'a PortalUser, Option<&'a str>),
}

struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    /// The success status with the admin's token.
    ok: u16,
}

fn send(app: &TestApp, case: &Case, cred: &Cred<'_>) -> reqwest::RequestBuilder {
    let mut b = app
        .client
        .request(case.method.clone(), app.url(&case.path))
        .header("origin", &app.base);
    match cred {
        Cred::Nobody => {}
        Cred::ApiKey => b = b.header("x-api-key", API_KEY),
        Cred::Session(user, csrf) => {
            b = b.header("cookie", &user.cookie);
            if let Some(token) = csrf {
                b = b.header("x-csrf-token", *token);
            }
        }
    }
    if let Some(body) = &case.body {
        b = b
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    b
}

/// A description of what the route could change, compared before and after each refusal.
type Snapshot = for<'a> fn(&'a TestApp) -> BoxFuture<'a, String>;

/// Runs the five refusals of H0.12.1/H0.12.2, each leaving `snapshot` unchanged, then the
/// admin's request with its token; returns the success body.
async fn refused_then_allowed(
    app: &TestApp,
    who: &Actors,
    case: &Case,
    snapshot: Snapshot,
) -> Value {
    let (admin, employee) = (&who.admin, &who.employee);
    let refusals: [(Cred<'_>, u16, &str); 5] = [
        (Cred::Session(admin, None), 403, "csrf_failed"),
        (
            Cred::Session(admin, Some("not-the-token")),
            403,
            "csrf_failed",
        ),
        (
            Cred::Session(employee, Some(&employee.csrf)),
            403,
            "forbidden",
        ),
        (Cred::Nobody, 401, "unauthenticated"),
        // S4.7: a key header is never combined with cookies; admin-only writes refuse keys.
        (Cred::ApiKey, 403, "forbidden"),
    ];
    let before = snapshot(app).await;
    for (cred, status, code) in &refusals {
        let (got, body) = status_json(send(app, case, cred).send().await.unwrap()).await;
        let what = format!("{} {} expecting {code}", case.method, case.path);
        assert_eq!(got, *status, "{what}: {body}");
        assert_eq!(body["error"]["code"], *code, "{what}");
        assert_eq!(snapshot(app).await, before, "{what}: something was written");
    }
    let (got, body) = status_json(
        send(app, case, &Cred::Session(admin, Some(&admin.csrf)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(got, case.ok, "{} {}: {body}", case.method, case.path);
    body
}

fn closures(app: &TestApp) -> BoxFuture<'_, String> {
    Box::pin(async move { format!("{:?}", app.state.store.list_closures(None).await.unwrap()) })
}

fn overrides(app: &TestApp) -> BoxFuture<'_, String> {
    Box::pin(async move { format!("{:?}", app.state.store.list_overrides(None).await.unwrap()) })
}

/// Decisions, receipts and CRM writes: a dry run records none of them (H2.7.3).
fn allocation_side(app: &TestApp) -> BoxFuture<'_, String> {
    Box::pin(async move {
        let query = DecisionQuery {
            outcome: None,
            hubspot_write: None,
            deal_id: None,
            adviser: None,
            within: chrono::TimeDelta::days(3650),
            page: 1,
            page_size: 200,
        };
        let decisions = app
            .state
            .store
            .list_decisions(query, chrono::Utc::now())
            .await
            .unwrap()
            .total;
        let writes = app.state.demo.as_ref().unwrap().crm.writes().len();
        format!("decisions={decisions} crm_writes={writes}")
    })
}

/// POST `collection`, then PUT and DELETE the created resource, each through the refusals
/// first; the created and the updated bodies.
async fn create_update_delete(
    app: &TestApp,
    collection: &str,
    create: Value,
    update: Value,
    snapshot: Snapshot,
) -> (Value, Value) {
    let who = actors(app).await;
    let case = |method: Method, path: &str, body: Option<Value>, ok: u16| Case {
        method,
        path: path.to_owned(),
        body,
        ok,
    };
    let created = refused_then_allowed(
        app,
        &who,
        &case(Method::POST, collection, Some(create), 201),
        snapshot,
    )
    .await;
    let path = format!("{collection}/{}", created["id"].as_str().unwrap());
    let updated = refused_then_allowed(
        app,
        &who,
        &case(Method::PUT, &path, Some(update), 200),
        snapshot,
    )
    .await;
    refused_then_allowed(app, &who, &case(Method::DELETE, &path, None, 204), snapshot).await;
    (created, updated)
}

#[tokio::test]
async fn closure_writes_h2_5_need_an_admin_session_and_its_csrf_token() {
    let app = TestApp::spawn().await;
    let (created, updated) = create_update_delete(
        &app,
        "/closures",
        json!({"start_date": "2031-04-18", "description": "Good Friday"}),
        json!({"end_date": "2031-04-21"}),
        closures,
    )
    .await;
    assert_eq!(created["description"], "Good Friday");
    assert_eq!(updated["end_date"], "2031-04-21");
    assert_eq!(updated["workdays"], 2);
    let id = created["id"].as_str().unwrap();
    assert!(app.state.store.get_closure(id).await.unwrap().is_none());
}

#[tokio::test]
async fn override_writes_h2_6_need_an_admin_session_and_its_csrf_token() {
    let app = TestApp::spawn().await;
    let (created, updated) = create_update_delete(
        &app,
        "/capacity_overrides",
        json!({"adviser_email": "New@Writes.Test", "effective_date": "2031-04-16",
               "client_limit_monthly": 3}),
        json!({"client_limit_monthly": 9}),
        overrides,
    )
    .await;
    assert_eq!(created["adviser_email"], "new@writes.test");
    assert_eq!(updated["client_limit_monthly"], 9);
    let id = created["id"].as_str().unwrap();
    assert!(app.state.store.get_override(id).await.unwrap().is_none());
}

#[tokio::test]
async fn the_dry_run_h2_7_3_needs_an_admin_session_and_its_csrf_token_and_records_nothing() {
    let app = TestApp::spawn().await;
    let who = actors(&app).await;
    let decision = refused_then_allowed(
        &app,
        &who,
        &Case {
            method: Method::POST,
            path: "/allocations/dry-run".into(),
            body: Some(json!({"deal_id": "9200001", "service_package": "Series A",
                              "household_type": "Couple", "agreement_start_date": "2026-11-25"})),
            ok: 200,
        },
        allocation_side,
    )
    .await;
    assert_eq!(decision["source"], "dry_run");
    assert_eq!(decision["id"], Value::Null);
    assert_eq!(allocation_side(&app).await, "decisions=0 crm_writes=0");
}

/// H2.10.4 is a page: refusals are pages (403, or 303 to the login page without a session),
/// so this route kind has its own table.
#[tokio::test]
async fn logout_h2_10_4_needs_the_session_csrf_token_and_is_post_only() {
    let app = TestApp::spawn().await;
    let admin = real_admin(&app).await;
    let employee = app.portal_user("employee1").await;
    let sessions = |user_id: i64| {
        let app = &app;
        async move { app.state.store.count_sessions(user_id).await.unwrap() }
    };
    let logout = |cred: Cred<'_>| {
        send(
            &app,
            &Case {
                method: Method::POST,
                path: "/admin/logout".into(),
                body: None,
                ok: 303,
            },
            &cred,
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf_token=")
    };
    let refusals: [(Cred<'_>, u16); 5] = [
        (Cred::Session(&admin, None), 403),
        (Cred::Session(&admin, Some("not-the-token")), 403),
        (Cred::Session(&employee, Some(&employee.csrf)), 403),
        (Cred::Nobody, 303),
        (Cred::ApiKey, 303),
    ];
    for (cred, status) in refusals {
        let r = logout(cred).send().await.unwrap();
        assert_eq!(r.status(), status);
        assert_eq!(sessions(admin.id).await, 1, "the admin is still signed in");
        assert_eq!(sessions(employee.id).await, 1);
    }
    let r = logout(Cred::Session(&admin, Some(&admin.csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin/login");
    assert_eq!(sessions(admin.id).await, 0);
    // The old cookie is worthless afterwards (S2).
    let (status, body) = status_json(
        send(
            &app,
            &Case {
                method: Method::POST,
                path: "/closures".into(),
                body: Some(json!({"start_date": "2031-04-18"})),
                ok: 201,
            },
            &Cred::Session(&admin, Some(&admin.csrf)),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
}
