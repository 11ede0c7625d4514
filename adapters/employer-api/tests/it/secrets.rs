//! security.md S10: the API key never appears in `Debug` output, errors or logs; P0.8 variables.

use crate::support::{KEY, Op, client, config, error_body};
use employer_api::{EmployerApiClient, EmployerApiConfig, EmployerConfigError, EmployerMode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::MockServer;

#[tokio::test]
async fn the_key_never_appears_in_debug_output() {
    let server = MockServer::start().await;
    let config = config(&server);
    let client = client(&server);
    let mode = EmployerMode::Live(config.clone());
    for text in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{mode:?}"),
    ] {
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
}

/// Every log line of the calls below, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<String>>);

impl tracing::field::Visit for Captured {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let line = format!("{}={value:?} ", field.name());
        self.0.lock().unwrap().push_str(&line);
    }
}

impl tracing::Subscriber for Captured {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut self.clone());
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut self.clone());
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        event.record(&mut self.clone());
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn the_key_never_appears_in_logs_or_errors() {
    let server = MockServer::start().await;
    Op::Post.mount(&server, error_body(401, "bad key"), 1).await;
    Op::Find.mount(&server, error_body(500, KEY), 3).await;
    Op::ListJobs.mount(&server, Op::ListJobs.success(), 0).await;
    let logs = Captured::default();
    let _guard = tracing::subscriber::set_default(logs.clone());
    let client = client(&server);
    let mut errors = String::new();
    for op in [Op::Post, Op::Find, Op::ListJobs] {
        if let Err(e) = op.run(&client).await {
            errors.push_str(&format!("{e} {e:?} "));
        }
    }
    let logged = logs.0.lock().unwrap().clone();
    assert!(
        logged.contains("upstream call"),
        "the calls were logged: {logged}"
    );
    assert!(!logged.contains(KEY), "{logged}");
    assert!(!errors.contains(KEY), "{errors}");
}

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn p0_8_modes_and_variables() {
    assert!(matches!(
        EmployerMode::from_vars(vars(&[])).unwrap(),
        EmployerMode::Fixture
    ));
    let disabled = vars(&[
        ("EMPLOYER_API_BASE_URL", "https://jobs.example.com"),
        ("EMPLOYER_API_ENABLED", "false"),
    ]);
    assert!(matches!(
        EmployerMode::from_vars(disabled).unwrap(),
        EmployerMode::Fixture
    ));
    let live = vars(&[
        ("EMPLOYER_API_BASE_URL", "https://jobs.example.com"),
        ("EMPLOYER_API_KEY", KEY),
        ("EMPLOYER_API_TIMEOUT", "20"),
    ]);
    let EmployerMode::Live(config) = EmployerMode::from_vars(live).unwrap() else {
        panic!("live");
    };
    assert_eq!(config.base_url, "https://jobs.example.com");
    assert!(config.has_api_key());
    assert_eq!(config.request_timeout, Duration::from_secs(20));
    assert_eq!(config.call_deadline, Duration::from_secs(25));
    assert_eq!(config.backoff_cap, Duration::from_secs(4));
    assert_eq!((config.requests_per_sec, config.burst), (10, 20));
    for (name, value) in [
        ("EMPLOYER_API_TIMEOUT", "0"),
        ("EMPLOYER_API_TIMEOUT", "61"),
        ("EMPLOYER_API_TIMEOUT", "ten"),
        ("EMPLOYER_API_ENABLED", "maybe"),
    ] {
        let bad = vars(&[
            ("EMPLOYER_API_BASE_URL", "https://x.example"),
            (name, value),
        ]);
        let err = EmployerMode::from_vars(bad).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn bad_configurations_are_refused_without_printing_values() {
    let refused = |c: EmployerApiConfig| EmployerApiClient::new(&c).unwrap_err();
    assert!(matches!(
        refused(EmployerApiConfig::new("not a url")),
        EmployerConfigError::BaseUrl
    ));
    assert!(matches!(
        refused(EmployerApiConfig::new("ftp://x.example")),
        EmployerConfigError::BaseUrl
    ));
    let err = refused(EmployerApiConfig::new("https://x.example").with_api_key("s3cr3t\nkey"));
    assert!(matches!(err, EmployerConfigError::ApiKey));
    assert!(!format!("{err} {err:?}").contains("s3cr3t"));
}
