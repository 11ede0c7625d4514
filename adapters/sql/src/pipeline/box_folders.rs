//! Box folder claims (H2.2.2, H7.7).

use super::{RACE_RETRIES, Race, first_locked, parse_name, race_or};
use crate::SqlStore;
use crate::connection::AnyConnection;
use crate::schema::pipeline::box_folders;
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    BoxFolder, BoxFolderCheck, BoxFolderClaim, BoxFolderRecord, BoxFolderState,
    BoxFolderWriteError, BoxFolders, MetadataStatus, StoreError,
};

type FolderRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
);

const FOLDER_COLUMNS: (
    box_folders::deal_id,
    box_folders::state,
    box_folders::folder_id,
    box_folders::folder_name,
    box_folders::metadata_status,
    box_folders::claimed_at,
    box_folders::created_at,
) = (
    box_folders::deal_id,
    box_folders::state,
    box_folders::folder_id,
    box_folders::folder_name,
    box_folders::metadata_status,
    box_folders::claimed_at,
    box_folders::created_at,
);

fn record_from_row(row: FolderRow) -> Result<BoxFolderRecord, DieselError> {
    let (deal_id, state, folder_id, folder_name, metadata, claimed_at, created_at) = row;
    let state = parse_name(&state, BoxFolderState::parse, "box folder state")?;
    let folder = match (state, folder_id, folder_name) {
        (BoxFolderState::Created, Some(folder_id), Some(folder_name)) => Some(BoxFolder {
            folder_id,
            folder_name,
            metadata: parse_name(&metadata, MetadataStatus::parse, "metadata status")?,
        }),
        _ => None,
    };
    Ok(BoxFolderRecord {
        deal_id,
        state,
        folder,
        claimed_at: parse_instant(&claimed_at)?,
        created_at: created_at.as_deref().map(parse_instant).transpose()?,
    })
}

fn claim_in(
    conn: &mut AnyConnection,
    deal_id: &str,
    now: DateTime<Utc>,
    stale_after: TimeDelta,
) -> Result<Result<BoxFolderClaim, Race>, DieselError> {
    let existing = first_locked!(
        conn,
        box_folders::table
            .select(FOLDER_COLUMNS)
            .filter(box_folders::deal_id.eq(deal_id)),
        FolderRow
    )?
    .map(record_from_row)
    .transpose()?;
    let previous = existing.as_ref().map(|r| r.state);
    match existing.map(|r| r.check(now, stale_after)) {
        Some(BoxFolderCheck::Existing(folder)) => return Ok(Ok(BoxFolderClaim::Existing(folder))),
        Some(BoxFolderCheck::InProgress) => return Ok(Ok(BoxFolderClaim::InProgress)),
        Some(BoxFolderCheck::Open) | None => {}
    }
    let claim_id = uuid::Uuid::new_v4().to_string();
    let values = (
        box_folders::state.eq(BoxFolderState::InProgress.as_str()),
        box_folders::claim_id.eq(&claim_id),
        box_folders::folder_id.eq(None::<String>),
        box_folders::folder_name.eq(None::<String>),
        box_folders::metadata_status.eq(""),
        box_folders::claimed_at.eq(instant(now)),
        box_folders::created_at.eq(None::<String>),
    );
    let written = match previous {
        Some(_) => diesel::update(box_folders::table.find(deal_id))
            .set(values)
            .execute(conn),
        None => diesel::insert_into(box_folders::table)
            .values((box_folders::deal_id.eq(deal_id), values))
            .execute(conn),
    };
    Ok(race_or(written)?.map(|_| BoxFolderClaim::Claimed { claim_id, previous }))
}

impl SqlStore {
    /// Moves the deal's row from `in_progress` under `claim_id` to `state` with `folder`.
    async fn finish_box_folder(
        &self,
        deal_id: &str,
        claim_id: &str,
        state: BoxFolderState,
        folder: Option<(BoxFolder, DateTime<Utc>)>,
    ) -> Result<(), BoxFolderWriteError> {
        let (deal_id, claim_id) = (deal_id.to_owned(), claim_id.to_owned());
        let changed = self
            .db
            .run(move |conn| {
                let (folder_id, folder_name, metadata, created_at) = match &folder {
                    Some((f, at)) => (
                        Some(f.folder_id.clone()),
                        Some(f.folder_name.clone()),
                        f.metadata.as_str(),
                        Some(instant(*at)),
                    ),
                    None => (None, None, "", None),
                };
                diesel::update(
                    box_folders::table
                        .filter(box_folders::deal_id.eq(&deal_id))
                        .filter(box_folders::claim_id.eq(&claim_id))
                        .filter(box_folders::state.eq(BoxFolderState::InProgress.as_str())),
                )
                .set((
                    box_folders::state.eq(state.as_str()),
                    box_folders::folder_id.eq(folder_id),
                    box_folders::folder_name.eq(folder_name),
                    box_folders::metadata_status.eq(metadata),
                    box_folders::created_at.eq(created_at),
                ))
                .execute(conn)
            })
            .await?;
        if changed == 0 {
            return Err(BoxFolderWriteError::ClaimLost);
        }
        Ok(())
    }
}

#[async_trait]
impl BoxFolders for SqlStore {
    async fn claim_box_folder(
        &self,
        deal_id: &str,
        now: DateTime<Utc>,
        stale_after: TimeDelta,
    ) -> Result<BoxFolderClaim, StoreError> {
        for _ in 0..RACE_RETRIES {
            let deal_id = deal_id.to_owned();
            let outcome = self
                .db
                .write(move |conn| claim_in(conn, &deal_id, now, stale_after))
                .await?;
            if let Ok(outcome) = outcome {
                return Ok(outcome);
            }
        }
        Err(StoreError::Unavailable(
            "the box folder claim kept meeting concurrent first claims".into(),
        ))
    }

    async fn mark_box_folder_created(
        &self,
        deal_id: &str,
        claim_id: &str,
        folder: &BoxFolder,
        now: DateTime<Utc>,
    ) -> Result<(), BoxFolderWriteError> {
        self.finish_box_folder(
            deal_id,
            claim_id,
            BoxFolderState::Created,
            Some((folder.clone(), now)),
        )
        .await
    }

    async fn mark_box_folder_failed(
        &self,
        deal_id: &str,
        claim_id: &str,
    ) -> Result<(), BoxFolderWriteError> {
        self.finish_box_folder(deal_id, claim_id, BoxFolderState::Failed, None)
            .await
    }

    async fn get_box_folder(&self, deal_id: &str) -> Result<Option<BoxFolderRecord>, StoreError> {
        let deal_id = deal_id.to_owned();
        self.db
            .run(move |conn| {
                box_folders::table
                    .select(FOLDER_COLUMNS)
                    .filter(box_folders::deal_id.eq(&deal_id))
                    .first::<FolderRow>(conn)
                    .optional()?
                    .map(record_from_row)
                    .transpose()
            })
            .await
    }
}
