//! style.md 9, security.md S10.6: client secret, tokens and verifiers never appear in `Debug`
//! output, errors or logs.

use crate::fake::{CLIENT_ID, CLIENT_SECRET, FakeEh, Route};
use crate::support::{cipher, client_with, config, connected, no_progress};
use domain::ports::{HrConnection, HrDirectory};
use employment_hero::{EhConfig, EhConfigError};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_debug_output_or_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeEh::start().await;
    fake.set_employees(150);
    fake.unauthorized_once_on_page(Route::Employees, 2);
    let (store, access, refresh) = connected(&fake, 0);
    let config = EhConfig {
        send_verifier_on_refresh: true,
        ..config(&fake)
    };
    let eh = client_with(&fake, config.clone(), Arc::clone(&store));
    eh.employees(&no_progress()).await.unwrap();
    let start = eh.begin_authorization().unwrap();
    let row = store.row().unwrap();
    let new_access = cipher().decrypt(&row.access_token_enc).unwrap();
    let new_refresh = cipher().decrypt(&row.refresh_token_enc).unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("token refreshed"),
        "the test saw the refresh: {logs}"
    );
    let shown = [
        logs,
        format!("{config:?} {config:#?}"),
        format!("{eh:?} {eh:#?}"),
        format!("{start:?} {:?} {:?}", cipher(), row),
    ];
    use secrecy::ExposeSecret;
    let secrets = [
        CLIENT_ID,
        CLIENT_SECRET,
        &access,
        &refresh,
        new_access.expose_secret(),
        new_refresh.expose_secret(),
        "SECRETVERIFIER",
        &start.state,
        "SECRETACCESS",
        "SECRETREFRESH",
    ];
    for text in &shown {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
}

#[test]
fn u0_10_settings_come_from_the_environment_and_missing_ones_are_named() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let err = EhConfig::from_lookup(env(&[])).unwrap_err();
    assert_eq!(
        err,
        EhConfigError::Missing(vec!["EH_CLIENT_ID", "EH_CLIENT_SECRET"])
    );
    assert_eq!(
        err.to_string(),
        "missing settings: EH_CLIENT_ID, EH_CLIENT_SECRET"
    );
    let err = EhConfig::from_lookup(env(&[("EH_CLIENT_ID", "id")])).unwrap_err();
    assert_eq!(err, EhConfigError::Missing(vec!["EH_CLIENT_SECRET"]));

    let dir = std::env::temp_dir().join(format!("eh-secret-{}", std::process::id()));
    std::fs::write(&dir, "from-file-s3cret\n").unwrap();
    let path: &'static str = Box::leak(dir.to_string_lossy().into_owned().into_boxed_str());
    let pairs: &'static [(&str, &str)] = Box::leak(Box::new([
        ("EH_CLIENT_ID", "id"),
        ("EH_CLIENT_SECRET_FILE", path),
        ("EH_API_BASE_URL", "http://127.0.0.1:9"),
        ("EH_ORGANISATION_ID", " o1 "),
        ("EH_SEND_VERIFIER_ON_REFRESH", "true"),
    ]));
    let config = EhConfig::from_lookup(env(pairs)).unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(config.client_secret.expose_secret(), "from-file-s3cret");
    assert_eq!(config.api_base_url, "http://127.0.0.1:9");
    assert_eq!(config.organisation_id.as_deref(), Some("o1"));
    assert!(config.send_verifier_on_refresh);
    assert_eq!(config.token_url, employment_hero::DEFAULT_TOKEN_URL);
    assert!(!format!("{config:?}").contains("s3cret"));
    let both = EhConfig::from_lookup(env(&[
        ("EH_CLIENT_ID", "id"),
        ("EH_CLIENT_SECRET", "x"),
        ("EH_CLIENT_SECRET_FILE", "/nonexistent"),
    ]))
    .unwrap_err();
    assert_eq!(both, EhConfigError::BothSet("EH_CLIENT_SECRET"));
    std::fs::remove_file(dir).unwrap();
}
