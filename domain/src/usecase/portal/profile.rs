//! The caller's profile (portal.md P4.1–P4.8): read, save, delete, and the photo's upload,
//! removal and serving over the profile store and the photo store. Files are deleted only after
//! the database commit (P4.7); a failure after a write deletes the new file.

use crate::portal::fields::{FieldCode, FieldErrors};
use crate::portal::profile::{Completeness, completeness};
use crate::portal::profile_input::{ProfileInput, validate_profile};
use crate::ports::{
    Photo, PhotoError, PhotoStore, ProfileFields, ProfileStore, ProfileWriteError, StoreError,
};
use chrono::{DateTime, TimeDelta, Utc};

/// P4.7: the start-up sweep spares files younger than this (an upload may be mid-commit).
pub const SWEEP_MIN_AGE: TimeDelta = TimeDelta::hours(1);

/// A profile as the API shows it (H4.2 `Profile`); an empty one when no row exists (P4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileView {
    pub user_id: i64,
    pub fields: ProfileFields,
    pub photo: Option<Photo>,
    pub completeness: Completeness,
    /// `None` when there is no row yet.
    pub updated_at: Option<DateTime<Utc>>,
}

impl ProfileView {
    fn of(user_id: i64, profile: Option<crate::ports::Profile>) -> ProfileView {
        match profile {
            Some(p) => ProfileView {
                user_id,
                completeness: completeness(Some(&p.fields)),
                fields: p.fields,
                photo: p.photo,
                updated_at: Some(p.updated_at),
            },
            None => ProfileView {
                user_id,
                fields: ProfileFields::default(),
                photo: None,
                completeness: completeness(None),
                updated_at: None,
            },
        }
    }
}

/// A profile or photo write was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// 400 `validation_failed`.
    #[error("one or more fields are invalid")]
    Invalid(FieldErrors),
    /// 415 (P4.6.4).
    #[error("unsupported image type")]
    UnsupportedPhoto,
    /// The session's user is gone.
    #[error("no such user")]
    UnknownUser,
    #[error("photo storage failed: {0}")]
    Storage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProfileWriteError> for ProfileError {
    fn from(e: ProfileWriteError) -> Self {
        match e {
            ProfileWriteError::UnknownUser => ProfileError::UnknownUser,
            ProfileWriteError::Store(e) => ProfileError::Store(e),
        }
    }
}

impl From<PhotoError> for ProfileError {
    fn from(e: PhotoError) -> Self {
        match e {
            PhotoError::Unsupported => ProfileError::UnsupportedPhoto,
            PhotoError::Invalid => {
                ProfileError::Invalid(FieldErrors::from([("photo", FieldCode::InvalidValue)]))
            }
            PhotoError::Io(e) => ProfileError::Storage(e),
        }
    }
}

/// The profile use cases.
#[derive(Clone, Debug)]
pub struct Profiles<P, S> {
    profiles: P,
    photos: S,
}

impl<P: ProfileStore, S: PhotoStore> Profiles<P, S> {
    pub fn new(profiles: P, photos: S) -> Self {
        Profiles { profiles, photos }
    }

    /// P4.1.
    pub async fn get(&self, user_id: i64) -> Result<ProfileView, StoreError> {
        let profile = self.profiles.get_profile(user_id).await?;
        Ok(ProfileView::of(user_id, profile))
    }

    /// P4.3: validate everything, then replace the fields (never the photo).
    pub async fn save(
        &self,
        user_id: i64,
        input: &ProfileInput,
        now: DateTime<Utc>,
    ) -> Result<ProfileView, ProfileError> {
        let fields = validate_profile(input).map_err(ProfileError::Invalid)?;
        let saved = self.profiles.save_profile(user_id, &fields, now).await?;
        Ok(ProfileView::of(user_id, Some(saved)))
    }

    /// P4.5: delete the row, then its photo file. A missing profile is fine.
    pub async fn delete(&self, user_id: i64) -> Result<(), StoreError> {
        if let Some(photo) = self
            .profiles
            .delete_profile(user_id)
            .await?
            .and_then(|p| p.photo)
        {
            self.forget_file(&photo.filename).await;
        }
        Ok(())
    }

    /// P4.6 steps 3–7: an empty file is `photo: required`; the store sniffs, decodes and
    /// writes; then the row is committed; then the replaced file is deleted. A failed commit
    /// deletes the new file.
    pub async fn upload_photo(
        &self,
        user_id: i64,
        bytes: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<ProfileView, ProfileError> {
        if bytes.is_empty() {
            return Err(ProfileError::Invalid(FieldErrors::from([(
                "photo",
                FieldCode::Required,
            )])));
        }
        let photo = self.photos.store_photo(bytes).await?;
        let change = match self.profiles.set_photo(user_id, &photo, now).await {
            Ok(change) => change,
            Err(e) => {
                self.forget_file(&photo.filename).await;
                return Err(e.into());
            }
        };
        if let Some(previous) = change.previous {
            self.forget_file(&previous.filename).await;
        }
        Ok(ProfileView::of(user_id, Some(change.profile)))
    }

    /// `DELETE /profile/photo`: forget the photo, then delete its file.
    pub async fn remove_photo(&self, user_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        if let Some(photo) = self.profiles.clear_photo(user_id, now).await? {
            self.forget_file(&photo.filename).await;
        }
        Ok(())
    }

    /// P4.8: a user's current photo and its bytes; `None` when there is none (404).
    pub async fn photo_of(&self, user_id: i64) -> Result<Option<(Photo, Vec<u8>)>, ProfileError> {
        let Some(photo) = self
            .profiles
            .get_profile(user_id)
            .await?
            .and_then(|p| p.photo)
        else {
            return Ok(None);
        };
        let bytes = self.photos.read_photo(&photo.filename).await?;
        Ok(bytes.map(|b| (photo, b)))
    }

    /// P4.7: the start-up sweep of files no profile references, older than an hour.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<u64, ProfileError> {
        let referenced = self.profiles.photo_filenames().await?;
        Ok(self
            .photos
            .sweep_photos(&referenced, now - SWEEP_MIN_AGE)
            .await?)
    }

    /// A file the database no longer references. A failure leaves an orphan that the start-up
    /// sweep removes, so it is not the caller's error.
    async fn forget_file(&self, filename: &str) {
        let _ = self.photos.delete_photo(filename).await;
    }
}

#[cfg(test)]
mod tests;
