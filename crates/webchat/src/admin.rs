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
//! (see [`Resolver`]); anyone else becomes a new guest.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::{Value, json};
use webchat_core::model::{Author, Event, NewRoom, Page, Role, User};
use webchat_core::store::{Ban, Durability, RoomRules, Store};
use webchat_protocol::views::{EventKind, Visibility};
use webchat_server::passwords;
use webchat_store::DatabaseUrl;

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

pub(crate) async fn run(
    data_dir: &Path,
    database_url: Option<&DatabaseUrl>,
    command: AdminCommand,
) -> anyhow::Result<()> {
    let store = webchat_store::open_store(database_url, data_dir, Durability::Full)
        .await
        .context("opening the store")?;
    let result = execute(store.as_ref(), command).await;
    store.close().await;
    result
}

async fn execute(store: &dyn Store, command: AdminCommand) -> anyhow::Result<()> {
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

async fn account(store: &dyn Store, username: &str) -> anyhow::Result<User> {
    let username = passwords::normalize_username(username).map_err(anyhow::Error::msg)?;
    match store.user_by_username(&username).await? {
        Some(user) => Ok(user),
        None => bail!("no account named {username}"),
    }
}

/// The export format: one JSON object per line. The first is the room
/// (`"type": "room"`); then each event exactly as the API shows it
/// (`"type": "event"`), plus `author_username` and `actor_username` for
/// accounts; then the room's rules: `"type": "role"` for each member above
/// plain member and `"type": "ban"` for each ban, naming users the same way.
async fn export(store: &dyn Store, room_id: &str) -> anyhow::Result<String> {
    let Some(room) = store.room(room_id).await? else {
        bail!("no room {room_id}");
    };
    let mut lines = String::new();
    let mut push = |mut line: Value, kind: &str| {
        line["type"] = json!(kind);
        lines.push_str(&line.to_string());
        lines.push('\n');
    };
    push(serde_json::to_value(room.view())?, "room");
    let mut people = People::new(store);
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
            if let Some(username) = people.username(event.author.id).await? {
                line["author_username"] = json!(username);
            }
            if let Some(actor) = &event.actor
                && let Some(username) = people.username(actor.id).await?
            {
                line["actor_username"] = json!(username);
            }
            push(line, "event");
            cursor = event.seq;
        }
        if !more {
            break;
        }
    }
    let rules = store.room_rules(room_id).await?;
    for (user, role) in rules.roles {
        let mut line = people.person(user, "user").await?;
        line["role"] = json!(role.as_str());
        push(line, "role");
    }
    for ban in rules.bans {
        let mut line = people.person(ban.user, "user").await?;
        let by = people.person(ban.by, "by").await?;
        if let (Some(line), Value::Object(by)) = (line.as_object_mut(), by) {
            line.extend(by);
        }
        push(line, "ban");
    }
    Ok(lines)
}

/// Users named in an export, each looked up once.
struct People<'a> {
    store: &'a dyn Store,
    known: std::collections::HashMap<i64, (String, Option<String>)>,
}

impl<'a> People<'a> {
    fn new(store: &'a dyn Store) -> Self {
        Self {
            store,
            known: std::collections::HashMap::new(),
        }
    }

    /// Display name and account username (none for a guest).
    async fn lookup(&mut self, id: i64) -> anyhow::Result<(String, Option<String>)> {
        if let Some(known) = self.known.get(&id) {
            return Ok(known.clone());
        }
        let user = self.store.user(id).await?;
        let found = (user.name, user.username);
        self.known.insert(id, found.clone());
        Ok(found)
    }

    async fn username(&mut self, id: i64) -> anyhow::Result<Option<String>> {
        Ok(self.lookup(id).await?.1)
    }

    /// `{"<field>": {"id", "name"}, "<field>_username"?}`, the way event
    /// lines name their author.
    async fn person(&mut self, id: i64, field: &str) -> anyhow::Result<Value> {
        let (name, username) = self.lookup(id).await?;
        let mut value = json!({ field: { "id": id, "name": name } });
        if let Some(username) = username {
            value[format!("{field}_username")] = json!(username);
        }
        Ok(value)
    }
}

