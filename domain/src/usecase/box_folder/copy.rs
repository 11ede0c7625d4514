//! The Box steps (http-api.md H2.2.5, upstreams.md U3.5, U3.6): copy the template under the name,
//! adopt a conflicting folder that is ours, else try `"{name} (2)"` … `"{name} (20)"`; then apply
//! the metadata.

use super::FolderFailure;
use crate::ports::{
    CopyOutcome, Folder, FolderMetadata, FolderStore, MetadataField, MetadataOutcome,
    MetadataStatus, UpstreamError,
};

/// The last suffix tried (H2.2.5).
pub const MAX_SUFFIX: u32 = 20;

/// The folder and whether it was adopted (`existing`) rather than created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub folder: Folder,
    pub adopted: bool,
}

/// Copies `template_id` into `parent_id`, choosing the first free name.
pub async fn place_copy<F: FolderStore>(
    files: &F,
    template_id: &str,
    parent_id: &str,
    name: &str,
    deal_id: &str,
) -> Result<Placed, FolderFailure> {
    for n in 1..=MAX_SUFFIX {
        let candidate = if n == 1 {
            name.to_owned()
        } else {
            format!("{name} ({n})")
        };
        let outcome = files
            .copy_folder(template_id, parent_id, &candidate)
            .await
            .map_err(box_failure)?;
        match outcome {
            CopyOutcome::Created(folder) => {
                return Ok(Placed {
                    folder,
                    adopted: false,
                });
            }
            CopyOutcome::NameInUse {
                conflict,
                after_ambiguous_retry,
            } => {
                if after_ambiguous_retry || is_ours(files, &conflict.id, deal_id).await? {
                    return Ok(Placed {
                        folder: conflict,
                        adopted: true,
                    });
                }
            }
        }
    }
    Err(FolderFailure::NameExhausted)
}

/// U3.6 ownership test: the conflicting folder's metadata names this deal.
async fn is_ours<F: FolderStore>(
    files: &F,
    folder_id: &str,
    deal_id: &str,
) -> Result<bool, FolderFailure> {
    if !files.metadata_configured() {
        return Ok(false);
    }
    let metadata = match files.folder_metadata(folder_id).await {
        Ok(m) => m,
        Err(UpstreamError::NotFound) => None,
        Err(e) => return Err(box_failure(e)),
    };
    Ok(metadata
        .and_then(|m| m.get(&MetadataField::HsDealRecordId).cloned())
        .is_some_and(|id| id.trim() == deal_id))
}

/// U3.6: applied, skipped (not configured) or failed (the folder is kept either way).
pub async fn apply_metadata<F: FolderStore>(
    files: &F,
    folder_id: &str,
    values: &FolderMetadata,
) -> (MetadataStatus, Option<String>) {
    if !files.metadata_configured() {
        return (MetadataStatus::Skipped, None);
    }
    match files.apply_metadata(folder_id, values).await {
        Ok(MetadataOutcome::Applied) => (MetadataStatus::Applied, None),
        Ok(MetadataOutcome::Skipped) => (MetadataStatus::Skipped, None),
        Ok(MetadataOutcome::Failed { reason }) => (MetadataStatus::Failed, Some(reason)),
        Err(e) => (MetadataStatus::Failed, Some(e.to_string())),
    }
}

/// U3.7 mapping: retryable classes ask HubSpot to retry (503), the rest are permanent (502).
pub fn box_failure(e: UpstreamError) -> FolderFailure {
    match e {
        UpstreamError::Unavailable { .. } | UpstreamError::RateLimited { .. } => {
            FolderFailure::UpstreamUnavailable {
                upstream: "box",
                reason: e.to_string(),
            }
        }
        other => FolderFailure::UpstreamError {
            upstream: "box",
            reason: other.to_string(),
        },
    }
}
