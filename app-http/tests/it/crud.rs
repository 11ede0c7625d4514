//! The admin JSON routes for closures (H2.5), capacity overrides (H2.6) and the Employment Hero
//! lookups (H2.4) over a bound socket. Admin sessions are not on this branch yet, so writes are
//! set up through the store and the routes' refusals (401 without a session, 403 with a key)
//! are asserted along with "nothing was written".

use crate::support::{API_KEY, TestApp, status_json};
use chrono::{NaiveDate, Utc};
use domain::allocation::{CapacityOverride, ClientLimit, OfficeClosure};
use domain::ports::{ClosureStore, Employee, EmployeeStore, LeaveRequest, OverrideStore};
use serde_json::{Value, json};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn field(body: &Value, name: &str) -> Value {
    body["error"]["details"]["fields"][name].clone()
}

async fn closure_count(app: &TestApp) -> usize {
    app.state.store.list_closures(None).await.unwrap().len()
}

#[tokio::test]
async fn demo_closures_are_listed_sorted_with_workdays() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_with_key("/closures").await;
    assert_eq!(status, 200, "{body}");
    let list = body["closures"].as_array().unwrap();
    assert_eq!(body["count"], list.len());
    assert!(list.len() >= 4);
    let starts: Vec<&str> = list
        .iter()
        .map(|c| c["start_date"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    let shutdown = list
        .iter()
        .find(|c| c["description"] == "Christmas shutdown")
        .unwrap();
    assert_eq!(shutdown["start_date"], "2026-12-24");
    assert_eq!(shutdown["end_date"], "2027-01-02");
    assert_eq!(shutdown["tags"], json!(["office", "shutdown"]));
    // Thu 24, Fri 25, Mon 28 .. Fri 1 Jan.
    assert_eq!(shutdown["workdays"], 7);
    let created = shutdown["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
}

#[tokio::test]
async fn closures_filter_by_overlap() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .get_with_key("/closures?from=2026-12-26&to=2026-12-27")
        .await;
    assert_eq!(status, 200, "{body}");
    let list = body["closures"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|c| c["description"] == "Christmas shutdown")
    );
    for c in list {
        assert!(c["start_date"].as_str().unwrap() <= "2026-12-27");
        assert!(c["end_date"].as_str().unwrap() >= "2026-12-26");
    }
    assert!(!list.iter().any(|c| c["description"] == "Christmas Day"));

    let (status, body) = app.get_with_key("/closures?from=2026-02-30").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "validation_failed");
    assert_eq!(field(&body, "from"), "invalid_date");
    let (status, body) = app
        .get_with_key("/closures?from=2026-03-02&to=2026-03-01")
        .await;
    assert_eq!(status, 400);
    assert_eq!(field(&body, "to"), "invalid_date_range");
}

