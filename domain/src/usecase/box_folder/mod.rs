//! The Box folder webhook (http-api.md H2.2): one client folder per deal, named from the deal's
//! people (H2.2.3, H2.2.4), copied from the template (H2.2.5) under the deal's `box_folders`
//! claim (H2.2.2). A redelivery answers the stored folder and calls neither Box nor the CRM.
//!
//! The caller (the HTTP adapter) has verified the signature and parsed the body.

mod copy;
mod naming;
mod people;

pub use copy::MAX_SUFFIX;
pub use naming::{MAX_NAME_CHARS, Person, folder_name, sanitise};

use crate::ports::{
    BoxFolder, BoxFolderCheck, BoxFolderClaim, BoxFolders, Clock, Contacts, FolderMetadata,
    FolderStore, MetadataField, Sleeper,
};
use chrono::TimeDelta;
use std::time::Duration;

/// One signature-valid, well-formed delivery (H2.2.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FolderRequest {
    pub deal_id: String,
    pub primary: Person,
    pub partner: Person,
    pub deal_salutation: Option<String>,
    pub household_type: Option<String>,
    /// An explicit name (≤120 chars, checked by the caller).
    pub folder_name: Option<String>,
}

/// Where folders go and the claim timings (H2.2.2, H2.2.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderSettings {
    /// `BOX_ACTIVE_CLIENTS_PATH`.
    pub active_clients_path: String,
    /// `BOX_TEMPLATE_PATH`.
    pub template_path: String,
    /// An `in_progress` claim older than this is taken over (120 s).
    pub stale_after: TimeDelta,
    /// A duplicate polls the row this often (100 ms) for this long (20 s).
    pub poll_every: Duration,
    pub poll_for: Duration,
}

impl FolderSettings {
    pub fn new(active_clients_path: String, template_path: String) -> FolderSettings {
        FolderSettings {
            active_clients_path,
            template_path,
            stale_after: TimeDelta::seconds(120),
            poll_every: Duration::from_millis(100),
            poll_for: Duration::from_secs(20),
        }
    }
}

/// A folder the answer shows (H2.2.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderDone {
    /// `false`: `status: "existing"` (stored, or adopted after a 409).
    pub created: bool,
    /// Answered from the stored row: a redelivery, nothing called or written.
    pub replayed: bool,
    pub deal_id: String,
    pub folder: BoxFolder,
    pub url: String,
    pub parent_path: String,
    /// The people's display names; empty for a stored folder (names are not kept).
    pub contacts: Vec<String>,
    /// Why metadata failed, for the log (never shown).
    pub metadata_error: Option<String>,
}

/// Why no folder was answered (H2.2.6 errors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FolderFailure {
    /// 409 `folder_name_exhausted`: the name and its 19 suffixes are taken by folders not ours.
    NameExhausted,
    /// 503 `upstream_unavailable`: a retryable Box or CRM failure.
    UpstreamUnavailable {
        upstream: &'static str,
        reason: String,
    },
    /// 502 `upstream_error`: a permanent Box failure (missing path, refused credentials, …).
    UpstreamError {
        upstream: &'static str,
        reason: String,
    },
    /// 503 `database_unavailable`.
    DatabaseUnavailable { reason: String },
    /// 503 `duplicate_in_progress`: another delivery still holds the claim.
    DuplicateInProgress,
}

impl FolderFailure {
    pub fn code(&self) -> &'static str {
        match self {
            FolderFailure::NameExhausted => "folder_name_exhausted",
            FolderFailure::UpstreamUnavailable { .. } => "upstream_unavailable",
            FolderFailure::UpstreamError { .. } => "upstream_error",
            FolderFailure::DatabaseUnavailable { .. } => "database_unavailable",
            FolderFailure::DuplicateInProgress => "duplicate_in_progress",
        }
    }
}

fn database(e: impl ToString) -> FolderFailure {
    FolderFailure::DatabaseUnavailable {
        reason: e.to_string(),
    }
}

/// The use case over its ports.
pub struct CreateBoxFolder<'a, F, C, St, K, S> {
    pub files: &'a F,
    pub contacts: &'a C,
    pub store: &'a St,
    pub clock: &'a K,
    pub sleeper: &'a S,
    pub settings: &'a FolderSettings,
}

impl<F, C, St, K, S> std::fmt::Debug for CreateBoxFolder<'_, F, C, St, K, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateBoxFolder")
            .field("settings", self.settings)
            .finish_non_exhaustive()
    }
}

