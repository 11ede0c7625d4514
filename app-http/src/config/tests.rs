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
