//! `webchat admin …`: maintenance on a data folder, without the server.
//!
//! Users: create an account, grant or revoke admin. Rooms: list them, export
//! one's log as JSON lines, import such a file back. Writes go through the
//! same store (and its transactions) as the server, so they are safe while a
//! server runs on the same folder; a running server does not see imported
//! rooms in its live state until they get new events, which is harmless.
//!
//! Import guesses nothing that decides who can read a room: a header without
//! a valid visibility is refused, and an exported author becomes an existing
//! user here only by account username, or as a guest of the same id and name
//! (see [`resolve_author`]); anyone else becomes a new guest.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::{Value, json};
use webchat_core::model::{Author, Event, NewRoom, Page, User};
use webchat_core::store::Store;
use webchat_protocol::views::{EventKind, Visibility};
use webchat_server::passwords;
use webchat_store_sqlite::SqliteStore;

#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Create an account; the password is read from the first line of standard input.
    CreateUser {
        username: String,
        /// Make the account a server admin.
        #[arg(long)]
        admin: bool,
    },
    /// Make an account a server admin.
    GrantAdmin { username: String },
    /// Take server admin away from an account.
    RevokeAdmin { username: String },
    /// List every room: id, visibility, members, newest seq, name.
    ListRooms,
    /// Write a room's log as JSON lines (a `room` line, then one `event` line per event).
    Export {
        room: String,
        /// File to write; standard output when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Create a room from an exported file (`-` for standard input).
    Import {
        file: PathBuf,
        /// Import under this room id instead of the exported one.
        #[arg(long = "as")]
        as_room: Option<String>,
    },
}

pub(crate) async fn run(data_dir: &Path, command: AdminCommand) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let store = SqliteStore::open(data_dir)
        .await
        .context("opening the store")?;
    let result = execute(&store, command).await;
    store.close().await;
    result
}

async fn execute(store: &SqliteStore, command: AdminCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        AdminCommand::CreateUser { username, admin } => {
            let username = passwords::normalize_username(&username).map_err(anyhow::Error::msg)?;
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            passwords::check_password(password).map_err(anyhow::Error::msg)?;
            let hash = passwords::hash(password).map_err(anyhow::Error::msg)?;
            let user = store
                .create_account(&username, &hash)
                .await
                .with_context(|| format!("creating {username} (is the name taken?)"))?;
            if admin && !user.admin {
                store.set_admin(user.id, true).await?;
            }
            writeln!(out, "created {username} (id {})", user.id)?;
        }
        AdminCommand::GrantAdmin { username } => {
            let user = account(store, &username).await?;
            store.set_admin(user.id, true).await?;
            writeln!(out, "{} is now an admin", user.name)?;
        }
        AdminCommand::RevokeAdmin { username } => {
            let user = account(store, &username).await?;
            store.set_admin(user.id, false).await?;
            writeln!(out, "{} is no longer an admin", user.name)?;
        }
        AdminCommand::ListRooms => {
            for room in store.all_rooms().await? {
                writeln!(
                    out,
                    "{}\t{}\t{} members\thead {}\t{}",
                    room.id,
                    room.visibility.as_str(),
                    room.member_count,
                    room.head,
                    room.name
                )?;
            }
        }
        AdminCommand::Export { room, output } => {
            let lines = export(store, &room).await?;
            match output {
                Some(path) => std::fs::write(&path, lines)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => out.write_all(lines.as_bytes())?,
            }
        }
        AdminCommand::Import { file, as_room } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin().lock())?
            } else {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?
            };
            let room = import(store, &text, as_room).await?;
            writeln!(out, "imported {} ({} events)", room.id, room.head)?;
        }
    }
    Ok(())
}

async fn account(store: &SqliteStore, username: &str) -> anyhow::Result<User> {
    let username = passwords::normalize_username(username).map_err(anyhow::Error::msg)?;
    match store.user_by_username(&username).await? {
        Some(user) => Ok(user),
        None => bail!("no account named {username}"),
    }
}

/// The export format: one JSON object per line. The first is the room
/// (`"type": "room"`); each other is an event exactly as the API shows it
/// (`"type": "event"`), plus `author_username` for accounts.
async fn export(store: &SqliteStore, room_id: &str) -> anyhow::Result<String> {
    let Some(room) = store.room(room_id).await? else {
        bail!("no room {room_id}");
    };
    let mut lines = String::new();
    let mut header = serde_json::to_value(room.view())?;
    header["type"] = json!("room");
    lines.push_str(&header.to_string());
    lines.push('\n');
    let mut usernames: std::collections::HashMap<i64, Option<String>> =
        std::collections::HashMap::new();
    let mut cursor = 0;
    loop {
        let (events, more) = store
            .events(
                room_id,
                Page::After {
                    after: cursor,
                    limit: 200,
                },
            )
            .await?;
        for event in &events {
            let mut line = serde_json::to_value(event.view())?;
            line["type"] = json!("event");
            let username = match usernames.get(&event.author.id) {
                Some(known) => known.clone(),
                None => {
                    let found = store
                        .user(event.author.id)
                        .await
                        .ok()
                        .and_then(|u| u.username);
                    usernames.insert(event.author.id, found.clone());
                    found
                }
            };
            if let Some(username) = username {
                line["author_username"] = json!(username);
            }
            lines.push_str(&line.to_string());
            lines.push('\n');
            cursor = event.seq;
        }
        if !more {
            break;
        }
    }
    Ok(lines)
}

