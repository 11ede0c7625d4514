//! One-time OAuth states (H2.9, H7.9).

use crate::SqlStore;
use crate::schema::hr::oauth_states;
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::ports::{OAuthState, OAuthStateInsertError, OAuthStateStore, StoreError};
use std::convert::Infallible;

type StateRow = (String, String, String, String, String);

const STATE_COLUMNS: (
    oauth_states::state_hash,
    oauth_states::session_id_hash,
    oauth_states::code_verifier_enc,
    oauth_states::created_at,
    oauth_states::expires_at,
) = (
    oauth_states::state_hash,
    oauth_states::session_id_hash,
    oauth_states::code_verifier_enc,
    oauth_states::created_at,
    oauth_states::expires_at,
);

fn state_from_row(row: StateRow) -> Result<OAuthState, DieselError> {
    let (state_hash, session_id_hash, code_verifier_enc, created_at, expires_at) = row;
    Ok(OAuthState {
        state_hash,
        session_id_hash,
        code_verifier_enc,
        created_at: parse_instant(&created_at)?,
        expires_at: parse_instant(&expires_at)?,
    })
}

#[async_trait]
impl OAuthStateStore for SqlStore {
    async fn insert_oauth_state(&self, state: OAuthState) -> Result<(), OAuthStateInsertError> {
        self.db
            .run(move |conn| {
                let result = diesel::insert_into(oauth_states::table)
                    .values((
                        oauth_states::state_hash.eq(&state.state_hash),
                        oauth_states::session_id_hash.eq(&state.session_id_hash),
                        oauth_states::code_verifier_enc.eq(&state.code_verifier_enc),
                        oauth_states::created_at.eq(instant(state.created_at)),
                        oauth_states::expires_at.eq(instant(state.expires_at)),
                    ))
                    .execute(conn);
                match result {
                    Ok(_) => Ok(Ok(())),
                    Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                        Ok(Err(OAuthStateInsertError::DuplicateState))
                    }
                    Err(e) => Err(e),
                }
            })
            .await?
    }

    async fn take_oauth_state(
        &self,
        state_hash: &str,
        session_id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthState>, StoreError> {
        let (state_hash, session_id_hash) = (state_hash.to_owned(), session_id_hash.to_owned());
        let stamp = instant(now);
        let Ok(taken) = self
            .db
            .write(move |conn| {
                // One conditional UPDATE decides: a concurrent take either sees `used_at` set or
                // (PostgreSQL) fails to serialize and retries into seeing it.
                let used = diesel::update(
                    oauth_states::table
                        .find(&state_hash)
                        .filter(oauth_states::session_id_hash.eq(&session_id_hash))
                        .filter(oauth_states::used_at.is_null())
                        .filter(oauth_states::expires_at.gt(&stamp)),
                )
                .set(oauth_states::used_at.eq(&stamp))
                .execute(conn)?;
                if used == 0 {
                    return Ok(Ok::<_, Infallible>(None));
                }
                let row = oauth_states::table
                    .find(&state_hash)
                    .select(STATE_COLUMNS)
                    .first::<StateRow>(conn)?;
                Ok(Ok(Some(state_from_row(row)?)))
            })
            .await?;
        Ok(taken)
    }

    async fn purge_expired_oauth_states(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let stamp = instant(now);
        self.db
            .run(move |conn| {
                diesel::delete(oauth_states::table.filter(oauth_states::expires_at.le(&stamp)))
                    .execute(conn)
            })
            .await
    }
}
