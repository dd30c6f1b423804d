//! The embedded store: SQLite through sqlx, in one file of the data folder.
//!
//! - WAL journal with `synchronous = FULL`: a commit is on disk when
//!   `append_batch` returns, so an `ack` survives even a power cut, and
//!   readers never block the writer.
//! - Two pools: one connection for every write (SQLite has one writer
//!   anyway; funnelling writes through one connection avoids `SQLITE_BUSY`
//!   upgrades), and a few connections for reads.
//! - Migrations are embedded in the binary and run at start-up.
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
use webchat_core::model::{Author, Event, MemberRoom, NewEvent, NewRoom, Page, Room, User, UserId};
use webchat_core::store::{AppendError, Appended, Store, StoreError};
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
    /// Opens (creating if needed) `webchat.db` in `data_dir` and migrates it.
    pub async fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        let path = data_dir.join("webchat.db");
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(backend)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
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
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(backend)?;
        Ok(SqliteStore { writer, readers })
    }
}

// Column lists as macros so that every query stays one `&'static str`:
// sqlx refuses SQL built at run time, which is the point.
macro_rules! room_columns {
    () => {
        "r.id, r.name, r.topic, r.visibility, r.head, \
         (SELECT COUNT(*) FROM members m2 WHERE m2.room_id = r.id) AS member_count"
    };
}

macro_rules! select_events {
    () => {
        "SELECT e.id, e.room_id, e.seq, e.kind, e.author_id, u.name AS author_name, \
         e.body, e.target, e.nonce, e.ts FROM events e JOIN users u ON u.id = e.author_id "
    };
}

fn user_from(row: &SqliteRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        guest: row.try_get("guest")?,
    })
}

fn room_from(row: &SqliteRow) -> Result<Room, sqlx::Error> {
    let visibility: String = row.try_get("visibility")?;
    let head: i64 = row.try_get("head")?;
    let member_count: i64 = row.try_get("member_count")?;
    Ok(Room {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        topic: row.try_get("topic")?,
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Private),
        head: u64::try_from(head).unwrap_or(0),
        member_count: u64::try_from(member_count).unwrap_or(0),
    })
}

fn event_from(row: &SqliteRow) -> Result<Event, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let seq: i64 = row.try_get("seq")?;
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
        },
        body: row.try_get("body")?,
        target: row.try_get("target")?,
        nonce: row.try_get("nonce")?,
    })
}

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.readers)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn create_guest(&self, name: &str) -> Result<User, StoreError> {
        let row = sqlx::query("INSERT INTO users (name, guest, created_at) VALUES (?, 1, ?) RETURNING id, name, guest")
            .bind(name)
            .bind(clock::now_ms())
            .fetch_one(&self.writer)
            .await
            .map_err(backend)?;
        user_from(&row).map_err(backend)
    }

    async fn seed_guest(&self, client_id: &str) -> Result<User, StoreError> {
        let row = sqlx::query(
            "INSERT INTO users (name, guest, seed_client_id, created_at) VALUES (?1, 1, ?1, ?2) \
             ON CONFLICT (seed_client_id) DO UPDATE SET name = excluded.name \
             RETURNING id, name, guest",
        )
        .bind(client_id)
        .bind(clock::now_ms())
        .fetch_one(&self.writer)
        .await
        .map_err(backend)?;
        user_from(&row).map_err(backend)
    }

    async fn user(&self, id: UserId) -> Result<User, StoreError> {
        let row = sqlx::query("SELECT id, name, guest FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.readers)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound)?;
        user_from(&row).map_err(backend)
    }

    async fn create_session(&self, user: UserId, token_hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(user)
            .bind(clock::now_ms())
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &[u8]) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.guest FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(backend)?;
        row.as_ref().map(user_from).transpose().map_err(backend)
    }

    async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn create_room(&self, room: &NewRoom) -> Result<Room, StoreError> {
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
        tx.commit().await.map_err(backend)?;
        Ok(Room {
            id: room.id.clone(),
            name: room.name.clone(),
            topic: room.topic.clone(),
            visibility: room.visibility,
            head: 0,
            member_count: 0,
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

    async fn public_rooms(&self) -> Result<Vec<Room>, StoreError> {
        let sql = concat!(
            "SELECT ",
            room_columns!(),
            " FROM rooms r WHERE r.visibility = 'public' ORDER BY r.id LIMIT 1000"
        );
        let rows = sqlx::query(sql)
            .fetch_all(&self.readers)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(room_from)
            .collect::<Result<_, _>>()
            .map_err(backend)
    }

    async fn member_rooms(&self, user: UserId) -> Result<Vec<MemberRoom>, StoreError> {
        let sql = concat!(
            "SELECT ",
            room_columns!(),
            ", m.last_read, \
             (SELECT COUNT(*) FROM events e WHERE e.room_id = r.id AND e.seq > m.last_read \
                AND e.kind = 'message' AND e.author_id != m.user_id) AS unread \
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
                Ok(MemberRoom {
                    room: room_from(row)?,
                    last_read: u64::try_from(last_read).unwrap_or(0),
                    unread: u64::try_from(unread).unwrap_or(0),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend)
    }

    async fn is_member(&self, room: &str, user: UserId) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM members WHERE room_id = ? AND user_id = ?")
            .bind(room)
            .bind(user)
            .fetch_optional(&self.readers)
            .await
            .map_err(backend)?;
        Ok(row.is_some())
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

    async fn append_batch(
        &self,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
        let mut tx = self.writer.begin().await.map_err(backend)?;
        let mut results = Vec::with_capacity(events.len());
        let dedupe_sql = concat!(select_events!(), "WHERE e.author_id = ? AND e.nonce = ?");
        for new in events {
            if let Some(nonce) = &new.nonce {
                let existing = sqlx::query(dedupe_sql)
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
            let head: Option<i64> =
                sqlx::query_scalar("UPDATE rooms SET head = head + 1 WHERE id = ? RETURNING head")
                    .bind(&new.room)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            let Some(seq) = head else {
                results.push(Err(AppendError::RoomNotFound));
                continue;
            };
            let ts = clock::now_ms();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO events (room_id, seq, kind, author_id, body, target, nonce, ts) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&new.room)
            .bind(seq)
            .bind(new.kind.as_str())
            .bind(new.author.id)
            .bind(&new.body)
            .bind(new.target)
            .bind(&new.nonce)
            .bind(ts)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            match new.kind {
                EventKind::Join => {
                    sqlx::query("INSERT OR IGNORE INTO members (room_id, user_id, joined_at) VALUES (?, ?, ?)")
                        .bind(&new.room)
                        .bind(new.author.id)
                        .bind(ts)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                EventKind::Leave => {
                    sqlx::query("DELETE FROM members WHERE room_id = ? AND user_id = ?")
                        .bind(&new.room)
                        .bind(new.author.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                _ => {}
            }
            results.push(Ok(Appended {
                duplicate: false,
                event: Event {
                    room: new.room.clone(),
                    seq: u64::try_from(seq).unwrap_or(0),
                    id,
                    ts_ms: ts,
                    kind: new.kind,
                    author: new.author.clone(),
                    body: new.body.clone(),
                    target: new.target,
                    nonce: new.nonce.clone(),
                },
            }));
        }
        tx.commit().await.map_err(backend)?;
        Ok(results)
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}
