//! Opening the database file: connection options (WAL, `synchronous` as
//! the operator's [`Durability`] says, foreign keys), the two pools, the
//! embedded migrations, and the one fix-up SQL cannot do (username
//! skeletons); the readiness check and closing.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use webchat_core::store::{Durability, StoreError};
use webchat_protocol::validate::name_skeleton;

use crate::{SqliteStore, backend};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl SqliteStore {
    /// Opens (creating if needed) `webchat.db` in `data_dir` and migrates
    /// it, with every commit on disk before it returns.
    pub async fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(data_dir, Durability::Full).await
    }

    /// [`SqliteStore::open`] with the durability the operator chose.
    pub async fn open_with(
        data_dir: &Path,
        durability: Durability,
    ) -> Result<SqliteStore, StoreError> {
        Self::open_file(&data_dir.join("webchat.db"), durability).await
    }

    /// Opens (creating if needed) the database file `path` and migrates it;
    /// its folder must exist.
    pub async fn open_file(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        let synchronous = match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(backend)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        // One connection for every write: SQLite has one writer anyway, and
        // funnelling writes through one connection avoids `SQLITE_BUSY`.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        fill_username_skeletons(&writer).await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(backend)?;
        Ok(SqliteStore { writer, readers })
    }
}

/// Gives every account without a username skeleton its skeleton: accounts
/// made before migration 0006, or all of them after a migration that empties
/// the column for a new confusables table. Two usernames that already look
/// alike cannot both have theirs (the unique index): the older account keeps
/// it, the newer stays without and is logged; guests are still kept from
/// both, since both have that skeleton.
async fn fill_username_skeletons(writer: &SqlitePool) -> Result<(), StoreError> {
    let accounts: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, username FROM users \
         WHERE username IS NOT NULL AND username_skeleton IS NULL ORDER BY id",
    )
    .fetch_all(writer)
    .await
    .map_err(backend)?;
    for (id, username) in accounts {
        let filled = sqlx::query("UPDATE users SET username_skeleton = ? WHERE id = ?")
            .bind(name_skeleton(&username))
            .bind(id)
            .execute(writer)
            .await
            .map_err(backend);
        match filled {
            Ok(_) => {}
            Err(StoreError::Conflict) => tracing::warn!(
                user = id,
                %username,
                "username looks like an older account's; it keeps no skeleton of its own"
            ),
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// A real read of the database file, not just of an open connection.
pub(crate) async fn ping(store: &SqliteStore) -> Result<(), StoreError> {
    sqlx::query("SELECT head FROM rooms WHERE id = 'lobby'")
        .fetch_one(&store.readers)
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn close(store: &SqliteStore) {
    store.readers.close().await;
    store.writer.close().await;
}

#[cfg(test)]
mod tests {
    use webchat_core::store::Store;

    use super::*;

    /// `PRAGMA synchronous` on the writer: 2 is FULL, 1 is NORMAL.
    async fn synchronous(store: &SqliteStore) -> i64 {
        sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&store.writer)
            .await
            .expect("pragma")
    }

    #[tokio::test]
    async fn durability_sets_how_commits_reach_the_disk() {
        let dir = tempfile::tempdir().expect("temp dir");
        let full = SqliteStore::open(dir.path()).await.expect("opens");
        assert_eq!(synchronous(&full).await, 2, "full is the default");
        full.close().await;
        let normal = SqliteStore::open_with(dir.path(), Durability::Normal)
            .await
            .expect("reopens");
        assert_eq!(synchronous(&normal).await, 1);
        normal.close().await;
    }
}
