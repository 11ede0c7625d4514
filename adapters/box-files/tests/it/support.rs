//! What every story needs: the test app's credentials, a fake Box with a token endpoint, a client
//! pointed at it with fast retries, and the requests the fake received.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use box_files::{BoxConfig, BoxFiles, BoxJwtCredentials};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A test-only key pair made with `openssl` (never used anywhere else): the PKCS#8 key encrypted
/// with AES-256-CBC / PBKDF2, and its public half as PKCS#1 DER.
pub const ENCRYPTED_KEY: &str = include_str!("../keys/box_test_key.enc.pem");
pub const PUBLIC_KEY_DER: &[u8] = include_bytes!("../keys/box_test_key.pub.der");
pub const PASSPHRASE: &str = "test-passphrase-0000";
pub const CLIENT_ID: &str = "client-id-abc";
pub const CLIENT_SECRET: &str = "client-SECRET-s3cr3t";
pub const KEY_ID: &str = "kid-1234";
pub const ENTERPRISE_ID: &str = "998877";
pub const ACCESS_TOKEN: &str = "access-TOKEN-s3cr3t-1";
pub const TOKEN_PATH: &str = "/oauth2/token";

pub fn jwt_json(passphrase: &str) -> String {
    serde_json::json!({
        "boxAppSettings": {
            "clientID": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "appAuth": {"publicKeyID": KEY_ID, "privateKey": ENCRYPTED_KEY, "passphrase": passphrase}
        },
        "enterpriseID": ENTERPRISE_ID
    })
    .to_string()
}

pub fn credentials() -> BoxJwtCredentials {
    BoxJwtCredentials::from_json(&jwt_json(PASSPHRASE)).unwrap()
}

/// The defaults pointed at the fake, with retries and waits in milliseconds, metadata configured.
pub fn config(server: &MockServer) -> BoxConfig {
    BoxConfig {
        api_base_url: format!("{}/2.0", server.uri()),
        token_url: format!("{}{TOKEN_PATH}", server.uri()),
        metadata_scope: "enterprise_998877".into(),
        metadata_template_key: "clientFolder".into(),
        request_timeout: Duration::from_millis(500),
        copy_timeout: Duration::from_millis(500),
        token_timeout: Duration::from_millis(500),
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
        ..BoxConfig::new(credentials())
    }
}

pub fn client(server: &MockServer) -> BoxFiles {
    BoxFiles::new(&config(server)).unwrap()
}

pub fn token_answer(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": token, "expires_in": 3600, "token_type": "bearer", "restricted_to": []
    }))
}

/// A fake Box whose token endpoint hands out [`ACCESS_TOKEN`].
pub async fn fake_box() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer(ACCESS_TOKEN))
        .mount(&server)
        .await;
    server
}

pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

/// The requests other than token requests.
pub async fn api_requests(server: &MockServer) -> Vec<Request> {
    let mut all = requests(server).await;
    all.retain(|r| r.url.path() != TOKEN_PATH);
    all
}

pub async fn token_requests(server: &MockServer) -> Vec<Request> {
    let mut all = requests(server).await;
    all.retain(|r| r.url.path() == TOKEN_PATH);
    all
}

pub fn header_of<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).map(|v| v.to_str().unwrap())
}

pub fn body(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// The form fields of a token request.
pub fn form(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A JWT's header and claims, after checking its RS256 signature with the public key.
pub fn verified_jwt(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        PUBLIC_KEY_DER,
    )
    .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
    .expect("the assertion's signature verifies with the app's public key");
    let decode = |p: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
    (decode(parts[0]), decode(parts[1]))
}

/// A Box error envelope (U3.7).
pub fn box_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "type": "error", "status": status, "code": code, "message": "fake says no",
        "help_url": "https://developer.box.com/", "request_id": "req-1"
    }))
}
