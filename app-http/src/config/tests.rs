use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_then_environment() {
    let s = Settings::from_sources(
        None,
        &env(&[
            ("PORT", "9090"),
            ("COOKIE_SECURE", "false"),
            ("HUBSPOT_TOKEN", "12345"),
        ]),
    )
    .unwrap();
    assert_eq!(s.port, 9090);
    assert!(!s.cookie_secure);
    assert_eq!(s.allocation_dedupe_days, 7);
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(s.hubspot_token.as_ref().unwrap()),
        "12345"
    );
    assert!(!s.demo_mode());
}

#[test]
fn secrets_never_print() {
    let s = Settings::from_sources(
        None,
        &env(&[
            ("HUBSPOT_TOKEN", "pat-na1-topsecret"),
            ("ADMIN_PASSWORD", "hunter2hunter2"),
            ("DATABASE_URL", "postgres://u:pw-secret@h/db"),
        ]),
    )
    .unwrap();
    let shown = format!("{s:?}");
    for secret in ["topsecret", "hunter2", "pw-secret"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn secret_files_and_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "from-file\n").unwrap();
    let p = path.to_str().unwrap();
    let s = Settings::from_sources(None, &env(&[("HUBSPOT_TOKEN_FILE", p)])).unwrap();
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(s.hubspot_token.as_ref().unwrap()),
        "from-file"
    );
    let both = Settings::from_sources(
        None,
        &env(&[("HUBSPOT_TOKEN_FILE", p), ("HUBSPOT_TOKEN", "x")]),
    );
    assert!(matches!(both, Err(ConfigError::BothSet(_))));
}

#[test]
fn bad_values_name_the_setting_not_the_value() {
    let e = Settings::from_sources(None, &env(&[("PORT", "eighty")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("PORT") && !e.contains("eighty"), "{e}");
}

#[test]
fn portal_account_settings_p0_8() {
    let d = Settings::from_sources(None, &env(&[])).unwrap();
    assert!(d.portal_registration_open);
    assert_eq!(d.portal_registration_email_domains, "");
    assert_eq!(d.upload_dir, std::path::PathBuf::from("./data/uploads"));
    assert_eq!(d.password_blocklist_file, None);
    let s = Settings::from_sources(
        None,
        &env(&[
            ("PORTAL_REGISTRATION_OPEN", "false"),
            (
                "PORTAL_REGISTRATION_EMAIL_DOMAINS",
                "example.com,corp.example",
            ),
            ("UPLOAD_DIR", "/var/lib/allot/uploads"),
            ("PASSWORD_BLOCKLIST_FILE", "/etc/allot/blocklist.txt"),
            ("ADMIN_EMAIL", "ops@example.com"),
        ]),
    )
    .unwrap();
    assert!(!s.portal_registration_open);
    assert_eq!(
        s.portal_registration_email_domains,
        "example.com,corp.example"
    );
    assert_eq!(
        s.upload_dir,
        std::path::PathBuf::from("/var/lib/allot/uploads")
    );
    assert!(s.password_blocklist_file.is_some());
    assert_eq!(s.admin_email.as_deref(), Some("ops@example.com"));
    assert!(Settings::from_sources(None, &env(&[("PORTAL_REGISTRATION_OPEN", "maybe")])).is_err());
}

/// U0.10: the Box and Employment Hero settings layer like the others; numeric-looking ids stay
/// text, secrets may come from files and never print (S10.2, S10.6).
#[test]
fn upstream_settings_are_read_by_their_environment_names() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, "k-from-file\n").unwrap();
    let s = Settings::from_sources(
        None,
        &env(&[
            ("BOX_IMPERSONATION_USER", "123456"),
            ("BOX_ACTIVE_CLIENTS_PATH", "/Clients/Active/"),
            ("BOX_TEMPLATE_PATH", "Templates/Client"),
            ("BOX_REQUEST_TIMEOUT_SECONDS", "25"),
            ("EH_ORGANISATION_ID", "9876"),
            ("EH_CLIENT_SECRET", "eh-topsecret"),
            ("DATA_ENCRYPTION_KEY_FILE", key_file.to_str().unwrap()),
        ]),
    )
    .unwrap();
    let u = &s.upstreams;
    assert_eq!(
        u.lookup("BOX_IMPERSONATION_USER").as_deref(),
        Some("123456")
    );
    assert_eq!(u.lookup("EH_ORGANISATION_ID").as_deref(), Some("9876"));
    assert_eq!(
        u.lookup("BOX_REQUEST_TIMEOUT_SECONDS").as_deref(),
        Some("25")
    );
    assert_eq!(
        u.lookup("DATA_ENCRYPTION_KEY").as_deref(),
        Some("k-from-file")
    );
    assert_eq!(
        u.box_paths(),
        Some(("Clients/Active".into(), "Templates/Client".into()))
    );
    assert_eq!(u.lookup("EH_CLIENT_ID"), None);
    let shown = format!("{s:?} {u:?}");
    assert!(
        !shown.contains("eh-topsecret") && !shown.contains("k-from-file"),
        "{shown}"
    );
    let bad = Settings::from_sources(
        None,
        &env(&[
            ("BOX_REQUEST_TIMEOUT_SECONDS", "soon"),
            ("BOX_JWT_CONFIG_PATH", "/nonexistent"),
        ]),
    )
    .unwrap();
    let u = &bad.upstreams;
    assert_eq!(
        u.lookup("BOX_REQUEST_TIMEOUT_SECONDS").as_deref(),
        Some("soon")
    );
}

