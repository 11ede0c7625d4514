//! The multi-instance chat hub (portal.md P9.5, "adds a hub adapter behind the same `ChatHub`
//! port"): every process publishes its events with PostgreSQL `NOTIFY` and listens on a dedicated
//! connection; what it hears goes to its own sockets through the `LocalHub`. A process also hears
//! its own notifications, so local sockets are served by the same path as remote ones.

use super::frames;
use super::hub::LocalHub;
use domain::ports::{ChatDelivery, ChatHub};
use serde::{Deserialize, Serialize};
use sql_store::{DatabaseUrl, SqlStore};
use std::sync::Arc;

/// The notification channel.
pub const CHANNEL: &str = "allot_chat";
/// PostgreSQL refuses payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7_900;

/// One notification: the target user, the socket to skip, the frame.
#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    u: i64,
    x: Option<u64>,
    f: String,
}

#[derive(Debug)]
pub struct PgHub {
    store: SqlStore,
    local: Arc<LocalHub>,
}

impl PgHub {
    /// Starts listening; `None` when `url` is not PostgreSQL or the listener cannot start.
    pub fn start(store: SqlStore, url: &DatabaseUrl, local: Arc<LocalHub>) -> Option<PgHub> {
        let mut heard = sql_store::listen(url, CHANNEL)?;
        let sink = local.clone();
        tokio::spawn(async move {
            while let Some(payload) = heard.recv().await {
                match serde_json::from_str::<Wire>(&payload) {
                    Ok(w) => sink.deliver_frame(w.u, w.x, w.f.into()),
                    Err(e) => tracing::warn!(error = %e, "unreadable chat notification"),
                }
            }
        });
        Some(PgHub { store, local })
    }
}

#[async_trait::async_trait]
impl ChatHub for PgHub {
    async fn publish(&self, delivery: ChatDelivery) {
        let wire = Wire {
            u: delivery.user_id,
            x: delivery.except_socket,
            f: frames::event(&delivery.event),
        };
        let payload = serde_json::to_string(&wire).unwrap_or_default();
        if payload.len() > MAX_PAYLOAD {
            // Too big for NOTIFY (long multi-byte bodies): this process's sockets still get it;
            // others catch up from history (P9.5: best effort).
            tracing::warn!(bytes = payload.len(), "chat event too large to notify");
            self.local.deliver_frame(wire.u, wire.x, wire.f.into());
            return;
        }
        if let Err(e) = self.store.notify(CHANNEL, payload).await {
            tracing::warn!(error = %e, "NOTIFY failed; delivering locally only");
            self.local.deliver_frame(wire.u, wire.x, wire.f.into());
        }
    }
}
