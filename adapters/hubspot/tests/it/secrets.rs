//! style.md 9: the token never appears in `Debug` output.

use crate::support::{TOKEN, config, crm};
use wiremock::MockServer;

#[tokio::test]
async fn the_token_never_appears_in_debug_output() {
    let server = MockServer::start().await;
    let config = config(&server);
    let client = crm(&server);
    for text in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ] {
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
}

#[test]
fn bad_configurations_are_refused() {
    use hubspot::{HubSpotConfig, HubSpotConfigError, HubSpotCrm};
    let base = HubSpotConfig::new(TOKEN);
    let refused = |c: HubSpotConfig| HubSpotCrm::new(&c).unwrap_err();
    assert!(matches!(
        refused(HubSpotConfig {
            base_url: "not a url".into(),
            ..base.clone()
        }),
        HubSpotConfigError::BaseUrl(_)
    ));
    assert!(matches!(
        refused(HubSpotConfig::new("  ")),
        HubSpotConfigError::EmptyToken
    ));
    assert!(matches!(
        refused(HubSpotConfig {
            deal_owner_properties: vec![" ".into()],
            ..base.clone()
        }),
        HubSpotConfigError::NoDealOwnerProperties
    ));
    assert!(matches!(
        refused(HubSpotConfig {
            meeting_batch_size: 51,
            ..base.clone()
        }),
        HubSpotConfigError::MeetingBatchSize
    ));
    let err = refused(HubSpotConfig {
        deal_stage_ids: Vec::new(),
        ..base
    });
    assert!(!format!("{err} {err:?}").contains(TOKEN));
}
