//! `DATABASE_URL` (http-api.md H8): the scheme chooses the backend. `postgres://` or
//! `postgresql://` selects PostgreSQL; anything else is a SQLite path (an optional `sqlite://`
//! prefix is stripped). A malformed PostgreSQL URL is an error, never a SQLite file of that name.

use std::fmt;
use std::path::PathBuf;

/// Where the database is.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// A `DATABASE_URL` that names no usable database.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("DATABASE_URL is empty")]
    Empty,
    #[error("DATABASE_URL looks like a PostgreSQL URL but is malformed: {0}")]
    MalformedPostgres(&'static str),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<DatabaseUrl, UrlError> {
        let url = raw.trim();
        if url.is_empty() {
            return Err(UrlError::Empty);
        }
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres:") || lower.starts_with("postgresql:") {
            let rest = url.split_once(':').map_or("", |(_, rest)| rest);
            let Some(authority_and_path) = rest.strip_prefix("//") else {
                return Err(UrlError::MalformedPostgres(
                    "expected postgres://host/database",
                ));
            };
            if authority_and_path.is_empty()
                || authority_and_path.starts_with('/') && authority_and_path.len() == 1
            {
                return Err(UrlError::MalformedPostgres("no host or database"));
            }
            if url.chars().any(char::is_whitespace) {
                return Err(UrlError::MalformedPostgres("contains white space"));
            }
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() {
            return Err(UrlError::Empty);
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The two supported backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

// The PostgreSQL URL may hold a password (security.md S10.1): never print it.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            DatabaseUrl::Postgres(_) => f.write_str("Postgres(<redacted>)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h8_scheme_selects_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("./data/app.db").unwrap(),
            DatabaseUrl::Sqlite("./data/app.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u:p@127.0.0.1/test")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("POSTGRES://127.0.0.1/test")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
    }

    #[test]
    fn h8_malformed_postgres_urls_are_errors_not_files() {
        for bad in [
            "postgres:test",
            "postgres://",
            "postgresql:/x",
            "postgres:///",
            "postgres://a b/c",
        ] {
            assert!(
                matches!(DatabaseUrl::parse(bad), Err(UrlError::MalformedPostgres(_))),
                "{bad}"
            );
        }
        assert_eq!(DatabaseUrl::parse("  "), Err(UrlError::Empty));
    }

    #[test]
    fn the_password_never_prints() {
        let url = DatabaseUrl::parse("postgres://allot:hunter2@db/allot").unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
    }
}
