//! Profiles (portal.md P1.2, P4): one row per user at most, lists as JSON TEXT, and the photo's
//! file name, whose previous value each photo write hands back for deletion after the commit.

use super::directory::photo;
use super::{in_locking_transaction, infallible, list_json, lock_user, parse_list};
use crate::SqlStore;
use crate::connection::AnyConnection;
use crate::schema::accounts::profiles;
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    Photo, PhotoChange, Profile, ProfileFields, ProfileStore, ProfileWriteError, StoreError,
};
use std::convert::Infallible;

type ProfileRow = (
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

const PROFILE_COLUMNS: (
    profiles::user_id,
    profiles::headline,
    profiles::summary,
    profiles::skills,
    profiles::certifications,
    profiles::resume_link,
    profiles::experience,
    profiles::photo_filename,
    profiles::photo_content_type,
    profiles::created_at,
    profiles::updated_at,
) = (
    profiles::user_id,
    profiles::headline,
    profiles::summary,
    profiles::skills,
    profiles::certifications,
    profiles::resume_link,
    profiles::experience,
    profiles::photo_filename,
    profiles::photo_content_type,
    profiles::created_at,
    profiles::updated_at,
);

fn profile_from_row(row: ProfileRow) -> Result<Profile, DieselError> {
    let (user_id, headline, summary, skills, certifications, resume_link, experience) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
    Ok(Profile {
        user_id,
        fields: ProfileFields {
            headline,
            summary,
            skills: parse_list("profile skills", &skills)?,
            certifications: parse_list("profile certifications", &certifications)?,
            resume_link,
            experience,
        },
        photo: photo(row.7, row.8),
        created_at: parse_instant(&row.9)?,
        updated_at: parse_instant(&row.10)?,
    })
}

fn load(conn: &mut AnyConnection, user_id: i64) -> Result<Option<Profile>, DieselError> {
    profiles::table
        .filter(profiles::user_id.eq(user_id))
        .select(PROFILE_COLUMNS)
        .first::<ProfileRow>(conn)
        .optional()?
        .map(profile_from_row)
        .transpose()
}

/// Locks the user's row (see [`in_locking_transaction`]: writes to one profile queue there
/// instead of failing to serialize) and returns the profile, inserting an empty one first if
/// there is none. `None` when the user does not exist.
fn lock_or_create(
    conn: &mut AnyConnection,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<Profile>, DieselError> {
    if lock_user(conn, user_id)?.is_none() {
        return Ok(None);
    }
    if let Some(profile) = load(conn, user_id)? {
        return Ok(Some(profile));
    }
    diesel::insert_into(profiles::table)
        .values((
            profiles::user_id.eq(user_id),
            profiles::skills.eq("[]"),
            profiles::certifications.eq("[]"),
            profiles::created_at.eq(instant(now)),
            profiles::updated_at.eq(instant(now)),
        ))
        .execute(conn)?;
    load(conn, user_id)
}

/// The locked profile of an existing user, or no change at all.
fn with_profile<T>(
    conn: &mut AnyConnection,
    user_id: i64,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut AnyConnection, Profile) -> Result<T, DieselError>,
) -> Result<Result<T, ProfileWriteError>, DieselError> {
    match lock_or_create(conn, user_id, now)? {
        Some(profile) => f(conn, profile).map(Ok),
        None => Ok(Err(ProfileWriteError::UnknownUser)),
    }
}

#[async_trait]
impl ProfileStore for SqlStore {
    async fn get_profile(&self, user_id: i64) -> Result<Option<Profile>, StoreError> {
        self.db.read(move |conn| load(conn, user_id)).await
    }

    async fn save_profile(
        &self,
        user_id: i64,
        fields: &ProfileFields,
        now: DateTime<Utc>,
    ) -> Result<Profile, ProfileWriteError> {
        let fields = fields.clone();
        let saved = self
            .db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    with_profile(conn, user_id, now, |conn, _| {
                        // The photo columns are not in the set: a save never touches the photo.
                        diesel::update(profiles::table.filter(profiles::user_id.eq(user_id)))
                            .set((
                                profiles::headline.eq(&fields.headline),
                                profiles::summary.eq(&fields.summary),
                                profiles::skills.eq(list_json(&fields.skills)),
                                profiles::certifications.eq(list_json(&fields.certifications)),
                                profiles::resume_link.eq(&fields.resume_link),
                                profiles::experience.eq(&fields.experience),
                                profiles::updated_at.eq(instant(now)),
                            ))
                            .execute(conn)?;
                        load(conn, user_id)
                    })
                })
            })
            .await??;
        saved.ok_or_else(|| StoreError::InvalidData("the saved profile vanished".into()).into())
    }

    async fn set_photo(
        &self,
        user_id: i64,
        photo: &Photo,
        now: DateTime<Utc>,
    ) -> Result<PhotoChange, ProfileWriteError> {
        let photo = photo.clone();
        let changed = self
            .db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    with_profile(conn, user_id, now, |conn, before| {
                        diesel::update(profiles::table.filter(profiles::user_id.eq(user_id)))
                            .set((
                                profiles::photo_filename.eq(&photo.filename),
                                profiles::photo_content_type.eq(&photo.content_type),
                                profiles::updated_at.eq(instant(now)),
                            ))
                            .execute(conn)?;
                        Ok(load(conn, user_id)?.map(|profile| PhotoChange {
                            profile,
                            previous: before.photo,
                        }))
                    })
                })
            })
            .await??;
        changed.ok_or_else(|| StoreError::InvalidData("the saved profile vanished".into()).into())
    }

    async fn clear_photo(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Photo>, StoreError> {
        let removed = self
            .db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    if lock_user(conn, user_id)?.is_none() {
                        return Ok(Ok(None));
                    }
                    let previous = load(conn, user_id)?.and_then(|p| p.photo);
                    if previous.is_some() {
                        diesel::update(profiles::table.filter(profiles::user_id.eq(user_id)))
                            .set((
                                profiles::photo_filename.eq(None::<String>),
                                profiles::photo_content_type.eq(None::<String>),
                                profiles::updated_at.eq(instant(now)),
                            ))
                            .execute(conn)?;
                    }
                    Ok(Ok::<_, Infallible>(previous))
                })
            })
            .await?;
        Ok(infallible(removed))
    }

    async fn delete_profile(&self, user_id: i64) -> Result<Option<Profile>, StoreError> {
        let deleted = self
            .db
            .run(move |conn| {
                in_locking_transaction(conn, |conn| {
                    if lock_user(conn, user_id)?.is_none() {
                        return Ok(Ok(None));
                    }
                    let profile = load(conn, user_id)?;
                    if profile.is_some() {
                        diesel::delete(profiles::table.filter(profiles::user_id.eq(user_id)))
                            .execute(conn)?;
                    }
                    Ok(Ok::<_, Infallible>(profile))
                })
            })
            .await?;
        Ok(infallible(deleted))
    }

    async fn photo_filenames(&self) -> Result<Vec<String>, StoreError> {
        self.db
            .read(|conn| {
                profiles::table
                    .filter(profiles::photo_filename.is_not_null())
                    .select(profiles::photo_filename.assume_not_null())
                    .order(profiles::photo_filename)
                    .load::<String>(conn)
            })
            .await
    }
}
