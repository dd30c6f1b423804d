//! `webchat admin`: users, admins, room listing, export and import.
//!
//! Each command runs as the real binary; its effects are then read straight
//! from the store in the data folder, so a command that only prints the right
//! message without doing the work fails.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use webchat_core::store::Store;

const BINARY: &str = env!("CARGO_BIN_EXE_webchat");

fn admin(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BINARY)
        .arg("admin")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("writes");
    child.wait_with_output().expect("finishes")
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Asserts the command failed and said `why` on standard error.
fn fails(output: Output, why: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "succeeded; stderr: {stderr}");
    assert!(stderr.contains(why), "no {why:?} in: {stderr}");
}

/// Runs `work` on the data folder's store, opened as the server opens it.
/// Only between commands: each command has closed the store when it exits.
fn with_store<T>(data: &Path, work: impl AsyncFnOnce(&dyn Store) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = webchat_store::open_store(None, data, Default::default())
            .await
            .expect("opens");
        let result = work(store.as_ref()).await;
        store.close().await;
        result
    })
}

fn is_admin(data: &Path, username: &str) -> bool {
    with_store(data, async |store| {
        store
            .user_by_username(username)
            .await
            .expect("reads")
            .expect("the account exists")
            .admin
    })
}

/// Event lines (no room, role or ban lines) without what legitimately changes on import (ids, room,
/// author ids). A `target` becomes `target_seq`, the seq of the event it
/// points at in the same log (`null` when it points outside it), so a target
/// left pointing at the exported id instead of the imported one shows.
fn log_shape(export: &str) -> Vec<Value> {
    let events: Vec<Value> = export
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("json"))
        .filter(|line| line["type"] == "event")
        .collect();
    let seq_of: HashMap<i64, Value> = events
        .iter()
        .map(|e| (e["id"].as_i64().expect("id"), e["seq"].clone()))
        .collect();
    events
        .into_iter()
        .map(|mut v| {
            let object = v.as_object_mut().expect("object");
            object.remove("id");
            object.remove("room");
            if let Some(target) = object.remove("target") {
                let seq = target.as_i64().and_then(|t| seq_of.get(&t));
                object.insert("target_seq".into(), seq.cloned().unwrap_or(Value::Null));
            }
            object
                .get_mut("author")
                .and_then(|a| a.as_object_mut())
                .map(|a| a.remove("id"));
            v
        })
        .collect()
}

