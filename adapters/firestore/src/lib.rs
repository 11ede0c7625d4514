//! Firestore (REST): the office-closure, capacity-override, employee and leave stores kept in the
//! legacy Firestore collections (upstreams.md U4), for firms that keep Firestore
//! (`ALLOCATION_STORE=firestore`), and the source of the one-time `import-firestore` copy.
//!
//! Every call goes through the shared client policy of `upstream-http` (U0) with Firestore's
//! policy (U4.7). [`FirestoreStore`] is built from a [`FirestoreConfig`] whose key never prints;
//! tokens come from a service-account key, the metadata server or the emulator (U4.3).
//!
//! Firestore has no transactions across these writes: a sync spans several commits, upserts
//! first and deletions last (U4.6), and the override uniqueness check is a read before the
//! write (see `docs/upstream-firestore.md`).

mod auth;
mod config;
mod documents;
mod employees;
mod http;
mod leave;
mod stores;
pub mod value;

pub use config::{
    DATASTORE_SCOPE, DEFAULT_BASE_URL, DEFAULT_METADATA_TOKEN_URL, DEFAULT_TOKEN_URL,
    FirestoreAuth, FirestoreConfig, FirestoreConfigError, ServiceAccountKey,
};

use domain::ports::{StoreError, UpstreamError};
use http::FirestoreHttp;

/// The closure, override, employee and leave stores over Firestore.
#[derive(Debug)]
pub struct FirestoreStore {
    http: FirestoreHttp,
}

impl FirestoreStore {
    pub fn new(config: &FirestoreConfig) -> Result<FirestoreStore, FirestoreConfigError> {
        Ok(FirestoreStore {
            http: FirestoreHttp::new(config)?,
        })
    }
}

/// A store port's error for a failed Firestore call (U4.7: CRUD failures answer 503
/// `upstream_unavailable`).
fn store_error(e: UpstreamError) -> StoreError {
    StoreError::Unavailable(format!("firestore: {e}"))
}

/// At most 500 writes per commit (U4.4).
const MAX_WRITES_PER_COMMIT: usize = 500;
