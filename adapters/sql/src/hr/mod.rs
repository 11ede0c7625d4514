//! Employment Hero's local copy (http-api.md H2.3, H2.4, H2.9; H7.1, H7.2, H7.8, H7.9): the
//! employee and leave syncs, their lookups and the allocation's [`domain::ports::LeaveSource`],
//! the OAuth credential with its single-flight refresh marker, and the OAuth states.

mod credentials;
mod lookups;
mod oauth_states;
mod sync;

/// Values per `IN (…)` list: far below the bind-parameter limits of SQLite (32,766) and
/// PostgreSQL (65,535), even with two lists in one query.
const CHUNK: usize = 500;

/// `ekey` of an optional email, `None` when it is missing or blank: the `*_lower` columns.
fn email_key(email: Option<&str>) -> Option<String> {
    email
        .map(domain::allocation::ekey)
        .filter(|key| !key.is_empty())
}
