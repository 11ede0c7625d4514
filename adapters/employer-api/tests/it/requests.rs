//! U5.1–U5.3: the requests the client sends and how it reads the answers.

use crate::support::{FIXTURE_JOBS, KEY, Op, application, body, client, config, header, requests};
use chrono::{DateTime, Utc};
use domain::ports::{EmployerApi, UpstreamApplicationId, UpstreamJob};
use employer_api::{EmployerApiClient, EmployerApiConfig};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn at(text: &str) -> Option<DateTime<Utc>> {
    Some(text.parse().unwrap())
}

#[tokio::test]
async fn u5_1_every_call_asks_for_json_and_carries_the_key() {
    let server = MockServer::start().await;
    for op in [Op::ListJobs, Op::Post, Op::Find] {
        op.mount(&server, op.success(), 0).await;
    }
    let client = client(&server);
    for op in [Op::ListJobs, Op::Post, Op::Find] {
        op.run(&client).await.unwrap();
    }
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    for r in &sent {
        assert_eq!(header(r, "accept"), Some("application/json"), "{}", r.url);
        assert_eq!(header(r, "x-api-key"), Some(KEY), "{}", r.url);
        assert!(header(r, "authorization").is_none());
        assert!(header(r, "user-agent").unwrap().contains('/'), "U0.1");
    }
    assert!(client.can_find_applications());
}

#[tokio::test]
async fn u5_1_without_a_key_no_key_header_is_sent() {
    let server = MockServer::start().await;
    Op::ListJobs.mount(&server, Op::ListJobs.success(), 0).await;
    for config in [
        EmployerApiConfig {
            api_key: None,
            ..config(&server)
        },
        config(&server).with_api_key("   "),
    ] {
        let client = EmployerApiClient::new(&config).unwrap();
        client.list_jobs().await.unwrap();
        assert!(
            !client.can_find_applications(),
            "P7.8: no lookup without a key"
        );
    }
    for r in requests(&server).await {
        assert!(header(&r, "x-api-key").is_none());
        assert_eq!(header(&r, "accept"), Some("application/json"));
    }
}

#[tokio::test]
async fn u5_2_the_fixture_body_reads_as_the_15_jobs_in_order() {
    let server = MockServer::start().await;
    Op::ListJobs.mount(&server, Op::ListJobs.success(), 0).await;
    let jobs = client(&server).list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 15);
    let ids: Vec<i64> = jobs.iter().map(|j| j.id.unwrap()).collect();
    assert_eq!(
        ids,
        [
            1013, 1007, 1008, 1014, 1003, 1009, 1015, 1001, 1004, 1010, 1011, 1005, 1012, 1002,
            1006
        ]
    );
    assert!(jobs.windows(2).all(|w| w[0].posted_at > w[1].posted_at));
    let sous = jobs.iter().find(|j| j.id == Some(1001)).unwrap();
    assert_eq!(sous.title.as_deref(), Some("Sous Chef"));
    assert_eq!(sous.role.as_deref(), Some("Chef"));
    assert_eq!(sous.company, "Harbour Kitchen Co");
    assert_eq!(sous.location.as_deref(), Some("Sydney NSW"));
    assert_eq!(
        sous.required_skills,
        ["Cooking", "Food Safety", "Inventory Management"]
    );
    assert_eq!(sous.required_certifications, ["Food Handler Certification"]);
    assert_eq!(sous.posted_at, at("2025-11-11T10:30:00Z"));
    let sent = requests(&server).await;
    assert_eq!(sent[0].method.as_str(), "GET");
    assert_eq!(sent[0].url.path(), "/jobs");
    assert_eq!(sent[0].url.query(), None);
    assert!(sent[0].body.is_empty());
    assert!(jobs.iter().all(|j| j.description.chars().count() <= 300));
    assert!(FIXTURE_JOBS.ends_with("]\n"));
}

