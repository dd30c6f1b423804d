//! `webchat admin`: users, admins, room listing, export and import.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

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

/// Event lines without what legitimately changes on import (ids, room, targets).
fn log_shape(export: &str) -> Vec<Value> {
    export
        .lines()
        .skip(1)
        .map(|line| {
            let mut v: Value = serde_json::from_str(line).expect("json");
            let object = v.as_object_mut().expect("object");
            for key in ["id", "room", "target"] {
                object.remove(key);
            }
            object
                .get_mut("author")
                .and_then(|a| a.as_object_mut())
                .map(|a| a.remove("id"));
            v
        })
        .collect()
}

#[test]
fn users_are_created_and_admin_granted_and_revoked() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = ok(admin(
        data.path(),
        &["create-user", "Root"],
        "a long password\n",
    ));
    assert!(out.contains("created root"), "{out}");
    ok(admin(
        data.path(),
        &["create-user", "helper"],
        "another password\n",
    ));
    assert!(ok(admin(data.path(), &["grant-admin", "helper"], "")).contains("now an admin"));
    assert!(ok(admin(data.path(), &["revoke-admin", "helper"], "")).contains("no longer an admin"));
    let failed = admin(data.path(), &["create-user", "root"], "a long password\n");
    assert!(!failed.status.success(), "the name is taken");
    let short = admin(data.path(), &["create-user", "shorty"], "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8"));
    let missing = admin(data.path(), &["grant-admin", "nobody"], "");
    assert!(!missing.status.success());
}

#[test]
fn a_room_is_exported_as_json_lines_and_imported_back() {
    let data = tempfile::tempdir().expect("temp dir");
    let file = data.path().join("lobby.jsonl");
    // Make some history through the store the server uses.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        use webchat_core::model::NewEvent;
        use webchat_core::store::{EventLog, Store};
        use webchat_protocol::views::EventKind;
        let store = webchat_store_sqlite::SqliteStore::open(data.path())
            .await
            .expect("opens");
        let ann = store.create_guest("ann").await.expect("guest");
        let join = NewEvent::simple("lobby", EventKind::Join, &ann);
        let hello = NewEvent {
            body: Some("hello".into()),
            ..NewEvent::simple("lobby", EventKind::Message, &ann)
        };
        let results = store.append_batch(&[join, hello]).await.expect("appends");
        let message = results[1].as_ref().expect("message").event.id;
        let edit = NewEvent {
            body: Some("hello, edited".into()),
            target: Some(message),
            ..NewEvent::simple("lobby", EventKind::Edit, &ann)
        };
        store.append_batch(&[edit]).await.expect("edits");
        store.close().await;
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
    assert_eq!(exported.lines().count(), 4);

    let out = ok(admin(
        data.path(),
        &["import", file.to_str().expect("path"), "--as", "lobby-copy"],
        "",
    ));
    assert!(out.contains("imported lobby-copy (3 events)"), "{out}");
    let copy = ok(admin(data.path(), &["export", "lobby-copy"], ""));
    assert_eq!(
        log_shape(&copy),
        log_shape(&exported),
        "the same log, seq by seq"
    );
    let rooms = ok(admin(data.path(), &["list-rooms"], ""));
    assert!(
        rooms.lines().any(|l| l.starts_with("lobby-copy\tpublic")),
        "{rooms}"
    );

    let again = admin(
        data.path(),
        &["import", file.to_str().expect("path"), "--as", "lobby-copy"],
        "",
    );
    assert!(
        !again.status.success(),
        "an existing room is not overwritten"
    );
    let garbage = admin(data.path(), &["import", "-"], "not json\n");
    assert!(!garbage.status.success());
    assert!(String::from_utf8_lossy(&garbage.stderr).contains("line 1"));
}
