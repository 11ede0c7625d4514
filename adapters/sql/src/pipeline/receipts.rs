//! Webhook receipts (S9.1) and the replays they give a decision (H3.1).

use crate::SqlStore;
use crate::schema::pipeline::{allocation_decision_records, webhook_receipts};
use crate::time::{instant, parse_instant};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ports::{NewReceipt, ReplayEntry, StoreError, WebhookReceipts};

#[async_trait]
impl WebhookReceipts for SqlStore {
    async fn record_receipt(&self, receipt: &NewReceipt) -> Result<(), StoreError> {
        let r = receipt.clone();
        self.db
            .run(move |conn| {
                diesel::insert_into(webhook_receipts::table)
                    .values((
                        webhook_receipts::endpoint.eq(r.endpoint.as_str()),
                        webhook_receipts::deal_id.eq(&r.deal_id),
                        webhook_receipts::body_sha256.eq(&r.body_sha256),
                        webhook_receipts::signature_version.eq(&r.signature_version),
                        webhook_receipts::received_at.eq(instant(r.received_at)),
                        webhook_receipts::status_code.eq(i32::from(r.status_code)),
                        webhook_receipts::outcome.eq(&r.outcome),
                        webhook_receipts::decision_id.eq(&r.decision_id),
                        webhook_receipts::replayed.eq(r.replayed),
                    ))
                    .execute(conn)
                    .map(drop)
            })
            .await
    }

    async fn replays(&self, decision_id: &str) -> Result<Vec<ReplayEntry>, StoreError> {
        let id = decision_id.to_owned();
        self.db
            .read(move |conn| {
                let Some(first_body) = allocation_decision_records::table
                    .find(&id)
                    .select(allocation_decision_records::request_sha256)
                    .first::<String>(conn)
                    .optional()?
                else {
                    return Ok(Vec::new());
                };
                webhook_receipts::table
                    .select((webhook_receipts::received_at, webhook_receipts::body_sha256))
                    .filter(webhook_receipts::decision_id.eq(&id))
                    .filter(webhook_receipts::replayed.eq(true))
                    .order((webhook_receipts::received_at, webhook_receipts::id))
                    .load::<(String, String)>(conn)?
                    .into_iter()
                    .map(|(received_at, body_sha256)| {
                        Ok(ReplayEntry {
                            received_at: parse_instant(&received_at)?,
                            body_differs: body_sha256 != first_body,
                            body_sha256,
                        })
                    })
                    .collect()
            })
            .await
    }

    async fn purge_receipts(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        self.db
            .run(move |conn| {
                diesel::delete(
                    webhook_receipts::table
                        .filter(webhook_receipts::received_at.lt(instant(cutoff))),
                )
                .execute(conn)
                .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
            })
            .await
    }
}
