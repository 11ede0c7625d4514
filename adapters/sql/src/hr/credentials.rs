//! The EH credential row (H7.8) and its refresh marker (upstreams.md U2.4). Every change is one
//! conditional UPDATE inside `Db::write`: SQLite takes the write lock first (`BEGIN
//! IMMEDIATE`); on PostgreSQL a competing UPDATE waits for the row lock and then fails to
//! serialize, and its retry sees the committed row, so exactly one caller sets the marker.

use crate::schema::hr::eh_credentials;
use crate::time::{corrupt, instant, parse_instant};
use crate::{AnyConnection, Db, SqlStore};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    EhCredentialStatus, EhCredentialStore, EhCredentials, NewEhCredentials, RefreshedTokens,
    StoreError,
};
use std::convert::Infallible;

/// The only row's id (H7.8; the table's CHECK allows no other).
const ROW: i32 = 1;

type CredentialRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

const CREDENTIAL_COLUMNS: (
    eh_credentials::access_token_enc,
    eh_credentials::refresh_token_enc,
    eh_credentials::code_verifier_enc,
    eh_credentials::expires_at,
    eh_credentials::refreshing_since,
    eh_credentials::organisation_id,
    eh_credentials::organisation_name,
    eh_credentials::status,
    eh_credentials::updated_at,
) = (
    eh_credentials::access_token_enc,
    eh_credentials::refresh_token_enc,
    eh_credentials::code_verifier_enc,
    eh_credentials::expires_at,
    eh_credentials::refreshing_since,
    eh_credentials::organisation_id,
    eh_credentials::organisation_name,
    eh_credentials::status,
    eh_credentials::updated_at,
);

fn credentials_from_row(row: CredentialRow) -> Result<EhCredentials, DieselError> {
    let (
        access,
        refresh,
        verifier,
        expires_at,
        refreshing_since,
        org_id,
        org_name,
        status,
        updated,
    ) = row;
    Ok(EhCredentials {
        access_token_enc: access,
        refresh_token_enc: refresh,
        code_verifier_enc: verifier,
        expires_at: parse_instant(&expires_at)?,
        refreshing_since: refreshing_since.as_deref().map(parse_instant).transpose()?,
        organisation_id: org_id,
        organisation_name: org_name,
        status: EhCredentialStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("credential status {status:?}")))?,
        updated_at: parse_instant(&updated)?,
    })
}

/// The credential row, as a target for an UPDATE.
fn the_row() -> diesel::dsl::Find<eh_credentials::table, i32> {
    eh_credentials::table.find(ROW)
}

/// Runs one UPDATE of the row in a write transaction and says whether it changed the row.
async fn update_row<F>(db: &Db, update: F) -> Result<bool, StoreError>
where
    F: Fn(&mut AnyConnection) -> Result<usize, DieselError> + Send + Sync + 'static,
{
    let Ok(changed) = db
        .write(move |conn| update(conn).map(|n| Ok::<_, Infallible>(n > 0)))
        .await?;
    Ok(changed)
}

#[async_trait]
impl EhCredentialStore for SqlStore {
    async fn get_credentials(&self) -> Result<Option<EhCredentials>, StoreError> {
        self.db
            .read(|conn| {
                the_row()
                    .select(CREDENTIAL_COLUMNS)
                    .first::<CredentialRow>(conn)
                    .optional()?
                    .map(credentials_from_row)
                    .transpose()
            })
            .await
    }

