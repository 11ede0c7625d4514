//! The profile store (portal.md P1.2, P4): zero or one profile per user, and its photo's file
//! name. The photo bytes live in the photo store, not here.

use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A stored photo's file name (`<32 hex>.<jpg|png>`) and content type (P1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    pub filename: String,
    pub content_type: String,
}

/// The fields a profile save (P4.3) replaces, already validated and normalised by the domain
/// (P2.6–P2.10, P4.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileFields {
    pub headline: Option<String>,
    pub summary: Option<String>,
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    pub resume_link: Option<String>,
    pub experience: Option<String>,
}

/// A stored profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub user_id: i64,
    pub fields: ProfileFields,
    pub photo: Option<Photo>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A profile write failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileWriteError {
    #[error("no such user")]
    UnknownUser,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The profile after a photo write, and the photo it replaced, whose file the caller deletes
/// after the commit (P4.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoChange {
    pub profile: Profile,
    pub previous: Option<Photo>,
}

/// Profiles (P1.2).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// `None` when the user has no profile row (P4.1).
    async fn get_profile(&self, user_id: i64) -> Result<Option<Profile>, StoreError>;

    /// P4.3: creates the row or replaces its fields; never touches the photo.
    async fn save_profile(
        &self,
        user_id: i64,
        fields: &ProfileFields,
        now: DateTime<Utc>,
    ) -> Result<Profile, ProfileWriteError>;

    /// Records a new photo (creating an empty profile when there is none).
    async fn set_photo(
        &self,
        user_id: i64,
        photo: &Photo,
        now: DateTime<Utc>,
    ) -> Result<PhotoChange, ProfileWriteError>;

    /// Forgets the photo; returns the one removed (`None`: there was none, nothing written).
    async fn clear_photo(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Photo>, StoreError>;

    /// P4.5: deletes the row; returns it (with its photo), `None` when there was none.
    async fn delete_profile(&self, user_id: i64) -> Result<Option<Profile>, StoreError>;

    /// Every photo file name a profile references (the start-up sweep of P4.7).
    async fn photo_filenames(&self) -> Result<Vec<String>, StoreError>;
}

#[async_trait]
impl<T: ProfileStore + ?Sized> ProfileStore for Arc<T> {
    async fn get_profile(&self, user_id: i64) -> Result<Option<Profile>, StoreError> {
        (**self).get_profile(user_id).await
    }
    async fn save_profile(
        &self,
        user_id: i64,
        fields: &ProfileFields,
        now: DateTime<Utc>,
    ) -> Result<Profile, ProfileWriteError> {
        (**self).save_profile(user_id, fields, now).await
    }
    async fn set_photo(
        &self,
        user_id: i64,
        photo: &Photo,
        now: DateTime<Utc>,
    ) -> Result<PhotoChange, ProfileWriteError> {
        (**self).set_photo(user_id, photo, now).await
    }
    async fn clear_photo(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Photo>, StoreError> {
        (**self).clear_photo(user_id, now).await
    }
    async fn delete_profile(&self, user_id: i64) -> Result<Option<Profile>, StoreError> {
        (**self).delete_profile(user_id).await
    }
    async fn photo_filenames(&self) -> Result<Vec<String>, StoreError> {
        (**self).photo_filenames().await
    }
}
