//! The profile and its photo over HTTP (http-api.md H4.2; portal.md P4, P11 scenarios 4–5;
//! security.md S6).

use crate::portal_accounts::register;
use crate::portal_client::PortalUser;
use crate::support::{TestApp, status_json};
use base64::Engine;
use serde_json::{Value, json};

/// A real 1×1 PNG.
const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(PNG_1X1)
        .unwrap()
}

fn complete_profile() -> Value {
    json!({
        "skills": [" cooking , Food Safety, cooking,Food Safety "],
        "certifications": ["Food Handler Certification"],
        "resume_link": "https://example.com/cv.pdf",
        "experience": "5y"
    })
}

/// POSTs one multipart part `photo` named `filename` as `user`.
async fn upload(app: &TestApp, user: &PortalUser, filename: &str, bytes: &[u8]) -> (u16, Value) {
    let boundary = "allot-test-boundary-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let resp = app
        .write_as(user, reqwest::Method::POST, "/api/portal/profile/photo")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    status_json(resp).await
}

fn photo_files(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.dir().join("uploads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.len() == 36
                && n.ends_with(".png")
                && n[..32].chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        })
        .collect()
}

#[tokio::test]
async fn scenario_4_normalisation_and_completeness_p4_2_p4_4() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    let brett = register(&app, "brett").await;

    let (status, empty) = app.get_json_as(&alex, "/api/portal/profile").await;
    assert_eq!(status, 200);
    assert_eq!(empty["completeness"]["complete"], false);
    assert_eq!(
        empty["completeness"]["missing"],
        json!(["resume_link", "experience", "skills", "certifications"])
    );
    assert_eq!(empty["updated_at"], Value::Null);
    assert_eq!(empty["skills"], json!([]));

    let (status, saved) = app
        .put_json_as(&alex, "/api/portal/profile", complete_profile())
        .await;
    assert_eq!(status, 200, "{saved}");
    let (_, read) = app.get_json_as(&alex, "/api/portal/profile").await;
    assert_eq!(read["skills"], json!(["Food Safety", "cooking"]));
    assert_eq!(read["completeness"]["complete"], true);
    assert_eq!(read["completeness"]["missing"], json!([]));
    assert_eq!(read["user_id"], alex.id);
    assert!(read["updated_at"].as_str().unwrap().ends_with('Z'));

    let mut brett_profile = complete_profile();
    brett_profile["skills"] = json!([",,,"]);
    let (status, brett_view) = app
        .put_json_as(&brett, "/api/portal/profile", brett_profile)
        .await;
    assert_eq!(status, 200);
    assert_eq!(brett_view["completeness"]["complete"], false);
    assert_eq!(brett_view["completeness"]["missing"], json!(["skills"]));

    let (status, bad) = app
        .put_json_as(&brett, "/api/portal/profile", json!({"skills": "cooking"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        bad["error"]["details"]["fields"]["skills"],
        "invalid_format"
    );
}

#[tokio::test]
async fn scenario_5_link_and_photo_validation_p2_6_p4_6_p4_7() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    let brett = register(&app, "brett").await;

    for link in [
        "javascript://example.com/%0Aalert(1)",
        "ftp://example.com/cv",
    ] {
        let (status, body) = app
            .put_json_as(&alex, "/api/portal/profile", json!({"resume_link": link}))
            .await;
        assert_eq!(status, 400, "{link}");
        assert_eq!(
            body["error"]["details"]["fields"]["resume_link"],
            "invalid_url"
        );
    }

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let (status, body) = upload(&app, &alex, "me.svg", svg).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let (status, _) = upload(&app, &alex, "me.png", b"just some text, honestly").await;
    assert_eq!(status, 415);
    let mut big = png();
    big.resize(5_242_881, 0);
    let (status, body) = upload(&app, &alex, "big.png", &big).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    assert!(photo_files(&app).is_empty());

    let (status, profile) = upload(&app, &alex, "me.PNG", &png()).await;
    assert_eq!(status, 200, "{profile}");
    let url = profile["photo_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("/api/portal/users/{}/photo?v=", alex.id)));
    let first = photo_files(&app);
    assert_eq!(first.len(), 1);
    assert!(url.ends_with(&first[0][..8]));

    let (status, _) = upload(&app, &alex, "again.png", &png()).await;
    assert_eq!(status, 200);
    let second = photo_files(&app);
    assert_eq!(second.len(), 1, "the replaced file is deleted");
    assert_ne!(second, first);

    let photo = app.get_as(&brett, &url).send().await.unwrap();
    assert_eq!(photo.status(), 200);
    let headers = photo.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-disposition"],
        "inline; filename=\"photo.png\""
    );
    assert_eq!(headers["cache-control"], "private, max-age=300");
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    assert!(photo.bytes().await.unwrap().starts_with(&png()[..8]));
    let anonymous = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn deleting_the_profile_or_photo_removes_the_file_p4_5() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    app.put_json_as(&alex, "/api/portal/profile", complete_profile())
        .await;
    assert_eq!(upload(&app, &alex, "me.png", &png()).await.0, 200);
    let (status, _) = app
        .send_as(&alex, reqwest::Method::DELETE, "/api/portal/profile/photo")
        .await;
    assert_eq!(status, 204);
    assert!(photo_files(&app).is_empty());
    let (_, profile) = app.get_json_as(&alex, "/api/portal/profile").await;
    assert_eq!(profile["photo_url"], Value::Null);
    assert_eq!(
        profile["completeness"]["complete"], true,
        "a photo is not required"
    );

    assert_eq!(upload(&app, &alex, "me.png", &png()).await.0, 200);
    let (status, _) = app
        .send_as(&alex, reqwest::Method::DELETE, "/api/portal/profile")
        .await;
    assert_eq!(status, 204);
    assert!(photo_files(&app).is_empty());
    let (_, profile) = app.get_json_as(&alex, "/api/portal/profile").await;
    assert_eq!(profile["updated_at"], Value::Null);
    let (status, _) = app
        .send_as(&alex, reqwest::Method::DELETE, "/api/portal/profile")
        .await;
    assert_eq!(status, 204, "deleting a missing profile");
}

#[tokio::test]
async fn photos_of_users_without_one_are_404_and_anonymous_is_401_s7() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    let brett = register(&app, "brett").await;
    for path in [
        format!("/api/portal/users/{}/photo", brett.id),
        "/api/portal/users/999999/photo".to_owned(),
    ] {
        let (status, body) = app.get_json_as(&alex, &path).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("photo_not_found"))
        );
    }
    let (status, _) = app.get_json_as(&alex, "/api/portal/users/abc/photo").await;
    assert_eq!(status, 400);
    for path in ["/api/portal/profile", "/api/portal/users"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
}

#[tokio::test]
async fn the_21st_upload_in_an_hour_is_refused_s3_3() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    for _ in 0..20 {
        assert_eq!(upload(&app, &alex, "me.png", &png()).await.0, 200);
    }
    let (status, body) = upload(&app, &alex, "me.png", &png()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert_eq!(
        photo_files(&app).len(),
        1,
        "one current photo, the rest deleted"
    );
}

#[tokio::test]
async fn a_body_over_6_mib_is_refused_before_reading_it_p4_6_1() {
    let app = TestApp::spawn().await;
    let alex = register(&app, "alex").await;
    let mut huge = png();
    huge.resize(6_291_457, 0);
    let (status, body) = upload(&app, &alex, "huge.png", &huge).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    let (status, _) = app.get_json_as(&alex, "/api/portal/profile").await;
    assert_eq!(status, 200, "the server is fine afterwards");
}