    async fn save_credentials(
        &self,
        credentials: NewEhCredentials,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (c, stamp) = (credentials, instant(now));
        let Ok(()) = self
            .db
            .write(move |conn| {
                let values = (
                    eh_credentials::access_token_enc.eq(&c.access_token_enc),
                    eh_credentials::refresh_token_enc.eq(&c.refresh_token_enc),
                    eh_credentials::code_verifier_enc.eq(&c.code_verifier_enc),
                    eh_credentials::expires_at.eq(instant(c.expires_at)),
                    eh_credentials::refreshing_since.eq(None::<String>),
                    eh_credentials::organisation_id.eq(&c.organisation_id),
                    eh_credentials::organisation_name.eq(&c.organisation_name),
                    eh_credentials::status.eq(EhCredentialStatus::Active.as_str()),
                    eh_credentials::updated_at.eq(&stamp),
                );
                // Update-or-insert inside the write transaction, so no ON CONFLICT dialects.
                if diesel::update(the_row())
                    .set(values.clone())
                    .execute(conn)?
                    == 0
                {
                    diesel::insert_into(eh_credentials::table)
                        .values((eh_credentials::id.eq(ROW), values))
                        .execute(conn)?;
                }
                Ok(Ok::<_, Infallible>(()))
            })
            .await?;
        Ok(())
    }

    async fn save_organisation(
        &self,
        organisation_id: String,
        organisation_name: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let stamp = instant(now);
        update_row(&self.db, move |conn| {
            diesel::update(the_row())
                .set((
                    eh_credentials::organisation_id.eq(&organisation_id),
                    eh_credentials::organisation_name.eq(&organisation_name),
                    eh_credentials::updated_at.eq(&stamp),
                ))
                .execute(conn)
        })
        .await
    }

    async fn begin_refresh(
        &self,
        now: DateTime<Utc>,
        stale_after: TimeDelta,
    ) -> Result<bool, StoreError> {
        let stamp = instant(now);
        // With an absurd `stale_after` no marker is ever stale.
        let cutoff = now.checked_sub_signed(stale_after).map(instant);
        update_row(&self.db, move |conn| {
            let free = eh_credentials::refreshing_since.is_null();
            let target =
                the_row().filter(eh_credentials::status.eq(EhCredentialStatus::Active.as_str()));
            match &cutoff {
                // Instants are fixed-width text, so text order is time order.
                Some(cutoff) => diesel::update(
                    target.filter(free.or(eh_credentials::refreshing_since.le(cutoff))),
                )
                .set(eh_credentials::refreshing_since.eq(&stamp))
                .execute(conn),
                None => diesel::update(target.filter(free))
                    .set(eh_credentials::refreshing_since.eq(&stamp))
                    .execute(conn),
            }
        })
        .await
    }

    async fn finish_refresh(
        &self,
        tokens: RefreshedTokens,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let stamp = instant(now);
        update_row(&self.db, move |conn| {
            diesel::update(the_row())
                .set((
                    eh_credentials::access_token_enc.eq(&tokens.access_token_enc),
                    eh_credentials::refresh_token_enc.eq(&tokens.refresh_token_enc),
                    eh_credentials::expires_at.eq(instant(tokens.expires_at)),
                    eh_credentials::refreshing_since.eq(None::<String>),
                    eh_credentials::status.eq(EhCredentialStatus::Active.as_str()),
                    eh_credentials::updated_at.eq(&stamp),
                ))
                .execute(conn)
        })
        .await
    }

    async fn abandon_refresh(&self, claimed_at: DateTime<Utc>) -> Result<bool, StoreError> {
        let marker = instant(claimed_at);
        update_row(&self.db, move |conn| {
            diesel::update(the_row().filter(eh_credentials::refreshing_since.eq(&marker)))
                .set(eh_credentials::refreshing_since.eq(None::<String>))
                .execute(conn)
        })
        .await
    }

    async fn mark_reauth_required(&self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let stamp = instant(now);
        update_row(&self.db, move |conn| {
            diesel::update(the_row())
                .set((
                    eh_credentials::status.eq(EhCredentialStatus::ReauthRequired.as_str()),
                    eh_credentials::refreshing_since.eq(None::<String>),
                    eh_credentials::updated_at.eq(&stamp),
                ))
                .execute(conn)
        })
        .await
    }
}