/// Maps an exported person (`line[field]`, with `line["<field>_username"]`
/// for an account) to a user here: an account by username; a guest by the
/// same user id when that user is still a guest of that name; else a new
/// guest of that name, or of that name plus ` (imported)` when an account
/// here looks like it. Each person is resolved once per import.
///
/// An account whose username is not here never falls back to the id: ids are
/// per data folder, so in another folder that id is someone else, who would
/// become a member (even the owner) of a room that may be private. Likewise a
/// guest's id only ever matches a guest, never an account that happens to
/// bear the same display name.
struct Resolver<'a> {
    store: &'a dyn Store,
    resolved: std::collections::HashMap<(i64, String, Option<String>), Author>,
}

impl<'a> Resolver<'a> {
    fn new(store: &'a dyn Store) -> Self {
        Self {
            store,
            resolved: std::collections::HashMap::new(),
        }
    }

    async fn resolve(&mut self, line: &Value, field: &str) -> anyhow::Result<Author> {
        let Some(key) = person_key(line, field) else {
            bail!("\"{field}\" has no numeric \"id\"");
        };
        if let Some(author) = self.resolved.get(&key) {
            return Ok(author.clone());
        }
        let (id, name, username) = &key;
        let store = self.store;
        let author = if let Some(username) = username
            && let Some(user) = store.user_by_username(username).await?
        {
            user.author()
        } else if username.is_none()
            && let Ok(user) = store.user(*id).await
            && user.guest
            && &user.name == name
        {
            user.author()
        } else {
            match store.create_guest(name).await {
                Ok(guest) => guest.author(),
                // An account here has (or looks like) that name, and no new
                // guest may pass for an account: the imported guest keeps a
                // marked name instead (docs/decisions/0005-look-alike-names.md).
                Err(webchat_core::store::StoreError::Conflict) => store
                    .create_guest(&format!("{name} (imported)"))
                    .await?
                    .author(),
                Err(other) => return Err(other.into()),
            }
        };
        self.resolved.insert(key, author.clone());
        Ok(author)
    }
}

async fn import(
    store: &dyn Store,
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
    // A DM's id names its pair by user ids, which differ between folders:
    // imported as is, it would hand two strangers here someone else's
    // conversation when they open their own DM.
    if id.starts_with("dm-") {
        bail!(
            "room ids starting with dm- belong to direct messages made here; \
             import it under another id with --as"
        );
    }
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
    // The whole file is checked before anyone is looked up or made, so that
    // a damaged file leaves no stray guests behind.
    let mut parsed = Vec::new();
    for (index, line) in lines {
        let number = index + 1;
        parsed.push((
            number,
            parse_line(line).with_context(|| format!("line {number}"))?,
        ));
    }
    check_before_writing(store, &id, &parsed).await?;
    let mut people = Resolver::new(store);
    let mut events = Vec::new();
    let mut rules = RoomRules::default();
    for (number, line) in parsed {
        let context = || format!("line {number}");
        match line {
            Line::Event(value, view, ts_ms) => {
                let author = people
                    .resolve(&value, "author")
                    .await
                    .with_context(context)?;
                let actor = match value["actor"].is_object() {
                    true => Some(
                        people
                            .resolve(&value, "actor")
                            .await
                            .with_context(context)?,
                    ),
                    false => None,
                };
                events.push(imported_event(&id, *view, ts_ms, author, actor));
            }
            Line::Role(value, role) => {
                let user = people.resolve(&value, "user").await.with_context(context)?;
                rules.roles.push((user.id, role));
            }
            Line::Ban(value) => {
                let user = people.resolve(&value, "user").await.with_context(context)?;
                let by = people.resolve(&value, "by").await.with_context(context)?;
                rules.bans.push(Ban {
                    user: user.id,
                    by: by.id,
                });
            }
        }
    }
    // The exported owner when there is one, else whoever joined first.
    let owner = rules
        .roles
        .iter()
        .find(|(_, role)| *role == Role::Owner)
        .map(|(user, _)| *user)
        .or_else(|| {
            events
                .iter()
                .find(|e| e.kind == EventKind::Join)
                .map(|e| e.author.id)
        })
        .context("the log has no join: nobody to own the room")?;
    let room = NewRoom {
        id: id.clone(),
        name: header["name"].as_str().unwrap_or(&id).to_owned(),
        topic: header["topic"].as_str().unwrap_or_default().to_owned(),
        visibility,
        created_by: owner,
    };
    store
        .import_room(&room, &events, &rules)
        .await
        .with_context(|| format!("importing {id} (does the room exist already?)"))
}

