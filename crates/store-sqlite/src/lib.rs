//! The embedded store: SQLite through sqlx, in one file of the data folder.
//!
//! - WAL journal, so readers never block the writer, with `synchronous =
//!   FULL` by default: a commit is on disk when `append_batch` returns, so an
//!   `ack` survives even a power cut. [`Durability::Normal`] (`synchronous =
//!   NORMAL`) syncs only at checkpoints: an `ack` then survives a crash of
//!   the process but not a power loss (see [`Durability`]).
//! - Two pools: one connection for every write (SQLite has one writer
//!   anyway; funnelling writes through one connection avoids `SQLITE_BUSY`
//!   upgrades), and a few connections for reads.
//! - Migrations are embedded in the binary and run at start-up; then the
//!   accounts without a username skeleton get one (SQL cannot compute it).
//! - Only bound parameters: no SQL is ever built from input.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use webchat_core::clock;
use webchat_core::model::{
    Author, DirectoryKey, Event, EventId, MemberRoom, NewEvent, NewRoom, Page, Role, Room,
    RoomAccess, SessionInfo, SessionKind, User, UserId,
};
use webchat_core::store::{
    AppendError, Appended, Ban, Credentials, Durability, EventLog, Member, RoomRules, SearchPage,
    Store, StoreError,
};
use webchat_protocol::validate::{name_skeleton, name_skeletons};
use webchat_protocol::views::{EventKind, Visibility};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
}

fn backend(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::RowNotFound => StoreError::NotFound,
        _ => StoreError::Backend(error.to_string()),
    }
}

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
        let path = data_dir.join("webchat.db");
        let synchronous = match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(backend)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
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

// Column lists as macros so that every query stays one `&'static str`:
// sqlx refuses SQL built at run time, which is the point.
macro_rules! room_columns {
    () => {
        "r.id, r.name, r.topic, r.visibility, r.head, r.created_by, \
         (SELECT COUNT(*) FROM members m2 WHERE m2.room_id = r.id) AS member_count"
    };
}

macro_rules! user_columns {
    () => {
        "u.id, u.name, u.guest, (u.guest AND u.seed_client_id IS NOT NULL) AS seed, u.username, u.is_admin"
    };
}

/// The same columns for `RETURNING` (no table alias there).
macro_rules! returning_user {
    () => {
        " RETURNING id, name, guest, (guest AND seed_client_id IS NOT NULL) AS seed, username, is_admin"
    };
}

macro_rules! select_events {
    () => {
        "SELECT e.id, e.room_id, e.seq, e.kind, e.author_id, u.name AS author_name, \
         u.guest AS author_guest, (u.guest AND u.seed_client_id IS NOT NULL) AS author_seed, \
         e.body, e.target, e.nonce, e.ts, e.edited, e.deleted, \
         e.actor_id, a.name AS actor_name, a.guest AS actor_guest, \
         (a.guest AND a.seed_client_id IS NOT NULL) AS actor_seed \
         FROM events e JOIN users u ON u.id = e.author_id LEFT JOIN users a ON a.id = e.actor_id "
    };
}

fn user_from(row: &SqliteRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        guest: row.try_get("guest")?,
        seed: row.try_get("seed")?,
        username: row.try_get("username")?,
        admin: row.try_get("is_admin")?,
    })
}

fn room_from(row: &SqliteRow) -> Result<Room, sqlx::Error> {
    let visibility: String = row.try_get("visibility")?;
    let head: i64 = row.try_get("head")?;
    let member_count: i64 = row.try_get("member_count")?;
    let visibility = Visibility::parse(&visibility).unwrap_or(Visibility::Private);
    let created_by: Option<i64> = row.try_get("created_by")?;
    Ok(Room {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        topic: row.try_get("topic")?,
        visibility,
        head: u64::try_from(head).unwrap_or(0),
        member_count: u64::try_from(member_count).unwrap_or(0),
        owner: created_by.filter(|_| visibility != Visibility::Dm),
    })
}