#[tokio::test]
async fn closure_get_404_and_bad_ids() {
    let app = TestApp::spawn().await;
    let stored = app
        .state
        .store
        .create_closure(
            &OfficeClosure {
                start_date: d("2025-04-18"),
                end_date: Some(d("2025-04-21")),
                description: "Easter".into(),
                tags: vec!["holiday".into()],
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let (status, body) = app.get_with_key(&format!("/closures/{}", stored.id)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], stored.id.as_str());
    assert_eq!(body["start_date"], "2025-04-18");
    assert_eq!(body["end_date"], "2025-04-21");
    assert_eq!(body["description"], "Easter");
    assert_eq!(body["workdays"], 2);

    let (status, body) = app.get_with_key("/closures/no_such_closure").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "closure_not_found");

    for bad in ["a.b", &"x".repeat(65), "a%20b"] {
        let (status, body) = app.get_with_key(&format!("/closures/{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "validation_failed");
    }

    let r = app.client.get(app.url("/closures")).send().await.unwrap();
    let (status, body) = status_json(r).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn closure_writes_need_an_admin_session() {
    let app = TestApp::spawn().await;
    let before = closure_count(&app).await;
    let id = app.state.store.list_closures(None).await.unwrap()[0]
        .id
        .clone();
    let body = json!({"start_date": "2025-04-18", "description": "x"}).to_string();
    let path = format!("/closures/{id}");
    for (method, path) in [
        (reqwest::Method::POST, "/closures"),
        (reqwest::Method::PUT, path.as_str()),
        (reqwest::Method::DELETE, path.as_str()),
    ] {
        let r = app
            .client
            .request(method.clone(), app.url(path))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (status, json) = status_json(r).await;
        assert_eq!(status, 401, "{method} {path}");
        assert_eq!(json["error"]["code"], "unauthenticated");

        let r = app
            .client
            .request(method.clone(), app.url(path))
            .header("content-type", "application/json")
            .header("x-api-key", API_KEY)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (status, json) = status_json(r).await;
        assert_eq!(status, 403, "{method} {path}");
        assert_eq!(json["error"]["code"], "forbidden");
    }
    assert_eq!(closure_count(&app).await, before);
    let still = app.state.store.get_closure(&id).await.unwrap().unwrap();
    assert_ne!(still.closure.description, "x");
}

async fn seed_overrides(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for (email, date, limit) in [
        ("zoe@crud.test", "2025-05-01", 4),
        ("amy@crud.test", "2025-06-04", 7),
        ("amy@crud.test", "2025-04-14", 5),
    ] {
        let stored = app
            .state
            .store
            .create_override(
                &CapacityOverride {
                    adviser_email: email.into(),
                    effective_date: d(date),
                    client_limit_monthly: ClientLimit::new(limit).unwrap(),
                    pod_type: Some("Team Pod".into()),
                    notes: None,
                },
                Utc::now(),
            )
            .await
            .unwrap();
        ids.push(stored.id);
    }
    ids
}

#[tokio::test]
async fn overrides_list_filter_sort_and_get() {
    let app = TestApp::spawn().await;
    let ids = seed_overrides(&app).await;

    let (status, body) = app.get_with_key("/capacity_overrides").await;
    assert_eq!(status, 200, "{body}");
    let list = body["capacity_overrides"].as_array().unwrap();
    assert_eq!(body["count"], list.len());
    let keys: Vec<(String, String)> = list
        .iter()
        .map(|o| {
            (
                o["adviser_email"].as_str().unwrap().to_owned(),
                o["effective_date"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    let (status, body) = app
        .get_with_key("/capacity_overrides?adviser_email=%20AMY@Crud.Test")
        .await;
    assert_eq!(status, 200, "{body}");
    let list = body["capacity_overrides"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["effective_date"], "2025-04-14");
    assert_eq!(list[0]["effective_week"], "2025-04-14");
    assert_eq!(list[1]["effective_date"], "2025-06-04");
    assert_eq!(list[1]["effective_week"], "2025-06-09");
    assert_eq!(list[1]["client_limit_monthly"], 7);
    assert_eq!(list[1]["pod_type"], "Team Pod");
    assert_eq!(list[1]["notes"], "");

    let (status, body) = app
        .get_with_key(&format!("/capacity_overrides/{}", ids[0]))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["adviser_email"], "zoe@crud.test");
    assert_eq!(body["effective_week"], "2025-05-05");

    let (status, body) = app.get_with_key("/capacity_overrides/missing").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "override_not_found");
    let (status, body) = app.get_with_key("/capacity_overrides/bad.id").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "validation_failed");
}

#[tokio::test]
async fn override_writes_need_an_admin_session() {
    let app = TestApp::spawn().await;
    let ids = seed_overrides(&app).await;
    let before = app.state.store.list_overrides(None).await.unwrap();
    let body = json!({"adviser_email": "new@crud.test", "effective_date": "2025-04-16",
                      "client_limit_monthly": 3})
    .to_string();
    let path = format!("/capacity_overrides/{}", ids[1]);
    for (method, path) in [
        (reqwest::Method::POST, "/capacity_overrides"),
        (reqwest::Method::PUT, path.as_str()),
        (reqwest::Method::DELETE, path.as_str()),
    ] {
        let r = app
            .client
            .request(method.clone(), app.url(path))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (status, json) = status_json(r).await;
        assert_eq!(status, 401, "{method} {path}");
        assert_eq!(json["error"]["code"], "unauthenticated");
        let r = app
            .client
            .request(method.clone(), app.url(path))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {API_KEY}"))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (status, json) = status_json(r).await;
        assert_eq!(status, 403, "{method} {path}");
        assert_eq!(json["error"]["code"], "forbidden");
    }
    assert_eq!(app.state.store.list_overrides(None).await.unwrap(), before);
}

#[tokio::test]
async fn lookups_read_the_local_store() {
    let app = TestApp::spawn().await;
    let now = Utc::now();
    let emp = |id: &str, name: &str, company: Option<&str>, account: Option<&str>| Employee {
        employee_id: id.into(),
        name: name.into(),
        company_email: company.map(String::from),
        account_email: account.map(String::from),
    };
    app.state
        .store
        .sync_employees(
            vec![
                emp("123", "Zed Young", Some("zed@firm.test"), None),
                emp(
                    "45",
                    "Amy Adams",
                    Some("amy@firm.test"),
                    Some("amy@home.test"),
                ),
            ],
            now,
        )
        .await
        .unwrap();
    let leave = |id: &str, emp: &str, start: &str, end: &str| LeaveRequest {
        leave_request_id: id.into(),
        employee_id: emp.into(),
        start_date: d(start),
        end_date: d(end),
        status: "Approved".into(),
        leave_category: Some("Annual".into()),
    };
    app.state
        .store
        .sync_leave(
            vec![
                leave("9", "45", "2025-05-01", "2025-05-02"),
                leave("8", "123", "2025-04-01", "2025-04-03"),
                leave("7", "45", "2025-03-01", "2025-03-01"),
            ],
            now,
        )
        .await
        .unwrap();

    let (status, body) = app.get_with_key("/get/employees").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 2);
    assert_eq!(body["employees"][0]["name"], "Amy Adams");
    assert_eq!(body["employees"][0]["employee_id"], "45");
    assert_eq!(body["employees"][0]["account_email"], "amy@home.test");
    assert_eq!(body["employees"][1]["company_email"], "zed@firm.test");

    let (status, body) = app.get_with_key("/get/leave_requests").await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["leave_requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["leave_request_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["7", "8", "9"]);
    assert_eq!(body["leave_requests"][1]["employee_email"], "zed@firm.test");

    let (status, body) = app
        .get_with_key("/get/leave_requests?employee_id=45&from=2025-04-01&to=2025-12-31")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 1);
    assert_eq!(body["leave_requests"][0]["leave_request_id"], "9");
    let (status, body) = app.get_with_key("/get/leave_requests?from=nope").await;
    assert_eq!(status, 400);
    assert_eq!(field(&body, "from"), "invalid_date");

    let (status, body) = app
        .get_with_key("/get/employee_id?email=%20AMY@home.test")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"employee_id": "45"}));
    let (status, body) = app.get_with_key("/get/employee_id").await;
    assert_eq!(status, 400);
    assert_eq!(field(&body, "email"), "required");
    let (status, body) = app.get_with_key("/get/employee_id?email=x@y.test").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "employee_not_found");

    let (status, body) = app
        .get_with_key("/get/employee_leave_requests?employee_id=45")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["employee_id"], "45");
    assert_eq!(body["leave_requests"].as_array().unwrap().len(), 2);
    let (status, body) = app
        .get_with_key("/get/employee_leave_requests?employee_id=999")
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "employee_not_found");
    let (status, _) = app.get_with_key("/get/employee_leave_requests").await;
    assert_eq!(status, 400);

    let (status, body) = app
        .get_with_key("/get/leave_requests_by_email?email=Zed@Firm.test")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["employee_id"], "123");
    assert_eq!(body["email"], "zed@firm.test");
    assert_eq!(body["leave_requests"][0]["leave_request_id"], "8");
    assert_eq!(body["leave_requests"][0]["start_date"], "2025-04-01");
    let (status, body) = app
        .get_with_key("/get/leave_requests_by_email?email=nobody@firm.test")
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "employee_not_found");

    let r = app
        .client
        .get(app.url("/get/employees"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn openapi_documents_the_routes() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    let (status, spec) = status_json(r).await;
    assert_eq!(status, 200);
    for path in [
        "/closures",
        "/closures/{id}",
        "/capacity_overrides",
        "/capacity_overrides/{id}",
        "/get/employees",
        "/get/leave_requests",
        "/get/employee_id",
        "/get/employee_leave_requests",
        "/get/leave_requests_by_email",
    ] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
    assert!(spec["paths"]["/closures"]["post"]["responses"]["201"].is_object());
    assert!(spec["paths"]["/closures/{id}"]["delete"]["responses"]["204"].is_object());
}
