//! The photo store (portal.md P4.6–P4.8, security.md S6): turns uploaded bytes into a stored,
//! re-encoded image under a random name, serves it back, deletes it, sweeps orphans.

use super::profiles::Photo;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// An upload the store refused or could not keep.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// P4.6.4: not JPEG, PNG or GIF by content (415 `unsupported_media_type`).
    #[error("the file is not a JPEG, PNG or GIF image")]
    Unsupported,
    /// P4.6.5: too many pixels, or not decodable (400, `photo: invalid_value`).
    #[error("the image cannot be decoded within the limits")]
    Invalid,
    /// The disk failed (503).
    #[error("photo storage failed: {0}")]
    Io(String),
}

/// Photo files (`UPLOAD_DIR`).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PhotoStore: Send + Sync {
    /// Sniffs, decodes with limits, re-encodes and writes the upload (P4.6 steps 4–7); returns
    /// the new file's name and content type.
    async fn store_photo(&self, bytes: Vec<u8>) -> Result<Photo, PhotoError>;

    /// The file's bytes; `None` when it is missing.
    async fn read_photo(&self, filename: &str) -> Result<Option<Vec<u8>>, PhotoError>;

    /// Deletes the file; a missing file is not an error.
    async fn delete_photo(&self, filename: &str) -> Result<(), PhotoError>;

    /// P4.7: deletes files not in `referenced` and last modified before `older_than`; returns
    /// how many.
    async fn sweep_photos(
        &self,
        referenced: &[String],
        older_than: DateTime<Utc>,
    ) -> Result<u64, PhotoError>;
}

#[async_trait]
impl<T: PhotoStore + ?Sized> PhotoStore for Arc<T> {
    async fn store_photo(&self, bytes: Vec<u8>) -> Result<Photo, PhotoError> {
        (**self).store_photo(bytes).await
    }
    async fn read_photo(&self, filename: &str) -> Result<Option<Vec<u8>>, PhotoError> {
        (**self).read_photo(filename).await
    }
    async fn delete_photo(&self, filename: &str) -> Result<(), PhotoError> {
        (**self).delete_photo(filename).await
    }
    async fn sweep_photos(
        &self,
        referenced: &[String],
        older_than: DateTime<Utc>,
    ) -> Result<u64, PhotoError> {
        (**self).sweep_photos(referenced, older_than).await
    }
}