fn event_from(row: &SqliteRow) -> Result<Event, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let seq: i64 = row.try_get("seq")?;
    let actor_id: Option<i64> = row.try_get("actor_id")?;
    let actor_name: Option<String> = row.try_get("actor_name")?;
    let actor_guest: Option<bool> = row.try_get("actor_guest")?;
    let actor_seed: Option<bool> = row.try_get("actor_seed")?;
    Ok(Event {
        room: row.try_get("room_id")?,
        seq: u64::try_from(seq).unwrap_or(0),
        id: row.try_get("id")?,
        ts_ms: row.try_get("ts")?,
        kind: EventKind::parse(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown event kind {kind}").into()))?,
        author: Author {
            id: row.try_get("author_id")?,
            name: row.try_get("author_name")?,
            guest: row.try_get("author_guest")?,
            seed: row.try_get("author_seed")?,
        },
        body: row.try_get("body")?,
        target: row.try_get("target")?,
        nonce: row.try_get("nonce")?,
        actor: actor_id.map(|id| Author {
            id,
            name: actor_name.unwrap_or_default(),
            guest: actor_guest.unwrap_or_default(),
            seed: actor_seed.unwrap_or_default(),
        }),
        edited: row.try_get("edited")?,
        deleted: row.try_get("deleted")?,
    })
}

