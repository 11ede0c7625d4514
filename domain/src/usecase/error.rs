//! Errors of the allocation use case.

use crate::ports::{StoreError, UpstreamError};
use std::fmt;

/// The firm-wide inputs read before anything is computed (allocation.md SL1, last paragraph).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotSource {
    /// The CRM user listing (upstreams.md U1.4).
    Advisers,
    /// The office closures store.
    Closures,
    /// The capacity overrides store.
    Overrides,
}

impl SnapshotSource {
    /// The stable snake_case name of the source.
    pub fn code(self) -> &'static str {
        match self {
            SnapshotSource::Advisers => "hubspot_users",
            SnapshotSource::Closures => "closures_store",
            SnapshotSource::Overrides => "overrides_store",
        }
    }
}

impl fmt::Display for SnapshotSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SnapshotSource::Advisers => "the adviser listing",
            SnapshotSource::Closures => "the office closures",
            SnapshotSource::Overrides => "the capacity overrides",
        })
    }
}

/// Why a snapshot source could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadFailure {
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What can stop the allocation use case. An allocation that ends without a choice
/// (`no_eligible_adviser`, or `upstream_unavailable` because every business-eligible adviser is
/// `data_unavailable`) is not an error here: it is the `error` of the `Ok` result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocateError {
    /// A firm-wide input could not be read, so nothing was computed (SL1, H2.1.4).
    #[error("{which} could not be read")]
    UpstreamUnavailable {
        which: SnapshotSource,
        #[source]
        cause: ReadFailure,
    },
    /// The CRM refused or failed the deal owner write (U1.6.1); the cause tells whether a retry
    /// can help.
    #[error("the deal owner could not be written")]
    OwnerWriteFailed(#[source] UpstreamError),
}

impl AllocateError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            AllocateError::UpstreamUnavailable { .. } => "upstream_unavailable",
            AllocateError::OwnerWriteFailed(_) => "hubspot_write_failed",
        }
    }

    pub(crate) fn unavailable(which: SnapshotSource, cause: impl Into<ReadFailure>) -> Self {
        AllocateError::UpstreamUnavailable {
            which,
            cause: cause.into(),
        }
    }
}