/// The author fields of an export line for the account `username`, whose id
/// was `id` where it was exported.
fn account(id: i64, username: &str) -> String {
    format!(r#""author":{{"id":{id},"name":"{username}"}},"author_username":"{username}""#)
}

/// A hand-written export of a private room: `author` (export line fields)
/// joins, sends a message they edit, and a message they edit and delete.
/// The deleted message and its edit still carry text, as a damaged or
/// tampered file might; ids are unlike any a new folder hands out.
fn notes_export(author: &str) -> String {
    let event = |seq: u32, id: u32, rest: &str| {
        format!(
            r#"{{"type":"event","room":"notes","seq":{seq},"id":{id},"ts":"2024-05-01T10:00:0{seq}.000Z",{author},{rest}}}"#
        )
    };
    [
        r#"{"type":"room","id":"notes","name":"Notes","topic":"","visibility":"private","head":6,"member_count":1}"#.to_owned(),
        event(1, 901, r#""kind":"join""#),
        event(2, 902, r#""kind":"message","body":"kept, edited","edited":true"#),
        event(3, 903, r#""kind":"edit","body":"kept, edited","target":902"#),
        event(4, 904, r#""kind":"message","body":"leaked text","edited":true,"deleted":true"#),
        event(5, 905, r#""kind":"edit","body":"leaked edit","target":904"#),
        event(6, 906, r#""kind":"delete","target":904"#),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn users_are_created_and_admin_granted_and_revoked() {
    let data = tempfile::tempdir().expect("temp dir");
    let data = data.path();
    let out = ok(admin(data, &["create-user", "Root"], "a long password\n"));
    assert!(out.contains("created root"), "{out}");
    ok(admin(
        data,
        &["create-user", "helper"],
        "another password\n",
    ));
    // Only the very first account is made an admin by itself.
    assert!(!is_admin(data, "helper"));
    assert!(ok(admin(data, &["grant-admin", "helper"], "")).contains("now an admin"));
    assert!(is_admin(data, "helper"), "granted in the store");
    assert!(ok(admin(data, &["revoke-admin", "HELPER"], "")).contains("no longer an admin"));
    assert!(!is_admin(data, "helper"), "revoked in the store");
    assert!(is_admin(data, "root"), "nobody else's flag changed");

    // A CRLF line end (a Windows pipe) is not part of the password.
    ok(admin(
        data,
        &["create-user", "boss", "--admin"],
        "boss password\r\n",
    ));
    let boss = with_store(data, async |store| {
        store.credentials("boss").await.expect("reads")
    })
    .expect("boss can log in with a password");
    assert!(boss.user.admin && !boss.user.guest, "{:?}", boss.user);
    assert!(webchat_server::passwords::verify(
        "boss password",
        &boss.password_hash
    ));
    assert!(!webchat_server::passwords::verify(
        "another password",
        &boss.password_hash
    ));

    fails(
        admin(data, &["create-user", "root"], "a long password\n"),
        "is the name taken",
    );
    fails(
        admin(data, &["create-user", "shorty"], "short\n"),
        "at least 8",
    );
    fails(
        admin(data, &["grant-admin", "nobody"], ""),
        "no account named nobody",
    );
}

#[test]
fn a_room_is_exported_as_json_lines_and_imported_back() {
    let data = tempfile::tempdir().expect("temp dir");
    let file = data.path().join("lobby.jsonl");
    // Make some history through the store the server uses: a message edited,
    // and one edited then deleted.
    with_store(data.path(), async |store| {
        use webchat_core::model::NewEvent;
        use webchat_protocol::views::EventKind;
        let ann = store.create_guest("ann").await.expect("guest");
        let message = |body: &str| NewEvent {
            body: Some(body.into()),
            ..NewEvent::simple("lobby", EventKind::Message, &ann)
        };
        let on = |kind, target, body: Option<&str>| NewEvent {
            body: body.map(str::to_owned),
            target: Some(target),
            ..NewEvent::simple("lobby", kind, &ann)
        };
        let join = NewEvent::simple("lobby", EventKind::Join, &ann);
        let results = store
            .append_batch(&[join, message("hello"), message("secret")])
            .await
            .expect("appends");
        let id = |i: usize| results[i].as_ref().expect("appended").event.id;
        let (hello, secret) = (id(1), id(2));
        let results = store
            .append_batch(&[
                on(EventKind::Edit, hello, Some("hello, edited")),
                on(EventKind::Edit, secret, Some("secret, edited")),
                on(EventKind::Delete, secret, None),
            ])
            .await
            .expect("edits and deletes");
        assert!(results.iter().all(Result::is_ok), "{results:?}");
    });
    ok(admin(
        data.path(),
        &["export", "lobby", "--output", file.to_str().expect("path")],
        "",
    ));
    let exported = std::fs::read_to_string(&file).expect("file");
    let header: Value = serde_json::from_str(exported.lines().next().expect("line")).expect("json");
    assert_eq!(
        (header["type"].clone(), header["id"].clone()),
        (Value::from("room"), Value::from("lobby"))
    );
    assert_eq!(exported.lines().count(), 7);
    assert!(!exported.contains("secret"), "a tombstone has no text");

    let out = ok(admin(
        data.path(),
        &["import", file.to_str().expect("path"), "--as", "lobby-copy"],
        "",
    ));
    assert!(out.contains("imported lobby-copy (6 events)"), "{out}");
    let copy = ok(admin(data.path(), &["export", "lobby-copy"], ""));
    let shape = log_shape(&copy);
    assert_eq!(shape, log_shape(&exported), "the same log, seq by seq");
    // The copy's edits and delete point at the copy's messages (seq 2 and 3),
    // not at the original room's.
    let targets: Vec<&Value> = shape.iter().map(|e| &e["target_seq"]).collect();
    assert_eq!(
        targets[3..],
        [&Value::from(2), &Value::from(3), &Value::from(3)]
    );
    // A guest of the same id and name is taken to be the same person. (The
    // lobby has no owner to export: the copy's first joiner owns it.)
    let users = with_store(data.path(), async |store| {
        let mut users = Vec::new();
        for room in ["lobby", "lobby-copy"] {
            let members = store.members(room).await.expect("members");
            users.push(members.into_iter().map(|m| m.user).collect::<Vec<_>>());
        }
        users
    });
    assert_eq!(users[0], users[1]);
    let rooms = ok(admin(data.path(), &["list-rooms"], ""));
    assert!(
        rooms.lines().any(|l| l.starts_with("lobby-copy\tpublic")),
        "{rooms}"
    );

    fails(
        admin(
            data.path(),
            &["import", file.to_str().expect("path"), "--as", "lobby-copy"],
            "",
        ),
        "exists already",
    );
    fails(admin(data.path(), &["import", "-"], "not json\n"), "line 1");
}

#[test]
fn roles_bans_and_actors_travel_with_the_room_to_another_folder() {
    use webchat_core::model::{NewEvent, NewRoom, Role};
    use webchat_core::store::{Ban, RoomRules};
    use webchat_protocol::views::{EventKind, Visibility};

    let data = tempfile::tempdir().expect("temp dir");
    let (old, new) = (data.path().join("old"), data.path().join("new"));
    // In the old folder: ann owns `club`, bob moderates it and has banned carl.
    with_store(&old, async |store| {
        let ann = store.create_account("ann", "x").await.expect("account");
        let bob = store.create_account("bob", "x").await.expect("account");
        let carl = store.create_account("carl", "x").await.expect("account");
        store
            .create_room(&NewRoom {
                id: "club".into(),
                name: "Club".into(),
                topic: String::new(),
                visibility: Visibility::Public,
                created_by: ann.id,
            })
            .await
            .expect("room");
        let join = |user| NewEvent::simple("club", EventKind::Join, user);
        let ban = NewEvent {
            body: Some("banned".into()),
            actor: Some(bob.author()),
            ..NewEvent::simple("club", EventKind::Leave, &carl)
        };
        for event in [join(&ann), join(&bob), join(&carl), ban] {
            store.append_batch(&[event]).await.expect("appends")[0]
                .as_ref()
                .expect("appended");
        }
        store
            .set_role("club", bob.id, Role::Moderator)
            .await
            .expect("role");
        store.ban("club", carl.id, bob.id).await.expect("ban");
    });
    let exported = ok(admin(&old, &["export", "club"], ""));
    let kinds: Vec<String> = exported
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json")["type"].to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "\"room\"",
            "\"event\"",
            "\"event\"",
            "\"event\"",
            "\"event\"",
            "\"role\"",
            "\"role\"",
            "\"ban\""
        ]
    );

    // The new folder has the same accounts under other ids.
    let (ann, bob, carl) = with_store(&new, async |store| {
        let carl = store.create_account("carl", "x").await.expect("account");
        let bob = store.create_account("bob", "x").await.expect("account");
        let ann = store.create_account("ann", "x").await.expect("account");
        (ann.id, bob.id, carl.id)
    });
    ok(admin(&new, &["import", "-"], &exported));
    let (rules, ban_event) = with_store(&new, async |store| {
        let rules = store.room_rules("club").await.expect("rules");
        let (events, _) = store
            .events(
                "club",
                webchat_core::model::Page::After {
                    after: 0,
                    limit: 10,
                },
            )
            .await
            .expect("events");
        (rules, events.last().cloned().expect("event"))
    });
    let mut roles = vec![(ann, Role::Owner), (bob, Role::Moderator)];
    roles.sort();
    assert_eq!(
        rules,
        RoomRules {
            roles,
            bans: vec![Ban {
                user: carl,
                by: bob
            }],
        },
        "the owner, the moderator and the ban, by account"
    );
    assert_eq!(
        (ban_event.author.id, ban_event.actor.map(|a| a.id)),
        (carl, Some(bob)),
        "the leave still says who banned whom"
    );

    // A ban line without who placed it is refused, naming its line.
    let damaged = exported.replace(r#""by":{"#, r#""who":{"#);
    fails(
        admin(&new, &["import", "-", "--as", "club-2"], &damaged),
        "line 8",
    );

    // A file refused on the whole (a room of that id exists) is refused
    // before anyone is made: its people, all guests here, leave no stray
    // users behind.
    let as_guests: String = exported
        .lines()
        .map(|line| {
            let mut line: Value = serde_json::from_str(line).expect("json");
            if let Some(object) = line.as_object_mut() {
                object.retain(|key, _| !key.ends_with("_username"));
            }
            line.to_string() + "\n"
        })
        .collect();
    let next_user_id = |data: &Path| {
        with_store(data, async |store| {
            store.create_guest("probe").await.expect("guest").id
        })
    };
    let before = next_user_id(&new);
    fails(
        admin(&new, &["import", "-", "--as", "club"], &as_guests),
        "exists already",
    );
    assert_eq!(
        next_user_id(&new),
        before + 1,
        "no guest was made for the refused file"
    );
}

#[test]
fn import_into_a_new_folder_keeps_tombstones_and_remaps_targets() {
    let data = tempfile::tempdir().expect("temp dir");
    // Not there yet: import makes the folder and the store.
    let fresh = data.path().join("fresh");
    let out = ok(admin(
        &fresh,
        &["import", "-"],
        &notes_export(&account(77, "ann")),
    ));
    assert!(out.contains("imported notes (6 events)"), "{out}");

    let copy = ok(admin(&fresh, &["export", "notes"], ""));
    assert!(
        !copy.contains("leaked"),
        "no text of a deleted message: {copy}"
    );
    let shape = log_shape(&copy);
    let field = |seq: usize, key: &str| shape[seq - 1].get(key).cloned();
    assert_eq!(field(2, "body"), Some(Value::from("kept, edited")));
    assert_eq!(field(3, "target_seq"), Some(Value::from(2)));
    assert_eq!(field(4, "deleted"), Some(Value::Bool(true)));
    assert_eq!(field(4, "body"), None, "a tombstone: {copy}");
    assert_eq!(field(5, "body"), None, "an erased edit: {copy}");
    assert_eq!(field(5, "target_seq"), Some(Value::from(4)));
    assert_eq!(field(6, "target_seq"), Some(Value::from(4)));
    let rooms = ok(admin(&fresh, &["list-rooms"], ""));
    assert!(
        rooms.lines().any(|l| l.starts_with("notes\tprivate")),
        "{rooms}"
    );
    // Nor is the text searchable (the search index is written separately).
    let found = with_store(&fresh, async |store| {
        let owner = store.members("notes").await.expect("members")[0].user.id;
        store
            .search(owner, "leaked", Some("notes"), 10, 0)
            .await
            .expect("searches")
            .events
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn import_refuses_to_guess_who_may_read_the_room() {
    let data = tempfile::tempdir().expect("temp dir");
    let data = data.path();
    // Users here who have the ids and names that the exported authors had
    // where they came from, but are different people: a guest named like an
    // account, and an account named like a guest.
    let (stranger, bob) = with_store(data, async |store| {
        let stranger = store.create_guest("ann").await.expect("guest");
        let bob = store.create_account("bob", "no password").await;
        (stranger.id, bob.expect("account").id)
    });
    let export = notes_export(&account(stranger, "ann"));
    let (header, events) = export.split_once('\n').expect("lines");
    let with_header = |edit: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut value: Value = serde_json::from_str(header).expect("json");
        edit(value.as_object_mut().expect("object"));
        format!("{value}\n{events}")
    };

    let missing = with_header(&|h| {
        h.remove("visibility");
    });
    fails(
        admin(data, &["import", "-"], &missing),
        "\"visibility\" is missing",
    );
    let unknown = with_header(&|h| {
        h.insert("visibility".into(), "secret".into());
    });
    fails(admin(data, &["import", "-"], &unknown), "\"secret\"");
    let no_id = with_header(&|h| {
        h.remove("id");
    });
    fails(admin(data, &["import", "-"], &no_id), "--as");
    // A DM's id names a pair of users of the folder it came from; here it
    // would belong to two others, who would find it as their own DM.
    fails(
        admin(data, &["import", "-", "--as", "dm-1-2"], &export),
        "belong to direct messages",
    );
    let rooms = ok(admin(data, &["list-rooms"], ""));
    assert!(!rooms.contains("notes"), "nothing imported: {rooms}");

    ok(admin(data, &["import", "-"], &export));
    let guest_bob = format!(r#""author":{{"id":{bob},"name":"bob"}}"#);
    ok(admin(
        data,
        &["import", "-", "--as", "notes-2"],
        &notes_export(&guest_bob),
    ));
    let members = with_store(data, async |store| {
        let mut members = store.members("notes").await.expect("members");
        members.extend(store.members("notes-2").await.expect("members"));
        members
    });
    let members: Vec<_> = members.iter().map(|m| &m.user).collect();
    assert_eq!(members.len(), 2, "{members:?}");
    // Each author is a new guest of their name, not the user here; a guest
    // may not look like an account here, so "bob" is marked as imported.
    assert!(members[0].guest && members[0].name == "ann" && members[0].id != stranger);
    assert!(members[1].guest && members[1].name == "bob (imported)" && members[1].id != bob);
}

#[test]
fn admin_works_on_the_store_a_database_url_names() {
    let data = tempfile::tempdir().expect("temp dir");
    let file = data.path().join("elsewhere/chat.db");
    let url = format!("sqlite://{}", file.display());
    let created = Command::new(BINARY)
        .args(["admin", "--data-dir"])
        .arg(data.path())
        .args(["--database-url", &url, "create-user", "ursula"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"a long enough password\n")?;
            child.wait_with_output()
        })
        .expect("runs");
    ok(created);
    assert!(file.exists(), "the named file");
    assert!(
        !data.path().join("webchat.db").exists(),
        "not the data folder's"
    );
    let listed = Command::new(BINARY)
        .args(["admin", "--database-url", &url, "list-rooms"])
        .output()
        .expect("runs");
    assert!(ok(listed).contains("lobby"));
}
