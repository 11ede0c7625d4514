//! PostgreSQL `LISTEN`/`NOTIFY`, for fan-out between server processes that share one database
//! (the multi-instance chat hub, portal.md P9.5). Publishing uses a pooled connection; listening
//! holds one dedicated connection on its own thread, polled because libpq exposes notifications
//! only after input is consumed, and re-established after any failure.

use crate::{AnyConnection, DatabaseUrl, SqlStore};
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, RunQueryDsl};
use domain::ports::StoreError;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often the listening connection is polled.
const POLL: Duration = Duration::from_millis(5);
/// Wait before reconnecting after a failure.
const RECONNECT: Duration = Duration::from_secs(1);

impl SqlStore {
    /// `pg_notify(channel, payload)`; refused on SQLite (one process, nothing to notify).
    pub async fn notify(&self, channel: &str, payload: String) -> Result<(), StoreError> {
        let channel = channel.to_owned();
        self.db()
            .run(move |conn| match conn {
                AnyConnection::Postgres(pg) => diesel::sql_query("SELECT pg_notify($1, $2)")
                    .bind::<Text, _>(channel)
                    .bind::<Text, _>(payload)
                    .execute(pg)
                    .map(|_| ()),
                AnyConnection::Sqlite(_) => Err(diesel::result::Error::QueryBuilderError(
                    "NOTIFY needs PostgreSQL".into(),
                )),
            })
            .await
    }
}

/// The payloads notified on `channel`, from a dedicated connection; `None` on SQLite. The
/// listener thread ends when the receiver is dropped.
pub fn listen(url: &DatabaseUrl, channel: &str) -> Option<mpsc::UnboundedReceiver<String>> {
    let DatabaseUrl::Postgres(url) = url else {
        return None;
    };
    // A channel name is an identifier: keep it to a safe alphabet rather than quote it.
    if channel.is_empty() || !channel.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let (url, channel) = (url.clone(), channel.to_owned());
    let spawned = std::thread::Builder::new()
        .name(format!("listen-{channel}"))
        .spawn(move || {
            while !tx.is_closed() {
                if let Err(e) = listen_once(&url, &channel, &tx) {
                    tracing::warn!(error = %e, channel, "LISTEN connection lost; reconnecting");
                    std::thread::sleep(RECONNECT);
                }
            }
        });
    match spawned {
        Ok(_) => Some(rx),
        Err(e) => {
            tracing::error!(error = %e, "cannot start the LISTEN thread");
            None
        }
    }
}

/// One connection's life: returns `Ok` when the receiver is gone, `Err` on a failure.
fn listen_once(url: &str, channel: &str, tx: &mpsc::UnboundedSender<String>) -> Result<(), String> {
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    conn.batch_execute(&format!("LISTEN {channel}"))
        .map_err(|e| e.to_string())?;
    tracing::info!(channel, "listening for notifications");
    loop {
        for notification in conn.notifications_iter() {
            let notification = notification.map_err(|e| e.to_string())?;
            if tx.send(notification.payload).is_err() {
                return Ok(());
            }
        }
        if tx.is_closed() {
            return Ok(());
        }
        std::thread::sleep(POLL);
    }
}
