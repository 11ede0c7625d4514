//! The OpenAPI document is an artefact (style.md 8): committed at docs/openapi.json and compared
//! here, so API drift fails CI. Regenerate with `UPDATE_OPENAPI=1 cargo test -p app-http --test it openapi`.

use crate::support::TestApp;
use serde_json::Value;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");

#[tokio::test]
async fn the_openapi_document_matches_the_committed_snapshot() {
    let app = TestApp::spawn_with(&[("PUBLIC_BASE_URL", "http://localhost:8080")]).await;
    let served: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(SNAPSHOT, &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        committed == pretty,
        "docs/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test -p app-http --test it openapi and review the diff"
    );
    // Every documented error uses the uniform error body (H0.8).
    let allocate = &served["paths"]["/post/allocate"]["post"]["responses"];
    for status in ["400", "401", "413", "415", "422", "503"] {
        let schema =
            &allocate[status]["content"]["application/json; charset=utf-8"]["schema"]["$ref"];
        assert_eq!(schema, "#/components/schemas/ErrorBody", "{status}");
    }
}

#[tokio::test]
async fn docs_are_served_without_external_assets() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(app.url("/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("swagger"), "the interactive docs page");
    assert!(
        !page.contains("https://cdn") && !page.contains("unpkg.com"),
        "assets are embedded"
    );
}
