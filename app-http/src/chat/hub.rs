//! The in-process chat hub (portal.md P9.5): the open sockets of each user, each fed by a bounded
//! queue of ready-to-send frames. Also the socket registry of every hub adapter (the PostgreSQL
//! hub hands what it hears to this one), and the per-user socket cap of H5.1.

use super::frames;
use domain::ports::{ChatDelivery, ChatHub};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// H5.1: open sockets per user.
pub const MAX_SOCKETS_PER_USER: usize = 5;
/// Frames waiting for a slow socket before new ones are dropped (delivery is best effort).
const QUEUE: usize = 256;

type Sockets = HashMap<i64, Vec<(u64, mpsc::Sender<Arc<str>>)>>;

#[derive(Debug, Default)]
pub struct LocalHub {
    sockets: Mutex<Sockets>,
}

/// A registered socket; unregisters itself when dropped (also when the upgrade never happens).
#[derive(Debug)]
pub struct SocketGuard {
    hub: Arc<LocalHub>,
    pub user_id: i64,
    pub socket_id: u64,
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.hub.unregister(self.user_id, self.socket_id);
    }
}

impl LocalHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Sockets> {
        // A panic while holding the lock leaves the map usable: recover it.
        self.sockets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a socket for `user_id` unless it already has `MAX_SOCKETS_PER_USER`.
    pub fn register(
        self: &Arc<Self>,
        user_id: i64,
    ) -> Option<(SocketGuard, mpsc::Receiver<Arc<str>>)> {
        let mut sockets = self.lock();
        let list = sockets.entry(user_id).or_default();
        if list.len() >= MAX_SOCKETS_PER_USER {
            return None;
        }
        // Random ids: unique across the processes that share a PostgreSQL hub.
        let socket_id = fastrand::u64(1..);
        let (tx, rx) = mpsc::channel(QUEUE);
        list.push((socket_id, tx));
        let guard = SocketGuard {
            hub: self.clone(),
            user_id,
            socket_id,
        };
        Some((guard, rx))
    }

    fn unregister(&self, user_id: i64, socket_id: u64) {
        let mut sockets = self.lock();
        if let Some(list) = sockets.get_mut(&user_id) {
            list.retain(|(id, _)| *id != socket_id);
            if list.is_empty() {
                sockets.remove(&user_id);
            }
        }
    }

    /// How many sockets `user_id` has open here.
    pub fn socket_count(&self, user_id: i64) -> usize {
        self.lock().get(&user_id).map_or(0, Vec::len)
    }

    /// Queues `frame` on every socket of `user_id` but `except`.
    pub fn deliver_frame(&self, user_id: i64, except: Option<u64>, frame: Arc<str>) {
        let sockets = self.lock();
        for (id, tx) in sockets.get(&user_id).into_iter().flatten() {
            if Some(*id) != except && tx.try_send(frame.clone()).is_err() {
                tracing::debug!(user_id, "socket queue full; frame dropped");
            }
        }
    }
}

#[async_trait::async_trait]
impl ChatHub for LocalHub {
    async fn publish(&self, delivery: ChatDelivery) {
        let frame: Arc<str> = frames::event(&delivery.event).into();
        self.deliver_frame(delivery.user_id, delivery.except_socket, frame);
    }
}
