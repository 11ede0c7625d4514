//! The Box folder webhook's wiring (http-api.md H2.2): live Box (`box-files`, U3) with HubSpot's
//! contacts (U1.7), or in demo mode the recording Box fake and in-memory contacts. Box is left
//! unconfigured (503 `not_configured`) when its credentials or folder paths are missing or the
//! key does not decrypt; the reason is logged without any key material.

use crate::config::Settings;
use domain::ports::{Contacts, FolderStore};
use domain::usecase::box_folder::FolderSettings;
use offline_fakes::{MemoryContacts, RecordingBox};
use std::sync::Arc;

/// The demo Box's folders when the paths are not configured.
pub const DEMO_ACTIVE_CLIENTS_PATH: &str = "Clients/Active";
pub const DEMO_TEMPLATE_PATH: &str = "Templates/Client";

/// The ports of the Box folder use case.
pub struct Folders {
    pub files: Arc<dyn FolderStore>,
    pub contacts: Arc<dyn Contacts>,
    pub settings: FolderSettings,
    /// Demo mode: the fakes themselves, so tests and the log can show what was recorded.
    pub demo_box: Option<Arc<RecordingBox>>,
    pub demo_contacts: Option<Arc<MemoryContacts>>,
    /// Live Box's circuit breaker, for `/readyz` (`None`: the demo fake).
    pub breaker: Option<Arc<dyn crate::routes::service::BreakerReport>>,
}

impl std::fmt::Debug for Folders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Folders")
            .field("settings", &self.settings)
            .field("demo", &self.demo_box.is_some())
            .finish_non_exhaustive()
    }
}

/// Demo mode: an in-memory Box holding the two folder paths, and no CRM contacts.
pub fn demo(settings: &Settings) -> Folders {
    let (active, template) = settings.upstreams.box_paths().unwrap_or_else(|| {
        (
            DEMO_ACTIVE_CLIENTS_PATH.to_owned(),
            DEMO_TEMPLATE_PATH.to_owned(),
        )
    });
    let fake = Arc::new(RecordingBox::with_paths(&[&active, &template]));
    let contacts = Arc::new(MemoryContacts::default());
    Folders {
        files: fake.clone(),
        contacts: contacts.clone(),
        settings: FolderSettings::new(active, template),
        demo_box: Some(fake),
        demo_contacts: Some(contacts),
        breaker: None,
    }
}

/// Live mode: `None` (with a log line) when Box cannot be used.
pub fn live(settings: &Settings, contacts: Arc<dyn Contacts>) -> Option<Folders> {
    let upstreams = &settings.upstreams;
    let config = match box_files::BoxConfig::from_env(|name| upstreams.lookup(name)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            tracing::info!("Box is not configured (BOX_JWT_CONFIG_JSON / BOX_JWT_CONFIG_PATH)");
            return None;
        }
        Err(e) => {
            tracing::error!(error = %e, "Box is not configured");
            return None;
        }
    };
    let Some((active, template)) = upstreams.box_paths() else {
        tracing::error!(
            "Box is not configured: BOX_ACTIVE_CLIENTS_PATH and BOX_TEMPLATE_PATH are required"
        );
        return None;
    };
    match box_files::BoxFiles::new(&config).map(Arc::new) {
        Ok(files) => Some(Folders {
            files: files.clone(),
            contacts,
            settings: FolderSettings::new(active, template),
            demo_box: None,
            demo_contacts: None,
            breaker: Some(files),
        }),
        Err(e) => {
            tracing::error!(error = %e, "Box is not configured");
            None
        }
    }
}