#[tokio::test]
async fn u5_2_posted_at_without_zone_or_with_utc_offset_and_lenient_items() {
    let server = MockServer::start().await;
    let listing = json!([
        {"id": 2001, "title": "A", "role": "Chef", "location": "Perth WA",
         "posted_at": "2025-11-11T10:30:00"},
        {"id": "2002", "title": "B", "role": "Chef", "location": "Perth WA", "company": null,
         "posted_at": "2025-11-11T10:30:00+00:00", "required_skills": ["Cooking", 5, null, " Driving "],
         "required_certifications": "none"},
        {"id": -3, "title": 7, "posted_at": "yesterday"},
        "not an object"
    ]);
    Op::ListJobs
        .mount(
            &server,
            ResponseTemplate::new(200).set_body_json(listing),
            1,
        )
        .await;
    let jobs = client(&server).list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 4, "items are the sync's to judge (P6.5)");
    assert_eq!(jobs[0].posted_at, at("2025-11-11T10:30:00Z"));
    assert_eq!(jobs[1].posted_at, at("2025-11-11T10:30:00Z"));
    assert_eq!(jobs[1].id, Some(2002));
    assert_eq!(jobs[1].company, "");
    assert_eq!(jobs[1].required_skills, ["Cooking", " Driving "]);
    assert!(jobs[1].required_certifications.is_empty());
    let unusable = UpstreamJob {
        id: None,
        title: None,
        role: None,
        location: None,
        company: String::new(),
        description: String::new(),
        required_skills: Vec::new(),
        required_certifications: Vec::new(),
        posted_at: None,
    };
    assert_eq!(jobs[2], unusable);
    assert_eq!(jobs[3], unusable);
}

#[tokio::test]
async fn u5_3_the_post_sends_exactly_the_six_fields_and_the_idempotency_key() {
    let server = MockServer::start().await;
    Op::Post.mount(&server, Op::Post.success(), 0).await;
    let id = client(&server)
        .post_application(&application(), "portal-application-9")
        .await
        .unwrap();
    assert_eq!(id, UpstreamApplicationId(42));
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/applications");
    assert_eq!(r.url.query(), None);
    assert_eq!(header(r, "idempotency-key"), Some("portal-application-9"));
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(
        body(r),
        json!({"job_id": 1001, "user_id": 7, "resume_link": "https://example.com/cv/7.pdf",
               "skills": ["Cooking", "Food Safety"],
               "certifications": ["Food Handler Certification"],
               "cover_letter": "I would love to join the team."})
    );
    // The fields in the spec's order, nothing else.
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"job_id":1001,"user_id":7,"resume_link":"https://example.com/cv/7.pdf","skills":["Cooking","Food Safety"],"certifications":["Food Handler Certification"],"cover_letter":"I would love to join the team."}"#
    );
}

#[tokio::test]
async fn u5_3_the_lookup_filters_by_job_and_user_and_reads_the_applications() {
    let server = MockServer::start().await;
    let found = json!([
        {"id": 43, "job_id": 1001, "user_id": 7, "resume_link": "https://example.com/cv/7.pdf",
         "skills": ["Cooking"], "certifications": [], "cover_letter": "",
         "created_at": "2025-11-14T09:00:00"},
        {"id": 42, "job_id": 1001, "user_id": 7, "resume_link": "https://example.com/old.pdf",
         "skills": [], "certifications": [], "cover_letter": "Hi",
         "created_at": "2025-11-13T09:00:00+00:00"}
    ]);
    Mock::given(method("GET"))
        .and(path("/applications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(found))
        .mount(&server)
        .await;
    let apps = client(&server).find_applications(1001, 7).await.unwrap();
    assert_eq!(apps.len(), 2);
    assert_eq!(apps[0].id, UpstreamApplicationId(43));
    assert_eq!(apps[0].resume_link, "https://example.com/cv/7.pdf");
    assert_eq!(apps[0].skills, ["Cooking"]);
    assert_eq!(apps[0].created_at, at("2025-11-14T09:00:00Z"));
    assert_eq!(apps[1].cover_letter, "Hi");
    assert_eq!(apps[1].created_at, at("2025-11-13T09:00:00Z"));
    let sent = requests(&server).await;
    assert_eq!(sent[0].url.path(), "/applications");
    assert_eq!(sent[0].url.query(), Some("job_id=1001&user_id=7"));
    assert!(sent[0].body.is_empty());
}

#[tokio::test]
async fn u5_3_a_lookup_item_without_ids_is_an_invalid_response() {
    let server = MockServer::start().await;
    let broken = json!([{"id": 42, "job_id": "x", "user_id": 7}]);
    Op::Find
        .mount(&server, ResponseTemplate::new(200).set_body_json(broken), 5)
        .await;
    let err = client(&server)
        .find_applications(1001, 7)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_response", "{err:?}");
}

#[tokio::test]
async fn u0_1_a_base_url_with_a_path_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    for base in ["/api/v1", "/api/v1/"] {
        let client = EmployerApiClient::new(&EmployerApiConfig {
            base_url: format!("{}{base}", server.uri()),
            ..config(&server)
        })
        .unwrap();
        assert!(client.list_jobs().await.unwrap().is_empty());
    }
}
