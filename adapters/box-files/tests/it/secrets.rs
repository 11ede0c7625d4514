//! security.md S10.6: the client secret, the private key, the passphrase, assertions and access
//! tokens never appear in `Debug` output or error messages; U3.1 start-up failures.

use crate::support::*;
use box_files::{BoxConfig, BoxConfigError, BoxFiles, BoxJwtCredentials, CredentialsError};
use domain::ports::FolderStore;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn assert_clean(text: &str) {
    for secret in [
        CLIENT_SECRET,
        PASSPHRASE,
        ACCESS_TOKEN,
        "s3cr3t",
        "PRIVATE KEY",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // A line of the base64 key body.
    let key_line = ENCRYPTED_KEY.lines().nth(3).unwrap();
    assert!(!text.contains(key_line), "key material leaked: {text}");
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output() {
    let server = fake_box().await;
    Mock::given(method("GET"))
        .and(path("/2.0/folders/0/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 0, "entries": []
        })))
        .mount(&server)
        .await;
    let config = config(&server);
    let files = client(&server);
    // After a call the client holds a token and the signer.
    let _ = files.resolve_path("Clients").await;
    let texts = [
        format!("{:?}", config.credentials),
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{files:?}"),
        format!("{files:#?}"),
    ];
    for text in &texts {
        assert_clean(text);
        assert!(text.contains("[redacted]"), "{text}");
    }
    assert!(texts[4].contains("AccessToken") || texts[4].contains("TokenSource"));
}

#[test]
fn a_wrong_passphrase_fails_at_start_up_without_key_material() {
    let creds = BoxJwtCredentials::from_json(&jwt_json("wrong-passphrase")).unwrap();
    let err = BoxFiles::new(&BoxConfig::new(creds)).unwrap_err();
    assert!(matches!(
        err,
        BoxConfigError::Credentials(CredentialsError::Decrypt)
    ));
    assert_clean(&format!("{err} {err:?}"));
}

#[test]
fn broken_credentials_are_named_not_printed() {
    let err =
        BoxJwtCredentials::from_json("{\"boxAppSettings\": 1, \"x\": \"s3cr3t\"}").unwrap_err();
    assert!(matches!(err, CredentialsError::Json(_)));
    assert_clean(&format!("{err} {err:?}"));

    let json = jwt_json(PASSPHRASE).replace(CLIENT_SECRET, "");
    assert_eq!(
        BoxJwtCredentials::from_json(&json).unwrap_err(),
        CredentialsError::Missing("boxAppSettings.clientSecret")
    );

    let json = jwt_json(PASSPHRASE).replace("ENCRYPTED PRIVATE KEY", "PRIVATE KEY");
    let creds = BoxJwtCredentials::from_json(&json).unwrap();
    let err = BoxFiles::new(&BoxConfig::new(creds)).unwrap_err();
    assert!(matches!(
        err,
        BoxConfigError::Credentials(CredentialsError::KeyFormat)
    ));
}

#[test]
fn configuration_from_the_environment() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert!(
        BoxConfig::from_env(env(&[])).unwrap().is_none(),
        "not configured"
    );
    let json: &'static str = Box::leak(jwt_json(PASSPHRASE).into_boxed_str());
    let pairs: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        ("BOX_JWT_CONFIG_JSON", json),
        ("BOX_IMPERSONATION_USER", " ops@example.com "),
        ("BOX_METADATA_SCOPE", "enterprise_1"),
        ("BOX_METADATA_TEMPLATE_KEY", "clientFolder"),
        (
            "BOX_METADATA_FIELD_MAP",
            r#"{"hs_deal_record_id": "dealId"}"#,
        ),
        ("BOX_REQUEST_TIMEOUT_SECONDS", "25"),
    ]));
    let config = BoxConfig::from_env(env(pairs)).unwrap().unwrap();
    assert_eq!(
        config.impersonation_user.as_deref(),
        Some("ops@example.com")
    );
    assert!(config.metadata_configured());
    assert_eq!(
        config.metadata_key(domain::ports::MetadataField::HsDealRecordId),
        "dealId"
    );
    assert_eq!(config.request_timeout.as_secs(), 25);
    assert_clean(&format!("{config:?}"));

    let both: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        ("BOX_JWT_CONFIG_JSON", json),
        ("BOX_JWT_CONFIG_PATH", "/nonexistent"),
    ]));
    assert!(matches!(
        BoxConfig::from_env(env(both)),
        Err(BoxConfigError::BothConfigSources)
    ));
    let bad_map: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        ("BOX_JWT_CONFIG_JSON", json),
        ("BOX_METADATA_FIELD_MAP", r#"{"nope": "x"}"#),
    ]));
    assert!(matches!(
        BoxConfig::from_env(env(bad_map)),
        Err(BoxConfigError::FieldMap(_))
    ));
}