impl<F, C, St, K, S> CreateBoxFolder<'_, F, C, St, K, S>
where
    F: FolderStore,
    C: Contacts,
    St: BoxFolders,
    K: Clock,
    S: Sleeper,
{
    /// H2.2.2: answer the stored folder, wait for a running duplicate, or claim and create.
    pub async fn run(&self, request: &FolderRequest) -> Result<FolderDone, FolderFailure> {
        let deal_id = &request.deal_id;
        let s = self.settings;
        let row = self.store.get_box_folder(deal_id).await.map_err(database)?;
        let mut waited = false;
        if let Some(row) = row {
            match row.check(self.clock.now(), s.stale_after) {
                BoxFolderCheck::Existing(folder) => return Ok(self.existing(deal_id, folder)),
                BoxFolderCheck::InProgress => {
                    if let Some(folder) = self.wait_for_duplicate(deal_id).await? {
                        return Ok(self.existing(deal_id, folder));
                    }
                    waited = true;
                }
                BoxFolderCheck::Open => {}
            }
        }
        let claim = self
            .store
            .claim_box_folder(deal_id, self.clock.now(), s.stale_after)
            .await
            .map_err(database)?;
        let claim_id = match claim {
            BoxFolderClaim::Claimed { claim_id, .. } => claim_id,
            BoxFolderClaim::Existing(folder) => return Ok(self.existing(deal_id, folder)),
            BoxFolderClaim::InProgress if waited => return Err(FolderFailure::DuplicateInProgress),
            BoxFolderClaim::InProgress => {
                return match self.wait_for_duplicate(deal_id).await? {
                    Some(folder) => Ok(self.existing(deal_id, folder)),
                    None => Err(FolderFailure::DuplicateInProgress),
                };
            }
        };
        let result = self.create(request).await;
        match &result {
            Ok(done) => self
                .store
                .mark_box_folder_created(deal_id, &claim_id, &done.folder, self.clock.now())
                .await
                .map_err(database)?,
            // Every error answer of the claim's holder frees the deal for the next delivery;
            // if even that fails, the claim goes stale after `stale_after`.
            Err(_) => {
                let _ = self.store.mark_box_folder_failed(deal_id, &claim_id).await;
            }
        }
        result
    }

    /// H2.2.3–H2.2.5 and U3.6, under the claim.
    async fn create(&self, request: &FolderRequest) -> Result<FolderDone, FolderFailure> {
        let (mut primary, mut partner) = (request.primary.clone(), request.partner.clone());
        let explicit = request
            .folder_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty());
        people::resolve_people(
            self.contacts,
            &request.deal_id,
            explicit,
            &mut primary,
            &mut partner,
        )
        .await
        .map_err(|e| FolderFailure::UpstreamUnavailable {
            upstream: "hubspot",
            reason: e.to_string(),
        })?;
        let name = folder_name(
            request.folder_name.as_deref(),
            &primary,
            &partner,
            &request.deal_id,
        );
        let s = self.settings;
        let parent = self
            .files
            .resolve_path(&s.active_clients_path)
            .await
            .map_err(copy::box_failure)?;
        let template = self
            .files
            .resolve_path(&s.template_path)
            .await
            .map_err(copy::box_failure)?;
        let placed = copy::place_copy(
            self.files,
            &template.id,
            &parent.id,
            &name,
            &request.deal_id,
        )
        .await?;
        let values = metadata_values(request, &primary, &partner);
        let (metadata, metadata_error) =
            copy::apply_metadata(self.files, &placed.folder.id, &values).await;
        Ok(FolderDone {
            created: !placed.adopted,
            replayed: false,
            deal_id: request.deal_id.clone(),
            url: self.files.folder_url(&placed.folder.id),
            folder: BoxFolder {
                folder_id: placed.folder.id,
                folder_name: placed.folder.name,
                metadata,
            },
            parent_path: s.active_clients_path.clone(),
            contacts: [&primary, &partner]
                .into_iter()
                .filter_map(Person::display_name)
                .collect(),
            metadata_error,
        })
    }

    fn existing(&self, deal_id: &str, folder: BoxFolder) -> FolderDone {
        FolderDone {
            created: false,
            replayed: true,
            deal_id: deal_id.to_owned(),
            url: self.files.folder_url(&folder.folder_id),
            folder,
            parent_path: self.settings.active_clients_path.clone(),
            contacts: Vec::new(),
            metadata_error: None,
        }
    }

    /// Polls a running duplicate's row: its folder once created; `None` when it failed, went
    /// stale or the wait ran out (the caller then tries to claim once).
    async fn wait_for_duplicate(&self, deal_id: &str) -> Result<Option<BoxFolder>, FolderFailure> {
        let s = self.settings;
        let polls = (s.poll_for.as_millis() / s.poll_every.as_millis().max(1)).max(1);
        for _ in 0..polls {
            self.sleeper.sleep(s.poll_every).await;
            let row = self.store.get_box_folder(deal_id).await.map_err(database)?;
            match row.map(|r| r.check(self.clock.now(), s.stale_after)) {
                Some(BoxFolderCheck::Existing(folder)) => return Ok(Some(folder)),
                Some(BoxFolderCheck::InProgress) => {}
                Some(BoxFolderCheck::Open) | None => return Ok(None),
            }
        }
        Ok(None)
    }
}

/// U3.6: our fields; empty values are left out.
fn metadata_values(request: &FolderRequest, primary: &Person, partner: &Person) -> FolderMetadata {
    let pairs = [
        (MetadataField::HsDealRecordId, Some(&request.deal_id)),
        (MetadataField::PrimaryContactId, primary.id.as_ref()),
        (MetadataField::PrimaryContactEmail, primary.email.as_ref()),
        (MetadataField::SpouseContactId, partner.id.as_ref()),
        (MetadataField::SpouseContactEmail, partner.email.as_ref()),
        (
            MetadataField::DealSalutation,
            request.deal_salutation.as_ref(),
        ),
        (
            MetadataField::HouseholdType,
            request.household_type.as_ref(),
        ),
    ];
    pairs
        .into_iter()
        .filter_map(|(field, value)| {
            let value = value?.trim();
            (!value.is_empty()).then(|| (field, value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests;