/// Maps an exported author to a user here: an account by username; a guest
/// by the same user id when that user is still a guest of that name; else a
/// new guest of that name.
///
/// An account whose username is not here never falls back to the id: ids are
/// per data folder, so in another folder that id is someone else, who would
/// become a member (even the owner) of a room that may be private. Likewise a
/// guest's id only ever matches a guest, never an account that happens to
/// bear the same display name.
async fn resolve_author(store: &SqliteStore, line: &Value) -> anyhow::Result<Author> {
    let name = line["author"]["name"]
        .as_str()
        .unwrap_or("unknown")
        .to_owned();
    if let Some(username) = line["author_username"].as_str() {
        if let Some(user) = store.user_by_username(username).await? {
            return Ok(user.author());
        }
    } else if let Some(id) = line["author"]["id"].as_i64()
        && let Ok(user) = store.user(id).await
        && user.guest
        && user.name == name
    {
        return Ok(user.author());
    }
    Ok(store.create_guest(&name).await?.author())
}

async fn import(
    store: &SqliteStore,
    text: &str,
    as_room: Option<String>,
) -> anyhow::Result<webchat_core::model::Room> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).enumerate();
    let Some((_, first)) = lines.next() else {
        bail!("empty file");
    };
    let header: Value = serde_json::from_str(first).context("line 1 is not JSON")?;
    if header["type"] != "room" {
        bail!("line 1 must be the room (\"type\": \"room\")");
    }
    let id = match (as_room, header["id"].as_str()) {
        (Some(id), _) => id,
        (None, Some(id)) => id.to_owned(),
        (None, None) => bail!("line 1: the room has no \"id\" (give one with --as)"),
    };
    webchat_protocol::validate::room_id(&id).map_err(anyhow::Error::msg)?;
    // Never guessed: defaulting a damaged header to public would publish a
    // private room (or a DM) to everyone.
    let Some(visibility) = header["visibility"].as_str().and_then(Visibility::parse) else {
        let found = header
            .get("visibility")
            .map_or_else(|| "is missing".to_owned(), |v| format!("is {v}"));
        bail!(
            "line 1: the room's \"visibility\" {found}; it must be \"public\", \"private\" \
             or \"dm\" (not guessed, so that a private room cannot become public)"
        );
    };
    let mut authors: std::collections::HashMap<(i64, String), Author> =
        std::collections::HashMap::new();
    let mut events = Vec::new();
    for (index, line) in lines {
        let value: Value = serde_json::from_str(line)
            .with_context(|| format!("line {} is not JSON", index + 1))?;
        if value["type"] != "event" {
            bail!("line {}: expected an event", index + 1);
        }
        let view: webchat_protocol::views::EventView = serde_json::from_value(value.clone())
            .with_context(|| format!("line {}: not an event", index + 1))?;
        let key = (view.author.id, view.author.name.clone());
        let author = match authors.get(&key) {
            Some(author) => author.clone(),
            None => {
                let author = resolve_author(store, &value).await?;
                authors.insert(key, author.clone());
                author
            }
        };
        let ts_ms =
            time::OffsetDateTime::parse(&view.ts, &time::format_description::well_known::Rfc3339)
                .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
                .with_context(|| format!("line {}: bad ts", index + 1))?;
        events.push(Event {
            room: id.clone(),
            seq: view.seq,
            id: view.id,
            ts_ms,
            kind: view.kind,
            author,
            body: view.body,
            target: view.target,
            nonce: None,
            actor: None,
            edited: view.edited,
            deleted: view.deleted,
        });
    }
    let owner = events
        .iter()
        .find(|e| e.kind == EventKind::Join)
        .map(|e| e.author.id)
        .context("the log has no join: nobody to own the room")?;
    let room = NewRoom {
        id: id.clone(),
        name: header["name"].as_str().unwrap_or(&id).to_owned(),
        topic: header["topic"].as_str().unwrap_or_default().to_owned(),
        visibility,
        created_by: owner,
    };
    store
        .import_room(&room, &events)
        .await
        .with_context(|| format!("importing {id} (does the room exist already?)"))
}
