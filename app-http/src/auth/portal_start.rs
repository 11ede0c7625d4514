//! Start-up of the account side of the portal: the registration rules from the configuration
//! (P0.8, S1.4), the photo directory (S6.3) and its orphan sweep (P4.7).

use crate::config::{ConfigError, Settings};
use crate::state::StartError;
use chrono::{DateTime, Utc};
use domain::portal::fields::{EmailDomains, RegistrationRules};
use domain::portal::password::PasswordBlocklist;
use domain::usecase::portal::profile::Profiles;
use photo_store::DiskPhotoStore;
use sql_store::SqlStore;

/// `PORTAL_REGISTRATION_EMAIL_DOMAINS` and `PASSWORD_BLOCKLIST_FILE` (read once).
pub fn registration_rules(settings: &Settings) -> Result<RegistrationRules, StartError> {
    let blocklist = match &settings.password_blocklist_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|_| {
                ConfigError::Invalid("PASSWORD_BLOCKLIST_FILE cannot be read".into())
            })?;
            PasswordBlocklist::from_lines(&text)
        }
        None => PasswordBlocklist::default(),
    };
    Ok(RegistrationRules {
        email_domains: EmailDomains::parse(&settings.portal_registration_email_domains),
        blocklist,
    })
}

/// `UPLOAD_DIR`, created with mode 0700 (S6.3).
pub fn open_photos(settings: &Settings) -> Result<DiskPhotoStore, StartError> {
    DiskPhotoStore::open(&settings.upload_dir)
        .map_err(|_| ConfigError::Invalid("UPLOAD_DIR cannot be created".into()).into())
}

/// P4.7: deletes unreferenced photo files older than an hour. A failure is logged only (the
/// next start sweeps again).
pub async fn sweep_photos(store: &SqlStore, photos: &DiskPhotoStore, now: DateTime<Utc>) {
    match Profiles::new(store.clone(), photos.clone())
        .sweep(now)
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "orphan photo files swept"),
        Err(e) => tracing::warn!(error = %e, "photo sweep failed"),
    }
}
