//! Real-time chat (portal.md P9, http-api.md H5): the hub adapters, the per-process limits, the
//! frame formats and the WebSocket endpoint.

pub mod frames;
pub mod hub;
pub mod limits;
pub mod pg_hub;
pub mod ws;

use crate::state::AppState;
use domain::ports::ChatHub;
use domain::usecase::portal::chat::Chat;
use domain::usecase::portal::connections::Connections;
use hub::LocalHub;
use limits::ChatLimits;
use sql_store::{DatabaseUrl, SqlStore};
use std::sync::Arc;

pub type DynHub = Arc<dyn ChatHub>;

/// The chat side of the application state.
pub struct ChatRuntime {
    /// This process's sockets.
    pub sockets: Arc<LocalHub>,
    /// Where events are published: the PostgreSQL hub on PostgreSQL, else the local one.
    pub hub: DynHub,
    pub limits: ChatLimits,
    /// Set at shutdown: every socket closes with 1001 (H5.6).
    closing: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for ChatRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatRuntime").finish_non_exhaustive()
    }
}

impl ChatRuntime {
    pub fn new(store: &SqlStore, url: &DatabaseUrl) -> ChatRuntime {
        let sockets = Arc::new(LocalHub::default());
        let hub: DynHub = match pg_hub::PgHub::start(store.clone(), url, sockets.clone()) {
            Some(pg) => Arc::new(pg),
            None => sockets.clone(),
        };
        ChatRuntime {
            sockets,
            hub,
            limits: ChatLimits::default(),
            closing: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Closes every socket of this process with 1001 (server shutting down, H5.6).
    pub fn shutdown(&self) {
        self.closing.send_replace(true);
    }

    /// Becomes true at shutdown.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

/// The chat use cases over the SQL store and the configured hub.
pub fn chat(state: &AppState) -> Chat<SqlStore, SqlStore, SqlStore, DynHub> {
    Chat::new(
        state.store.clone(),
        state.store.clone(),
        state.store.clone(),
        state.chat.hub.clone(),
    )
}

/// The connection use cases over the SQL store.
pub fn connections(state: &AppState) -> Connections<SqlStore, SqlStore> {
    Connections::new(state.store.clone(), state.store.clone())
}