fn session_from(row: &SqliteRow) -> Result<SessionInfo, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(SessionInfo {
        id: row.try_get("session_id")?,
        user: row.try_get("user_id")?,
        kind: if kind == "token" {
            SessionKind::Token
        } else {
            SessionKind::Session
        },
        name: row.try_get("session_name")?,
        created_at_ms: row.try_get("created_at")?,
        last_used_at_ms: row.try_get("last_used_at")?,
    })
}

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn seq_value(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

/// Turns what a person typed into an FTS5 query that matches every word:
/// each word is quoted, so FTS5 operators and syntax in the input are just text.
fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split_whitespace()
        .take(16)
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// The live message `id` of `room`, for an edit or delete to act on.
async fn live_message(
    tx: &mut Tx<'_>,
    room: &str,
    id: Option<EventId>,
) -> Result<Option<EventId>, sqlx::Error> {
    let Some(id) = id else { return Ok(None) };
    sqlx::query_scalar(
        "SELECT id FROM events WHERE id = ? AND room_id = ? AND kind = 'message' AND deleted = 0",
    )
    .bind(id)
    .bind(room)
    .fetch_optional(&mut **tx)
    .await
}

/// Applies one event's side effects on members, messages and the search index.
async fn apply_effects(
    tx: &mut Tx<'_>,
    new: &NewEvent,
    id: EventId,
    seq: i64,
    ts: i64,
) -> Result<(), sqlx::Error> {
    match new.kind {
        EventKind::Message => {
            sqlx::query(
                "UPDATE members SET own_unread = own_unread + 1 WHERE room_id = ? AND user_id = ?",
            )
            .bind(&new.room)
            .bind(new.author.id)
            .execute(&mut **tx)
            .await?;
            sqlx::query("INSERT INTO message_search (rowid, body) VALUES (?, ?)")
                .bind(id)
                .bind(&new.body)
                .execute(&mut **tx)
                .await?;
        }
        EventKind::Edit => {
            sqlx::query("UPDATE events SET body = ?, edited = 1 WHERE id = ?")
                .bind(&new.body)
                .bind(new.target)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM message_search WHERE rowid = ?")
                .bind(new.target)
                .execute(&mut **tx)
                .await?;
            sqlx::query("INSERT INTO message_search (rowid, body) VALUES (?, ?)")
                .bind(new.target)
                .bind(&new.body)
                .execute(&mut **tx)
                .await?;
        }
        EventKind::Delete => {
            // A tombstone: the text and every edit's text are erased for good.
            sqlx::query("UPDATE events SET body = NULL, deleted = 1 WHERE id = ?")
                .bind(new.target)
                .execute(&mut **tx)
                .await?;
            // It stops being unread for everyone who had not read it yet.
            sqlx::query(
                "UPDATE members SET deleted_unread = deleted_unread + 1 \
                 WHERE room_id = ?1 AND last_read < (SELECT seq FROM events WHERE id = ?2) \
                   AND user_id != (SELECT author_id FROM events WHERE id = ?2)",
            )
            .bind(&new.room)
            .bind(new.target)
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE events SET body = NULL WHERE target = ? AND kind = 'edit'")
                .bind(new.target)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM message_search WHERE rowid = ?")
                .bind(new.target)
                .execute(&mut **tx)
                .await?;
        }
        EventKind::Join => {
            // A new member starts with everything before their join read.
            sqlx::query(
                "INSERT OR IGNORE INTO members (room_id, user_id, joined_at, role, last_read, read_count) \
                 SELECT r.id, ?2, ?3, CASE WHEN r.created_by = ?2 THEN 'owner' ELSE 'member' END, ?4, r.message_count \
                 FROM rooms r WHERE r.id = ?1",
            )
            .bind(&new.room)
            .bind(new.author.id)
            .bind(ts)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        }
        EventKind::Leave => {
            sqlx::query("DELETE FROM members WHERE room_id = ? AND user_id = ?")
                .bind(&new.room)
                .bind(new.author.id)
                .execute(&mut **tx)
                .await?;
        }
        EventKind::Topic => {
            sqlx::query("UPDATE rooms SET topic = ? WHERE id = ?")
                .bind(new.body.as_deref().unwrap_or_default())
                .bind(&new.room)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

#[async_trait]
impl EventLog for SqliteStore {
    async fn append_batch(
        &self,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
        let mut tx = self.writer.begin().await.map_err(backend)?;
        let mut results = Vec::with_capacity(events.len());
        for new in events {
            if let Some(nonce) = &new.nonce {
                let existing = sqlx::query(concat!(
                    select_events!(),
                    "WHERE e.author_id = ? AND e.nonce = ?"
                ))
                .bind(new.author.id)
                .bind(nonce)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
                if let Some(row) = existing {
                    let event = event_from(&row).map_err(backend)?;
                    results.push(Ok(Appended {
                        event,
                        duplicate: true,
                    }));
                    continue;
                }
            }
            if matches!(new.kind, EventKind::Edit | EventKind::Delete)
                && live_message(&mut tx, &new.room, new.target)
                    .await
                    .map_err(backend)?
                    .is_none()
            {
                results.push(Err(AppendError::TargetNotFound));
                continue;
            }
            let is_message = i64::from(new.kind == EventKind::Message);
            let counters: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE rooms SET head = head + 1, message_count = message_count + ? WHERE id = ? \
                 RETURNING head, message_count",
            )
            .bind(is_message)
            .bind(&new.room)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let Some((seq, message_count)) = counters else {
                results.push(Err(AppendError::RoomNotFound));
                continue;
            };
            let ts = clock::now_ms();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO events (room_id, seq, kind, author_id, body, target, nonce, ts, message_no, actor_id) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&new.room)
            .bind(seq)
            .bind(new.kind.as_str())
            .bind(new.author.id)
            .bind(&new.body)
            .bind(new.target)
            .bind(&new.nonce)
            .bind(ts)
            .bind((is_message == 1).then_some(message_count))
            .bind(new.actor.as_ref().map(|a| a.id))
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            apply_effects(&mut tx, new, id, seq, ts)
                .await
                .map_err(backend)?;
            results.push(Ok(Appended {
                duplicate: false,
                event: Event {
                    room: new.room.clone(),
                    seq: seq_value(seq),
                    id,
                    ts_ms: ts,
                    kind: new.kind,
                    author: new.author.clone(),
                    body: new.body.clone(),
                    target: new.target,
                    nonce: new.nonce.clone(),
                    actor: new.actor.clone(),
                    edited: false,
                    deleted: false,
                },
            }));
        }
        tx.commit().await.map_err(backend)?;
        Ok(results)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        // A real read of the database file, not just of an open connection.
        sqlx::query("SELECT head FROM rooms WHERE id = 'lobby'")
            .fetch_one(&self.readers)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn create_guest(&self, name: &str) -> Result<User, StoreError> {
        // The look-alike check and the insert are one statement on the one
        // writer connection: no account can slip in between.
        let [lower, as_written] = name_skeletons(name);
        let row = sqlx::query(concat!(
            "INSERT INTO users (name, guest, created_at) SELECT ?1, 1, ?2 \
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE username_skeleton IN (?3, ?4))",
            returning_user!()
        ))
        .bind(name)
        .bind(clock::now_ms())
        .bind(lower)
        .bind(as_written)
        .fetch_optional(&self.writer)
        .await
        .map_err(backend)?
        .ok_or(StoreError::Conflict)?;
        user_from(&row).map_err(backend)
    }

    async fn seed_guest(&self, client_id: &str) -> Result<User, StoreError> {
        let [lower, as_written] = name_skeletons(client_id);
        let row = sqlx::query(concat!(
            "INSERT INTO users (name, guest, seed_client_id, created_at) SELECT ?1, 1, ?1, ?2 \
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE username_skeleton IN (?3, ?4)) \
             ON CONFLICT (seed_client_id) DO UPDATE SET name = users.name",
            returning_user!()
        ))
        .bind(client_id)
        .bind(clock::now_ms())
        .bind(lower)
        .bind(as_written)
        .fetch_optional(&self.writer)
        .await
        .map_err(backend)?;
        match row {
            Some(row) => user_from(&row).map_err(backend),
            // Nothing inserted: the id looks like an account's username. A
            // seed guest made before that account keeps its id, though.
            None => self
                .find_seed_guest(client_id)
                .await?
                .ok_or(StoreError::Conflict),
        }
    }

    async fn find_seed_guest(&self, client_id: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.seed_client_id = ?"
        ))
        .bind(client_id)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.map(|row| user_from(&row).map_err(backend)).transpose()
    }

    async fn user(&self, id: UserId) -> Result<User, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
        user_from(&row).map_err(backend)
    }

    async fn create_account(
        &self,
        username: &str,
        password_hash: &str,
    ) -> Result<User, StoreError> {
        let row = sqlx::query(concat!(
            "INSERT INTO users (name, guest, username, password_hash, is_admin, created_at, username_skeleton) \
             VALUES (?1, 0, ?1, ?2, NOT EXISTS (SELECT 1 FROM users WHERE username IS NOT NULL), ?3, ?4)",
            returning_user!()
        ))
        .bind(username)
        .bind(password_hash)
        .bind(clock::now_ms())
        .bind(name_skeleton(username))
        .fetch_one(&self.writer)
        .await
        .map_err(backend)?;
        user_from(&row).map_err(backend)
    }

    async fn upgrade_guest(
        &self,
        user: UserId,
        username: &str,
        password_hash: &str,
    ) -> Result<User, StoreError> {
        let row = sqlx::query(concat!(
            "UPDATE users SET name = ?1, guest = 0, username = ?1, password_hash = ?2, \
             is_admin = NOT EXISTS (SELECT 1 FROM users WHERE username IS NOT NULL), \
             username_skeleton = ?4 \
             WHERE id = ?3 AND guest = 1",
            returning_user!()
        ))
        .bind(username)
        .bind(password_hash)
        .bind(user)
        .bind(name_skeleton(username))
        .fetch_optional(&self.writer)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
        user_from(&row).map_err(backend)
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", u.password_hash FROM users u WHERE u.username = ? AND u.password_hash IS NOT NULL"
        ))
        .bind(username)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.map(|row| {
            Ok(Credentials {
                user: user_from(&row)?,
                password_hash: row.try_get("password_hash")?,
            })
        })
        .transpose()
        .map_err(backend)
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.username = ?"
        ))
        .bind(username)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.as_ref().map(user_from).transpose().map_err(backend)
    }

    async fn set_admin(&self, user: UserId, admin: bool) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET is_admin = ? WHERE id = ?")
            .bind(admin)
            .bind(user)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn create_session(
        &self,
        user: UserId,
        token_hash: &[u8],
        kind: SessionKind,
        name: &str,
    ) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, kind, name, created_at, last_used_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
        )
        .bind(token_hash)
        .bind(user)
        .bind(kind.as_str())
        .bind(name)
        .bind(clock::now_ms())
        .fetch_one(&self.writer)
        .await
        .map_err(backend)
    }

    async fn session_user(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<(User, SessionInfo)>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", s.id AS session_id, s.user_id, s.kind, s.name AS session_name, s.created_at, s.last_used_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?"
        ))
        .bind(token_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.map(|row| Ok((user_from(&row)?, session_from(&row)?)))
            .transpose()
            .map_err(backend)
    }

    async fn sessions(
        &self,
        user: UserId,
        kind: SessionKind,
    ) -> Result<Vec<SessionInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id AS session_id, s.user_id, s.kind, s.name AS session_name, s.created_at, s.last_used_at \
             FROM sessions s WHERE s.user_id = ? AND s.kind = ? ORDER BY s.id",
        )
        .bind(user)
        .bind(kind.as_str())
        .fetch_all(&self.readers)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(session_from)
            .collect::<Result<_, _>>()
            .map_err(backend)
    }

    async fn delete_session(&self, user: UserId, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE id = ? AND user_id = ?")
            .bind(id)
            .bind(user)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    async fn touch_session(
        &self,
        id: i64,
        now_ms: i64,
        unless_since_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_used_at = ? WHERE id = ? AND last_used_at < ?")
            .bind(now_ms)
            .bind(id)
            .bind(unless_since_ms)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_expired_sessions(
        &self,
        idle_before_ms: i64,
        created_before_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        // Both sides of the OR have an index (migration 0004), so the sweep
        // does not scan every session on the one write connection.
        sqlx::query_scalar(
            "DELETE FROM sessions WHERE kind = 'session' \
             AND (last_used_at < ? OR created_at < ?) RETURNING id",
        )
        .bind(idle_before_ms)
        .bind(created_before_ms)
        .fetch_all(&self.writer)
        .await
        .map_err(backend)
    }

    async fn create_room(&self, room: &NewRoom) -> Result<Room, StoreError> {
        sqlx::query(
            "INSERT INTO rooms (id, name, topic, visibility, head, created_by, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(&room.id)
        .bind(&room.name)
        .bind(&room.topic)
        .bind(room.visibility.as_str())
        .bind(room.created_by)
        .bind(clock::now_ms())
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        Ok(Room {
            id: room.id.clone(),
            name: room.name.clone(),
            topic: room.topic.clone(),
            visibility: room.visibility,
            head: 0,
            member_count: 0,
            owner: Some(room.created_by).filter(|_| room.visibility != Visibility::Dm),
        })
    }

    async fn room(&self, id: &str) -> Result<Option<Room>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            room_columns!(),
            " FROM rooms r WHERE r.id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.as_ref().map(room_from).transpose().map_err(backend)
    }

    async fn room_access(
        &self,
        room: &str,
        user: UserId,
    ) -> Result<Option<RoomAccess>, StoreError> {
        let row = sqlx::query(
            "SELECT r.visibility, r.created_by, r.head, m.role, b.user_id IS NOT NULL AS banned \
             FROM rooms r \
             LEFT JOIN members m ON m.room_id = r.id AND m.user_id = ?2 \
             LEFT JOIN bans b ON b.room_id = r.id AND b.user_id = ?2 \
             WHERE r.id = ?1",
        )
        .bind(room)
        .bind(user)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let visibility: String = row.try_get("visibility").map_err(backend)?;
        let visibility = Visibility::parse(&visibility).unwrap_or(Visibility::Private);
        let created_by: Option<i64> = row.try_get("created_by").map_err(backend)?;
        let role: Option<String> = row.try_get("role").map_err(backend)?;
        Ok(Some(RoomAccess {
            visibility,
            owner: created_by.filter(|_| visibility != Visibility::Dm),
            role: role.as_deref().and_then(Role::parse),
            banned: row.try_get("banned").map_err(backend)?,
            head: seq_value(row.try_get("head").map_err(backend)?),
        }))
    }

    async fn rooms_created(&self, user: UserId) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM rooms WHERE created_by = ? AND visibility != 'dm'",
        )
        .bind(user)
        .fetch_one(&self.readers)
        .await
        .map_err(backend)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn public_rooms(
        &self,
        after: Option<&DirectoryKey>,
        limit: u32,
    ) -> Result<Vec<Room>, StoreError> {
        // Keyset paging over (member_count DESC, head DESC, id ASC); without
        // a cursor the key compares as "before everything".
        let sql = concat!(
            "SELECT * FROM (SELECT ",
            room_columns!(),
            " FROM rooms r WHERE r.visibility = 'public') \
             WHERE ?1 IS NULL \
                OR member_count < ?1 \
                OR (member_count = ?1 AND head < ?2) \
                OR (member_count = ?1 AND head = ?2 AND id > ?3) \
             ORDER BY member_count DESC, head DESC, id ASC LIMIT ?4"
        );
        let rows = sqlx::query(sql)
            .bind(after.map(|k| i64::try_from(k.member_count).unwrap_or(i64::MAX)))
            .bind(after.map(|k| i64::try_from(k.head).unwrap_or(i64::MAX)))
            .bind(after.map(|k| k.id.as_str()))
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(room_from)
            .collect::<Result<_, _>>()
            .map_err(backend)
    }

    async fn all_rooms(&self) -> Result<Vec<Room>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            room_columns!(),
            " FROM rooms r ORDER BY r.id"
        ))
        .fetch_all(&self.readers)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(room_from)
            .collect::<Result<_, _>>()
            .map_err(backend)
    }

    async fn member_rooms(&self, user: UserId) -> Result<Vec<MemberRoom>, StoreError> {
        // O(1) per room: unread comes from counters, not from the log.
        let sql = concat!(
            "SELECT ",
            room_columns!(),
            ", m.last_read, m.role, \
             MAX(r.message_count - m.read_count - m.own_unread - m.deleted_unread, 0) AS unread, \
             (SELECT p.name FROM members pm JOIN users p ON p.id = pm.user_id \
                WHERE r.visibility = 'dm' AND pm.room_id = r.id AND pm.user_id != m.user_id LIMIT 1) AS peer_name \
             FROM members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ? ORDER BY r.id"
        );
        let rows = sqlx::query(sql)
            .bind(user)
            .fetch_all(&self.readers)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let last_read: i64 = row.try_get("last_read")?;
                let unread: i64 = row.try_get("unread")?;
                let role: String = row.try_get("role")?;
                Ok(MemberRoom {
                    room: room_from(row)?,
                    last_read: seq_value(last_read),
                    unread: seq_value(unread),
                    role: Role::parse(&role).unwrap_or(Role::Member),
                    peer_name: row.try_get("peer_name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend)
    }

    async fn role(&self, room: &str, user: UserId) -> Result<Option<Role>, StoreError> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM members WHERE room_id = ? AND user_id = ?")
                .bind(room)
                .bind(user)
                .fetch_optional(&self.readers)
                .await
                .map_err(backend)?;
        Ok(role.as_deref().and_then(Role::parse))
    }

    async fn set_role(&self, room: &str, user: UserId, role: Role) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE members SET role = ? WHERE room_id = ? AND user_id = ?")
            .bind(role.as_str())
            .bind(room)
            .bind(user)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn members(&self, room: &str) -> Result<Vec<Member>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", m.role FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = ? ORDER BY u.id LIMIT 10000"
        ))
        .bind(room)
        .fetch_all(&self.readers)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                Ok(Member {
                    user: user_from(row)?,
                    role: Role::parse(&role).unwrap_or(Role::Member),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend)
    }

    async fn ban(&self, room: &str, user: UserId, by: UserId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR IGNORE INTO bans (room_id, user_id, banned_by, at) VALUES (?, ?, ?, ?)",
        )
        .bind(room)
        .bind(user)
        .bind(by)
        .bind(clock::now_ms())
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn banned_by(&self, room: &str, user: UserId) -> Result<Option<UserId>, StoreError> {
        sqlx::query_scalar("SELECT banned_by FROM bans WHERE room_id = ? AND user_id = ?")
            .bind(room)
            .bind(user)
            .fetch_optional(&self.readers)
            .await
            .map_err(backend)
    }

    async fn unban(&self, room: &str, user: UserId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM bans WHERE room_id = ? AND user_id = ?")
            .bind(room)
            .bind(user)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    async fn block(&self, user: UserId, blocked: UserId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO blocks (user_id, blocked_id, created_at) VALUES (?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(blocked)
        .bind(clock::now_ms())
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn unblock(&self, user: UserId, blocked: UserId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?")
            .bind(user)
            .bind(blocked)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    async fn blocked(&self, user: UserId) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.user_id = ? ORDER BY u.id"
        ))
        .bind(user)
        .fetch_all(&self.readers)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(user_from)
            .collect::<Result<_, _>>()
            .map_err(backend)
    }

    async fn blocks(&self, user: UserId, other: UserId) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM blocks WHERE user_id = ? AND blocked_id = ?")
                .bind(user)
                .bind(other)
                .fetch_optional(&self.readers)
                .await
                .map_err(backend)?;
        Ok(found.is_some())
    }

    async fn room_rules(&self, room: &str) -> Result<RoomRules, StoreError> {
        let roles = sqlx::query_as::<_, (UserId, String)>(
            "SELECT user_id, role FROM members WHERE room_id = ? AND role != 'member' ORDER BY user_id",
        )
        .bind(room)
        .fetch_all(&self.readers)
        .await
        .map_err(backend)?
        .into_iter()
        .filter_map(|(user, role)| Some((user, Role::parse(&role)?)))
        .collect();
        let bans = sqlx::query_as::<_, (UserId, UserId)>(
            "SELECT user_id, banned_by FROM bans WHERE room_id = ? ORDER BY user_id",
        )
        .bind(room)
        .fetch_all(&self.readers)
        .await
        .map_err(backend)?
        .into_iter()
        .map(|(user, by)| Ban { user, by })
        .collect();
        Ok(RoomRules { roles, bans })
    }

    async fn mark_read(
        &self,
        room: &str,
        user: UserId,
        seq: u64,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = self.writer.begin().await.map_err(backend)?;
        let current: Option<(i64, i64)> = sqlx::query_as(
            "SELECT m.last_read, r.head FROM members m JOIN rooms r ON r.id = m.room_id \
             WHERE m.room_id = ? AND m.user_id = ?",
        )
        .bind(room)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some((last_read, head)) = current else {
            return Err(StoreError::NotFound);
        };
        let target = seq_param(seq).min(head);
        if target <= last_read {
            return Ok(None);
        }
        let read_count: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT message_no FROM events WHERE room_id = ? AND seq <= ? AND kind = 'message' \
             ORDER BY seq DESC LIMIT 1), 0)",
        )
        .bind(room)
        .bind(target)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let own_unread: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM events WHERE room_id = ? AND author_id = ? AND seq > ? AND kind = 'message'",
        )
        .bind(room)
        .bind(user)
        .bind(target)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let deleted_unread: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM events WHERE room_id = ? AND seq > ? AND deleted = 1 AND author_id != ?",
        )
        .bind(room)
        .bind(target)
        .bind(user)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        sqlx::query(
            "UPDATE members SET last_read = ?, read_count = ?, own_unread = ?, deleted_unread = ? \
             WHERE room_id = ? AND user_id = ?",
        )
        .bind(target)
        .bind(read_count)
        .bind(own_unread)
        .bind(deleted_unread)
        .bind(room)
        .bind(user)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(Some(seq_value(target)))
    }

    async fn events(&self, room: &str, page: Page) -> Result<(Vec<Event>, bool), StoreError> {
        let (sql, cursor, limit) = match page {
            Page::Latest { limit } => (
                concat!(
                    select_events!(),
                    "WHERE e.room_id = ? ORDER BY e.seq DESC LIMIT ?"
                ),
                None,
                limit,
            ),
            Page::Before { before, limit } => (
                concat!(
                    select_events!(),
                    "WHERE e.room_id = ? AND e.seq < ? ORDER BY e.seq DESC LIMIT ?"
                ),
                Some(before),
                limit,
            ),
            Page::After { after, limit } => (
                concat!(
                    select_events!(),
                    "WHERE e.room_id = ? AND e.seq > ? ORDER BY e.seq ASC LIMIT ?"
                ),
                Some(after),
                limit,
            ),
        };
        let mut q = sqlx::query(sql).bind(room);
        if let Some(cursor) = cursor {
            q = q.bind(seq_param(cursor));
        }
        // One extra row tells whether more exist beyond the page.
        let rows = q
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.readers)
            .await
            .map_err(backend)?;
        let has_more = rows.len() > limit as usize;
        let mut events = rows
            .iter()
            .take(limit as usize)
            .map(event_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        if !matches!(page, Page::After { .. }) {
            events.reverse();
        }
        Ok((events, has_more))
    }

    async fn event_by_nonce(
        &self,
        author: UserId,
        nonce: &str,
    ) -> Result<Option<Event>, StoreError> {
        let row = sqlx::query(concat!(
            select_events!(),
            "WHERE e.author_id = ? AND e.nonce = ?"
        ))
        .bind(author)
        .bind(nonce)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.as_ref().map(event_from).transpose().map_err(backend)
    }

    async fn event(&self, room: &str, id: EventId) -> Result<Option<Event>, StoreError> {
        let row = sqlx::query(concat!(
            select_events!(),
            "WHERE e.room_id = ? AND e.id = ?"
        ))
        .bind(room)
        .bind(id)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.as_ref().map(event_from).transpose().map_err(backend)
    }

    async fn search(
        &self,
        user: UserId,
        query: &str,
        room: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<SearchPage, StoreError> {
        let Some(fts) = fts_query(query) else {
            return Ok(SearchPage {
                events: Vec::new(),
                has_more: false,
            });
        };
        let rows = sqlx::query(concat!(
            select_events!(),
            "JOIN message_search s ON s.rowid = e.id JOIN rooms r ON r.id = e.room_id \
             WHERE message_search MATCH ?1 AND e.deleted = 0 \
               AND (?2 IS NULL OR e.room_id = ?2) \
               AND (r.visibility = 'public' OR EXISTS \
                    (SELECT 1 FROM members m WHERE m.room_id = e.room_id AND m.user_id = ?3)) \
             ORDER BY s.rank, e.id DESC LIMIT ?4 OFFSET ?5"
        ))
        .bind(fts)
        .bind(room)
        .bind(user)
        .bind(i64::from(limit) + 1)
        .bind(i64::from(offset))
        .fetch_all(&self.readers)
        .await
        .map_err(backend)?;
        let has_more = rows.len() > limit as usize;
        let events = rows
            .iter()
            .take(limit as usize)
            .map(event_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        Ok(SearchPage { events, has_more })
    }

    async fn import_room(
        &self,
        room: &NewRoom,
        events: &[Event],
        rules: &RoomRules,
    ) -> Result<Room, StoreError> {
        let mut tx = self.writer.begin().await.map_err(backend)?;
        let now = clock::now_ms();
        sqlx::query(
            "INSERT INTO rooms (id, name, topic, visibility, head, created_by, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(&room.id)
        .bind(&room.name)
        .bind(&room.topic)
        .bind(room.visibility.as_str())
        .bind(room.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let mut new_ids = std::collections::HashMap::new();
        // Tombstones stay tombstones: no text of a deleted message, nor of its
        // edits, is written, whatever the file says.
        let deleted: std::collections::HashSet<EventId> =
            events.iter().filter(|e| e.deleted).map(|e| e.id).collect();
        let mut message_count = 0i64;
        let mut head = 0i64;
        for event in events {
            let seq = seq_param(event.seq);
            if seq <= head {
                return Err(StoreError::Backend(format!(
                    "import: seq {} is not ascending",
                    event.seq
                )));
            }
            head = seq;
            let target = event.target.and_then(|t| new_ids.get(&t).copied());
            let is_message = event.kind == EventKind::Message;
            if is_message {
                message_count += 1;
            }
            let erased = event.deleted || event.target.is_some_and(|t| deleted.contains(&t));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO events (room_id, seq, kind, author_id, body, target, nonce, ts, message_no, actor_id, \
                 edited, deleted) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&room.id)
            .bind(seq)
            .bind(event.kind.as_str())
            .bind(event.author.id)
            .bind(if erased { None } else { event.body.as_deref() })
            .bind(target)
            .bind(event.ts_ms)
            .bind(is_message.then_some(message_count))
            .bind(event.actor.as_ref().map(|a| a.id))
            .bind(event.edited)
            .bind(event.deleted)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            new_ids.insert(event.id, id);
            match event.kind {
                EventKind::Message if !event.deleted => {
                    sqlx::query("INSERT INTO message_search (rowid, body) VALUES (?, ?)")
                        .bind(id)
                        .bind(&event.body)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                EventKind::Join => {
                    sqlx::query(
                        "INSERT OR IGNORE INTO members (room_id, user_id, joined_at, last_read, read_count) \
                         VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(&room.id)
                    .bind(event.author.id)
                    .bind(event.ts_ms)
                    .bind(seq)
                    .bind(message_count)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
                EventKind::Leave => {
                    sqlx::query("DELETE FROM members WHERE room_id = ? AND user_id = ?")
                        .bind(&room.id)
                        .bind(event.author.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                _ => {}
            }
        }
        sqlx::query("UPDATE rooms SET head = ?, message_count = ? WHERE id = ?")
            .bind(head)
            .bind(message_count)
            .bind(&room.id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        // Each member's own messages and the deleted ones after their marker
        // are not unread (as kept live by append_batch and mark_read).
        sqlx::query(
            "UPDATE members SET \
               own_unread = (SELECT COUNT(*) FROM events e WHERE e.room_id = members.room_id \
                 AND e.kind = 'message' AND e.author_id = members.user_id AND e.seq > members.last_read), \
               deleted_unread = (SELECT COUNT(*) FROM events e WHERE e.room_id = members.room_id \
                 AND e.kind = 'message' AND e.deleted = 1 AND e.author_id != members.user_id \
                 AND e.seq > members.last_read) \
             WHERE room_id = ?",
        )
        .bind(&room.id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        for &(user, role) in &rules.roles {
            let role = match role {
                Role::Owner if user != room.created_by => Role::Moderator,
                role => role,
            };
            sqlx::query("UPDATE members SET role = ? WHERE room_id = ? AND user_id = ?")
                .bind(role.as_str())
                .bind(&room.id)
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        sqlx::query("UPDATE members SET role = 'owner' WHERE room_id = ? AND user_id = ?")
            .bind(&room.id)
            .bind(room.created_by)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for ban in &rules.bans {
            sqlx::query(
                "INSERT OR IGNORE INTO bans (room_id, user_id, banned_by, at) VALUES (?, ?, ?, ?)",
            )
            .bind(&room.id)
            .bind(ban.user)
            .bind(ban.by)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        // A ban wins over a membership the log still shows (a server that
        // stopped between a ban and its leave): as the server treats a banned
        // member, they are not a member of the copy.
        sqlx::query(
            "DELETE FROM members WHERE room_id = ?1 \
             AND user_id IN (SELECT user_id FROM bans WHERE room_id = ?1)",
        )
        .bind(&room.id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        self.room(&room.id).await?.ok_or(StoreError::NotFound)
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn search_input_is_quoted_word_by_word() {
        assert_eq!(
            fts_query("hello world").as_deref(),
            Some("\"hello\" \"world\"")
        );
        assert_eq!(
            fts_query("a\"b OR c*").as_deref(),
            Some("\"a\"\"b\" \"OR\" \"c*\"")
        );
        assert_eq!(fts_query("   "), None);
    }
}