#[test]
fn p0_8_job_cache_and_employer_settings() {
    let s = Settings::from_sources(None, &env(&[])).unwrap();
    let policy = s.job_cache_policy().unwrap();
    assert_eq!(policy.ttl.num_seconds(), 900);
    assert_eq!(policy.failure_backoff.num_seconds(), 60);
    assert_eq!(policy.archive_after.num_days(), 30);
    assert!(matches!(
        s.employer_mode().unwrap(),
        employer_api::EmployerMode::Fixture
    ));
    for (key, bad) in [
        ("JOB_CACHE_TTL_SECS", "59"),
        ("JOB_CACHE_TTL_SECS", "86401"),
        ("JOB_ARCHIVE_DAYS", "0"),
    ] {
        let s = Settings::from_sources(None, &env(&[(key, bad)])).unwrap();
        let e = s.job_cache_policy().unwrap_err().to_string();
        assert!(e.contains(key), "{e}");
    }
    let s = Settings::from_sources(None, &env(&[("EMPLOYER_API_TIMEOUT", "61")])).unwrap();
    assert!(s.employer_mode().is_err());
    let live = Settings::from_sources(
        None,
        &env(&[
            ("EMPLOYER_API_BASE_URL", "http://127.0.0.1:9"),
            ("EMPLOYER_API_KEY", "k-secret-123"),
        ]),
    )
    .unwrap();
    assert!(!format!("{live:?}").contains("k-secret-123"));
    match live.employer_mode().unwrap() {
        employer_api::EmployerMode::Live(config) => assert!(config.has_api_key()),
        other => panic!("{other:?}"),
    }
    let off = Settings::from_sources(
        None,
        &env(&[
            ("EMPLOYER_API_BASE_URL", "http://127.0.0.1:9"),
            ("EMPLOYER_API_ENABLED", "false"),
        ]),
    )
    .unwrap();
    assert!(matches!(
        off.employer_mode().unwrap(),
        employer_api::EmployerMode::Fixture
    ));
    // P6.2: production refuses an implicit fixture mode.
    let prod = Settings::from_sources(None, &env(&[("APP_ENV", "production")])).unwrap();
    assert!(prod.employer_mode().is_err());
}