/// An exported person as the file names them: id, display name and, for an
/// account, username. The same key is the same person throughout a file.
type PersonKey = (i64, String, Option<String>);

fn person_key(line: &Value, field: &str) -> Option<PersonKey> {
    let person = &line[field];
    let id = person["id"].as_i64()?;
    let name = person["name"].as_str().unwrap_or("unknown").to_owned();
    let username = line[format!("{field}_username")]
        .as_str()
        .map(str::to_owned);
    Some((id, name, username))
}

/// What the store would refuse, checked before anyone is looked up or made
/// (guests made for a file that then fails would stay behind): the room must
/// not exist, seqs must ascend, and someone must have joined.
async fn check_before_writing(
    store: &dyn Store,
    room: &str,
    parsed: &[(usize, Line)],
) -> anyhow::Result<()> {
    if store.room(room).await?.is_some() {
        bail!("a room {room} exists already (import it under another id with --as)");
    }
    let mut last_seq = 0;
    let mut joined = false;
    for (number, line) in parsed {
        if let Line::Event(_, view, _) = line {
            if view.seq <= last_seq {
                bail!("line {number}: seq {} is not ascending", view.seq);
            }
            last_seq = view.seq;
            joined |= view.kind == EventKind::Join;
        }
    }
    if !joined {
        bail!("the log has no join: nobody to own the room");
    }
    Ok(())
}

/// A line after the room's, checked but with its people not yet resolved.
enum Line {
    Event(Value, Box<webchat_protocol::views::EventView>, i64),
    Role(Value, Role),
    Ban(Value),
}

fn parse_line(line: &str) -> anyhow::Result<Line> {
    let value: Value = serde_json::from_str(line).context("not JSON")?;
    let has_person = |field: &str| value[field]["id"].is_i64();
    Ok(match value["type"].as_str() {
        Some("event") => {
            let view: webchat_protocol::views::EventView =
                serde_json::from_value(value.clone()).context("not an event")?;
            if value["actor"].is_object() && !has_person("actor") {
                bail!("\"actor\" has no numeric \"id\"");
            }
            let ts_ms = time::OffsetDateTime::parse(
                &view.ts,
                &time::format_description::well_known::Rfc3339,
            )
            .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
            .context("bad ts")?;
            Line::Event(value, Box::new(view), ts_ms)
        }
        Some("role") => {
            let Some(role) = value["role"].as_str().and_then(Role::parse) else {
                bail!("\"role\" must be \"member\", \"moderator\" or \"owner\"");
            };
            if !has_person("user") {
                bail!("\"user\" has no numeric \"id\"");
            }
            Line::Role(value, role)
        }
        Some("ban") => {
            if !has_person("user") || !has_person("by") {
                bail!("a ban needs \"user\" and \"by\", each with a numeric \"id\"");
            }
            Line::Ban(value)
        }
        _ => bail!("expected an event, a role or a ban (\"type\")"),
    })
}

/// An exported event as an event of room `room`, by `author` (and `actor`)
/// as resolved here.
fn imported_event(
    room: &str,
    view: webchat_protocol::views::EventView,
    ts_ms: i64,
    author: Author,
    actor: Option<Author>,
) -> Event {
    Event {
        room: room.to_owned(),
        seq: view.seq,
        id: view.id,
        ts_ms,
        kind: view.kind,
        author,
        body: view.body,
        target: view.target,
        nonce: None,
        actor,
        edited: view.edited,
        deleted: view.deleted,
    }
}
