//! The Box port (upstreams.md U3): client folders and their metadata.
//!
//! The port offers primitives only; the folder name (http-api.md H2.2.4) and the "adopt if ours,
//! else suffix" decision (H2.2.5) belong to the use case.

use super::error::UpstreamError;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A Box folder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Folder {
    pub id: String,
    pub name: String,
}

/// What a copy of the template folder ended with (U3.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyOutcome {
    /// The copy exists under the requested name.
    Created(Folder),
    /// Box answered 409 `item_name_in_use`: `conflict` already carries the name in the parent.
    /// `after_ambiguous_retry` is true when the 409 answered a retry of a copy whose earlier
    /// attempt ended ambiguously (a timeout or a broken connection after the request was sent):
    /// the conflicting folder is then most likely our own earlier copy (U3.5, H2.2.5).
    NameInUse {
        conflict: Folder,
        after_ambiguous_retry: bool,
    },
}

/// Our metadata fields (U3.6), before the deployment's `BOX_METADATA_FIELD_MAP` renames them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MetadataField {
    HsDealRecordId,
    PrimaryContactId,
    PrimaryContactEmail,
    SpouseContactId,
    SpouseContactEmail,
    DealSalutation,
    HouseholdType,
}

impl MetadataField {
    pub const ALL: [MetadataField; 7] = [
        MetadataField::HsDealRecordId,
        MetadataField::PrimaryContactId,
        MetadataField::PrimaryContactEmail,
        MetadataField::SpouseContactId,
        MetadataField::SpouseContactEmail,
        MetadataField::DealSalutation,
        MetadataField::HouseholdType,
    ];

    /// Our name of the field (the key of `BOX_METADATA_FIELD_MAP`).
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataField::HsDealRecordId => "hs_deal_record_id",
            MetadataField::PrimaryContactId => "primary_contact_id",
            MetadataField::PrimaryContactEmail => "primary_contact_email",
            MetadataField::SpouseContactId => "spouse_contact_id",
            MetadataField::SpouseContactEmail => "spouse_contact_email",
            MetadataField::DealSalutation => "deal_salutation",
            MetadataField::HouseholdType => "household_type",
        }
    }

    pub fn parse(name: &str) -> Option<MetadataField> {
        MetadataField::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Metadata values by our field names. Empty values are never written (U3.6).
pub type FolderMetadata = BTreeMap<MetadataField, String>;

/// What applying metadata to a folder ended with (H2.2.6 `metadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataOutcome {
    /// Created, or merged into the existing instance.
    Applied,
    /// Metadata is not configured (`BOX_METADATA_SCOPE` or `BOX_METADATA_TEMPLATE_KEY` empty).
    Skipped,
    /// Box refused the values (e.g. 400 `schema_validation_failed`); the folder is kept.
    Failed { reason: String },
}

/// Client folders in Box (U3.5, U3.6).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FolderStore: Send + Sync {
    /// The folder at `path`: `/`-separated folder names from the root, matched exactly
    /// (case-sensitive). A missing segment is [`UpstreamError::NotFound`].
    async fn resolve_path(&self, path: &str) -> Result<Folder, UpstreamError>;

    /// Copies the folder `source_id` into `parent_id` under `name` (already sanitised, H2.2.4).
    async fn copy_folder(
        &self,
        source_id: &str,
        parent_id: &str,
        name: &str,
    ) -> Result<CopyOutcome, UpstreamError>;

    /// Whether metadata is configured; without it the metadata calls do nothing.
    fn metadata_configured(&self) -> bool;

    /// The folder's metadata instance, by our field names (unmapped keys dropped); `None` when
    /// the folder has none or metadata is not configured (the ownership test of U3.6).
    async fn folder_metadata(
        &self,
        folder_id: &str,
    ) -> Result<Option<FolderMetadata>, UpstreamError>;

    /// Writes these values: creates the instance, or merges into an existing one without
    /// removing any key (U3.6).
    async fn apply_metadata(
        &self,
        folder_id: &str,
        values: &FolderMetadata,
    ) -> Result<MetadataOutcome, UpstreamError>;

    /// The web link of a folder (`{BOX_WEB_BASE_URL}/folder/{id}`).
    fn folder_url(&self, folder_id: &str) -> String;
}

#[async_trait]
impl<T: FolderStore + ?Sized> FolderStore for Arc<T> {
    async fn resolve_path(&self, path: &str) -> Result<Folder, UpstreamError> {
        (**self).resolve_path(path).await
    }
    async fn copy_folder(
        &self,
        source_id: &str,
        parent_id: &str,
        name: &str,
    ) -> Result<CopyOutcome, UpstreamError> {
        (**self).copy_folder(source_id, parent_id, name).await
    }
    fn metadata_configured(&self) -> bool {
        (**self).metadata_configured()
    }
    async fn folder_metadata(
        &self,
        folder_id: &str,
    ) -> Result<Option<FolderMetadata>, UpstreamError> {
        (**self).folder_metadata(folder_id).await
    }
    async fn apply_metadata(
        &self,
        folder_id: &str,
        values: &FolderMetadata,
    ) -> Result<MetadataOutcome, UpstreamError> {
        (**self).apply_metadata(folder_id, values).await
    }
    fn folder_url(&self, folder_id: &str) -> String {
        (**self).folder_url(folder_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_field_names_round_trip() {
        for f in MetadataField::ALL {
            assert_eq!(MetadataField::parse(f.as_str()), Some(f));
        }
        assert_eq!(MetadataField::parse("nope"), None);
    }
}
