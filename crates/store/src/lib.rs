//! The one place that knows which store backends exist: a database URL
//! ([`DatabaseUrl`]) names one, and [`open_store`] opens it as the
//! `Arc<dyn Store>` the rest of the server runs on. The server and the
//! admin command call this and name no backend themselves, as atuin picks
//! its database from the URL and runs generic code above it.
//!
//! - `sqlite://PATH`: the SQLite database file at `PATH` (relative to the
//!   working folder; `sqlite:///abs/path.db` for an absolute one).
//! - `postgres://…` (or `postgresql://…`): PostgreSQL, for several nodes
//!   on one database (`crates/store-postgres`).
//! - No URL: `webchat.db` in the data folder, as before URLs existed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use thiserror::Error;
use webchat_core::store::{Durability, Store, StoreError};
use webchat_store_postgres::PgStore;
use webchat_store_sqlite::SqliteStore;

/// A database URL as the operator gave it (`--database-url`).
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, kept whole for the driver. It may hold
    /// a password: [`fmt::Debug`] and [`fmt::Display`] hide it.
    Postgres(String),
}

/// Why a database URL is not one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    #[error("a database URL starts with sqlite:// or postgres://")]
    UnknownScheme,
    #[error("sqlite:// needs a file path")]
    MissingPath,
}

/// Why the store could not be opened.
#[derive(Debug, Error)]
pub enum OpenError {
    #[error("creating the folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("opening {url}: {source}")]
    Store { url: String, source: StoreError },
}

impl FromStr for DatabaseUrl {
    type Err = UrlError;

    fn from_str(url: &str) -> Result<Self, UrlError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(UrlError::MissingPath);
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        Err(UrlError::UnknownScheme)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    /// As [`fmt::Display`]: settings are logged, passwords must not be.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `url` with the password of its user-info part, if any, replaced.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_owned(),
    }
}

/// Opens the store `url` names, or `webchat.db` in `data_dir` when none,
/// creating folders as needed and migrating the schema; every backend
/// commits as `durability` says.
pub async fn open_store(
    url: Option<&DatabaseUrl>,
    data_dir: &Path,
    durability: Durability,
) -> Result<Arc<dyn Store>, OpenError> {
    let file = match url {
        None => data_dir.join("webchat.db"),
        Some(DatabaseUrl::Sqlite(file)) => file.clone(),
        Some(url @ DatabaseUrl::Postgres(connect)) => {
            let store = PgStore::open_with(connect, durability)
                .await
                .map_err(|source| OpenError::Store {
                    url: url.to_string(),
                    source,
                })?;
            return Ok(Arc::new(store));
        }
    };
    if let Some(folder) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| OpenError::Folder {
            path: folder.to_owned(),
            source,
        })?;
    }
    let store = SqliteStore::open_file(&file, durability)
        .await
        .map_err(|source| OpenError::Store {
            url: DatabaseUrl::Sqlite(file.clone()).to_string(),
            source,
        })?;
    Ok(Arc::new(store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_backend() {
        assert_eq!(
            "sqlite://data/chat.db".parse(),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("data/chat.db")))
        );
        assert_eq!(
            "sqlite:///var/lib/webchat.db".parse(),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("/var/lib/webchat.db")))
        );
        assert_eq!(
            "postgresql://h/db".parse(),
            Ok(DatabaseUrl::Postgres("postgresql://h/db".into()))
        );
        assert_eq!(
            "sqlite://".parse::<DatabaseUrl>(),
            Err(UrlError::MissingPath)
        );
        assert_eq!(
            "mysql://h/db".parse::<DatabaseUrl>(),
            Err(UrlError::UnknownScheme)
        );
        assert_eq!(
            "data/chat.db".parse::<DatabaseUrl>(),
            Err(UrlError::UnknownScheme)
        );
    }

    #[test]
    fn passwords_are_never_shown() {
        let url: DatabaseUrl = "postgres://chat:s3cret@db:5432/chat?sslmode=require"
            .parse()
            .expect("parses");
        assert_eq!(
            url.to_string(),
            "postgres://chat:***@db:5432/chat?sslmode=require"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        let no_password: DatabaseUrl = "postgres://chat@db/chat".parse().expect("parses");
        assert_eq!(no_password.to_string(), "postgres://chat@db/chat");
        // An '@' in the path or query is not user info.
        assert_eq!(
            without_password("postgres://db/chat?user=a@b"),
            "postgres://db/chat?user=a@b"
        );
    }

    #[tokio::test]
    async fn an_unreachable_postgres_is_an_error_that_hides_the_password() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Port 1: nothing listens there.
        let url: DatabaseUrl = "postgres://chat:hunter2@127.0.0.1:1/chat"
            .parse()
            .expect("parses");
        let error = open_store(Some(&url), dir.path(), Durability::Full)
            .await
            .err()
            .expect("refused");
        assert!(matches!(error, OpenError::Store { .. }), "{error}");
        let shown = error.to_string();
        assert!(
            shown.contains("postgres://chat:***@127.0.0.1:1/chat"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[tokio::test]
    async fn sqlite_opens_the_named_file_or_the_data_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("nested/chat.db");
        let url = DatabaseUrl::Sqlite(file.clone());
        let store = open_store(Some(&url), dir.path(), Durability::Full)
            .await
            .expect("opens");
        store.create_guest("ann").await.expect("writes");
        store.close().await;
        assert!(file.exists(), "the named file, its folder made");
        assert!(!dir.path().join("webchat.db").exists());
        let store = open_store(None, dir.path(), Durability::Full)
            .await
            .expect("opens");
        store.close().await;
        assert!(dir.path().join("webchat.db").exists(), "the default");
    }
}
