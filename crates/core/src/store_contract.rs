//! The contract every [`Store`] backend must keep, as one suite that each
//! backend's tests run against a fresh instance (SQLite in a temporary
//! folder, PostgreSQL in a throwaway schema). Enabled by the
//! `contract-tests` feature; panics on the first broken promise.

mod rules;

use crate::model::{DirectoryKey, Event, NewEvent, NewRoom, Page, Role, SessionKind, User};
use crate::store::{AppendError, Ban, RoomRules, Store, StoreError};
use webchat_protocol::views::{EventKind, Visibility};

/// Runs every check against `store`, which must be freshly migrated.
pub async fn run_all(store: &dyn Store) {
    lobby_exists_and_is_public(store).await;
    sessions_resolve_to_their_user(store).await;
    sessions_record_use_and_expired_ones_are_deleted(store).await;
    seed_guests_are_made_once(store).await;
    seqs_are_per_room_consecutive_and_nonces_deduplicate(store).await;
    membership_follows_join_and_leave_events(store).await;
    pages_are_ascending_with_has_more(store).await;
    rooms_conflict_on_duplicate_ids(store).await;
    accounts_are_unique_and_the_first_is_admin(store).await;
    edits_and_deletes_change_history_and_search(store).await;
    unread_counts_follow_read_markers(store).await;
    roles_and_bans(store).await;
    imported_rooms_keep_their_log(store).await;
    the_directory_pages_public_rooms_busiest_first(store).await;
    blocks_are_per_user_and_idempotent(store).await;
    room_access_tells_visibility_owner_role_and_ban(store).await;
    look_alike_names_are_reserved_for_accounts(store).await;
    authors_say_whether_they_are_guests_and_seed_clients(store).await;
    rules::run_all(store).await;
}

fn message(room: &str, author: &User, body: &str, nonce: Option<&str>) -> NewEvent {
    NewEvent {
        room: room.into(),
        kind: EventKind::Message,
        author: author.author(),
        body: Some(body.into()),
        target: None,
        nonce: nonce.map(str::to_owned),
        actor: None,
    }
}

fn delete_of(room: &str, by: &User, target: i64) -> NewEvent {
    NewEvent {
        kind: EventKind::Delete,
        target: Some(target),
        body: None,
        ..message(room, by, "", None)
    }
}

fn membership(room: &str, author: &User, kind: EventKind) -> NewEvent {
    NewEvent::simple(room, kind, author)
}

async fn room_for(store: &dyn Store, id: &str, owner: &User, visibility: Visibility) {
    store
        .create_room(&NewRoom {
            id: id.into(),
            name: id.into(),
            topic: String::new(),
            visibility,
            created_by: owner.id,
        })
        .await
        .expect("creates");
    store
        .append_batch(&[membership(id, owner, EventKind::Join)])
        .await
        .expect("joins");
}

async fn append_one(store: &dyn Store, event: NewEvent) -> Event {
    let mut results = store.append_batch(&[event]).await.expect("commits");
    results.remove(0).expect("appended").event
}

async fn lobby_exists_and_is_public(store: &dyn Store) {
    let lobby = store
        .room("lobby")
        .await
        .expect("reads")
        .expect("lobby exists");
    assert_eq!(lobby.visibility, Visibility::Public);
    assert!(
        store
            .public_rooms(None, 10)
            .await
            .expect("reads")
            .iter()
            .any(|r| r.id == "lobby")
    );
    store.ping().await.expect("answers");
}

async fn sessions_resolve_to_their_user(store: &dyn Store) {
    let ann = store.create_guest("ann").await.expect("creates");
    let id = store
        .create_session(ann.id, b"hash-1", SessionKind::Session, "")
        .await
        .expect("stores");
    let token = store
        .create_session(ann.id, b"hash-t", SessionKind::Token, "bot")
        .await
        .expect("stores");
    let (user, session) = store
        .session_user(b"hash-1")
        .await
        .expect("reads")
        .expect("found");
    assert_eq!(
        (user, session.id, session.kind),
        (ann.clone(), id, SessionKind::Session)
    );
    assert!(
        store
            .session_user(b"hash-2")
            .await
            .expect("reads")
            .is_none()
    );
    let tokens = store
        .sessions(ann.id, SessionKind::Token)
        .await
        .expect("lists");
    assert_eq!(
        tokens
            .iter()
            .map(|t| (t.id, t.name.as_str()))
            .collect::<Vec<_>>(),
        vec![(token, "bot")]
    );
    assert_eq!(
        store
            .sessions(ann.id, SessionKind::Session)
            .await
            .expect("lists")
            .len(),
        1
    );
    let other = store.create_guest("other").await.expect("creates");
    assert!(
        !store.delete_session(other.id, id).await.expect("deletes"),
        "only the owner may"
    );
    assert!(store.delete_session(ann.id, id).await.expect("deletes"));
    assert!(
        store
            .session_user(b"hash-1")
            .await
            .expect("reads")
            .is_none()
    );
    assert_eq!(store.user(ann.id).await.expect("reads"), ann);
    assert!(matches!(
        store.user(i64::MAX).await,
        Err(StoreError::NotFound)
    ));
}

async fn sessions_record_use_and_expired_ones_are_deleted(store: &dyn Store) {
    let bo = store.create_guest("bo").await.expect("creates");
    let old = store
        .create_session(bo.id, b"expiry-old", SessionKind::Session, "")
        .await
        .expect("stores");
    let used = store
        .create_session(bo.id, b"expiry-used", SessionKind::Session, "")
        .await
        .expect("stores");
    let token = store
        .create_session(bo.id, b"expiry-token", SessionKind::Token, "bot")
        .await
        .expect("stores");
    let (_, session) = store
        .session_user(b"expiry-used")
        .await
        .expect("reads")
        .expect("found");
    let created = session.created_at_ms;
    assert_eq!(
        session.last_used_at_ms, created,
        "a new session counts as used"
    );
    let later = created + 60_000;
    store
        .touch_session(used, later, later - 1_000)
        .await
        .expect("touches");
    // Already recorded within the interval: no second write.
    store
        .touch_session(used, later + 500, later + 500 - 1_000)
        .await
        .expect("touches");
    let last_used = |hash: &'static [u8]| async move {
        store
            .session_user(hash)
            .await
            .expect("reads")
            .expect("found")
            .1
            .last_used_at_ms
    };
    assert_eq!(last_used(b"expiry-used").await, later);
    assert!(last_used(b"expiry-old").await <= created);
    // Idle before `later - 1`: the old session goes, the used one and the token stay.
    let deleted = store
        .delete_expired_sessions(later - 1, i64::MIN)
        .await
        .expect("deletes");
    assert_eq!(deleted, vec![old]);
    assert!(
        store
            .session_user(b"expiry-old")
            .await
            .expect("reads")
            .is_none()
    );
    // Too old, however recently used; tokens never expire this way.
    let deleted = store
        .delete_expired_sessions(i64::MIN, created + 1)
        .await
        .expect("deletes");
    assert_eq!(deleted, vec![used]);
    let tokens = store
        .sessions(bo.id, SessionKind::Token)
        .await
        .expect("lists");
    assert_eq!(tokens.iter().map(|t| t.id).collect::<Vec<_>>(), vec![token]);
}

async fn seed_guests_are_made_once(store: &dyn Store) {
    assert_eq!(store.find_seed_guest("12345").await.expect("reads"), None);
    let first = store.seed_guest("12345").await.expect("creates");
    assert_eq!(
        store.find_seed_guest("12345").await.expect("reads"),
        Some(first.clone())
    );
    let again = store.seed_guest("12345").await.expect("finds");
    assert_eq!(first, again);
    assert!(first.guest);
    assert_eq!(first.name, "12345");
}

async fn seqs_are_per_room_consecutive_and_nonces_deduplicate(store: &dyn Store) {
    let bob = store.create_guest("bob").await.expect("creates");
    store
        .create_room(&NewRoom {
            id: "contract-a".into(),
            name: "A".into(),
            topic: String::new(),
            visibility: Visibility::Public,
            created_by: bob.id,
        })
        .await
        .expect("creates");
    let results = store
        .append_batch(&[
            message("contract-a", &bob, "one", Some("n1")),
            message("no-such-room", &bob, "lost", None),
            message("contract-a", &bob, "two", Some("n2")),
            message("contract-a", &bob, "one again", Some("n1")),
        ])
        .await
        .expect("commits");
    assert_eq!(results.len(), 4);
    let first = results[0].clone().expect("appended");
    assert_eq!((first.event.seq, first.duplicate), (1, false));
    assert_eq!(results[1], Err(AppendError::RoomNotFound));
    assert_eq!(results[2].clone().expect("appended").event.seq, 2);
    let repeat = results[3].clone().expect("deduplicated");
    assert!(repeat.duplicate);
    assert_eq!(repeat.event, first.event, "the first event, body and all");
    let later = store
        .append_batch(&[message("contract-a", &bob, "three", Some("n1"))])
        .await
        .expect("commits");
    assert!(
        later[0].as_ref().expect("dedup").duplicate,
        "across batches too"
    );
    let by_nonce = store
        .event_by_nonce(bob.id, "n1")
        .await
        .expect("reads")
        .expect("found");
    assert_eq!(by_nonce.id, first.event.id);
    assert!(
        store
            .event_by_nonce(bob.id, "never")
            .await
            .expect("reads")
            .is_none()
    );
    assert_eq!(
        store
            .room("contract-a")
            .await
            .expect("reads")
            .expect("room")
            .head,
        2
    );
}

async fn membership_follows_join_and_leave_events(store: &dyn Store) {
    let cid = store.create_guest("cid").await.expect("creates");
    assert!(!store.is_member("lobby", cid.id).await.expect("reads"));
    store
        .append_batch(&[membership("lobby", &cid, EventKind::Join)])
        .await
        .expect("commits");
    assert!(store.is_member("lobby", cid.id).await.expect("reads"));
    let rooms = store.member_rooms(cid.id).await.expect("reads");
    assert_eq!(
        rooms.iter().map(|r| r.room.id.as_str()).collect::<Vec<_>>(),
        vec!["lobby"]
    );
    store
        .append_batch(&[membership("lobby", &cid, EventKind::Leave)])
        .await
        .expect("commits");
    assert!(!store.is_member("lobby", cid.id).await.expect("reads"));
}

async fn pages_are_ascending_with_has_more(store: &dyn Store) {
    let dee = store.create_guest("dee").await.expect("creates");
    store
        .create_room(&NewRoom {
            id: "contract-b".into(),
            name: "B".into(),
            topic: String::new(),
            visibility: Visibility::Private,
            created_by: dee.id,
        })
        .await
        .expect("creates");
    let batch: Vec<_> = (1..=5)
        .map(|i| message("contract-b", &dee, &format!("m{i}"), None))
        .collect();
    store.append_batch(&batch).await.expect("commits");
    let seqs = |events: &[crate::model::Event]| events.iter().map(|e| e.seq).collect::<Vec<_>>();
    let (latest, more) = store
        .events("contract-b", Page::Latest { limit: 2 })
        .await
        .expect("reads");
    assert_eq!((seqs(&latest), more), (vec![4, 5], true));
    let (before, more) = store
        .events(
            "contract-b",
            Page::Before {
                before: 4,
                limit: 5,
            },
        )
        .await
        .expect("reads");
    assert_eq!((seqs(&before), more), (vec![1, 2, 3], false));
    let (after, more) = store
        .events("contract-b", Page::After { after: 1, limit: 3 })
        .await
        .expect("reads");
    assert_eq!((seqs(&after), more), (vec![2, 3, 4], true));
    assert_eq!(after[0].body.as_deref(), Some("m2"));
    assert_eq!(after[0].author.name, "dee");
}

async fn rooms_conflict_on_duplicate_ids(store: &dyn Store) {
    let eve = store.create_guest("eve").await.expect("creates");
    let room = NewRoom {
        id: "lobby".into(),
        name: "again".into(),
        topic: String::new(),
        visibility: Visibility::Public,
        created_by: eve.id,
    };
    assert!(matches!(
        store.create_room(&room).await,
        Err(StoreError::Conflict)
    ));
}

async fn accounts_are_unique_and_the_first_is_admin(store: &dyn Store) {
    let first = store
        .create_account("first", "hash")
        .await
        .expect("creates");
    assert!(first.admin && !first.guest);
    assert_eq!(first.username.as_deref(), Some("first"));
    let second = store
        .create_account("second", "hash2")
        .await
        .expect("creates");
    assert!(!second.admin);
    assert!(matches!(
        store.create_account("first", "x").await,
        Err(StoreError::Conflict)
    ));
    let guest = store.create_guest("will-upgrade").await.expect("creates");
    let upgraded = store
        .upgrade_guest(guest.id, "upgraded", "hash3")
        .await
        .expect("upgrades");
    assert_eq!(
        (upgraded.id, upgraded.guest, upgraded.name.as_str()),
        (guest.id, false, "upgraded")
    );
    assert!(matches!(
        store.upgrade_guest(second.id, "again", "h").await,
        Err(StoreError::NotFound)
    ));
    let credentials = store
        .credentials("second")
        .await
        .expect("reads")
        .expect("found");
    assert_eq!(
        (credentials.user.id, credentials.password_hash.as_str()),
        (second.id, "hash2")
    );
    assert!(store.credentials("nobody").await.expect("reads").is_none());
    assert_eq!(
        store
            .user_by_username("upgraded")
            .await
            .expect("reads")
            .map(|u| u.id),
        Some(guest.id)
    );
    store.set_admin(second.id, true).await.expect("grants");
    assert!(store.user(second.id).await.expect("reads").admin);
}

async fn edits_and_deletes_change_history_and_search(store: &dyn Store) {
    let fay = store.create_guest("fay").await.expect("creates");
    room_for(store, "contract-c", &fay, Visibility::Public).await;
    let original = append_one(store, message("contract-c", &fay, "zebra crossing", None)).await;
    let edit = NewEvent {
        kind: EventKind::Edit,
        target: Some(original.id),
        ..message("contract-c", &fay, "giraffe crossing", None)
    };
    append_one(store, edit).await;
    let current = store
        .event("contract-c", original.id)
        .await
        .expect("reads")
        .expect("found");
    assert_eq!(
        (current.body.as_deref(), current.edited),
        (Some("giraffe crossing"), true)
    );
    let found = store
        .search(fay.id, "giraffe", None, 10, 0)
        .await
        .expect("searches");
    assert_eq!(
        found.events.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![original.id]
    );
    assert!(
        store
            .search(fay.id, "zebra", None, 10, 0)
            .await
            .expect("searches")
            .events
            .is_empty()
    );
    let delete = NewEvent {
        kind: EventKind::Delete,
        target: Some(original.id),
        body: None,
        ..message("contract-c", &fay, "", None)
    };
    append_one(store, delete.clone()).await;
    let (events, _) = store
        .events("contract-c", Page::Latest { limit: 10 })
        .await
        .expect("reads");
    assert!(
        events.iter().all(|e| e.body.is_none()),
        "no text of a deleted message or its edits remains"
    );
    assert!(events.iter().any(|e| e.id == original.id && e.deleted));
    assert!(
        store
            .search(fay.id, "giraffe", None, 10, 0)
            .await
            .expect("searches")
            .events
            .is_empty()
    );
    let again = store.append_batch(&[delete]).await.expect("commits");
    assert_eq!(
        again[0],
        Err(AppendError::TargetNotFound),
        "a tombstone cannot be deleted or edited again"
    );
}

async fn unread_counts_follow_read_markers(store: &dyn Store) {
    let gus = store.create_guest("gus").await.expect("creates");
    let hal = store.create_guest("hal").await.expect("creates");
    room_for(store, "contract-d", &gus, Visibility::Public).await;
    append_one(store, message("contract-d", &gus, "before hal", None)).await;
    append_one(store, membership("contract-d", &hal, EventKind::Join)).await;
    let unread = |rooms: Vec<crate::model::MemberRoom>| {
        rooms
            .into_iter()
            .find(|r| r.room.id == "contract-d")
            .map(|r| (r.unread, r.last_read))
            .expect("member")
    };
    assert_eq!(
        unread(store.member_rooms(hal.id).await.expect("lists")).0,
        0,
        "history before joining is read"
    );
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(append_one(store, message("contract-d", &gus, &format!("m{i}"), None)).await);
    }
    let last = sent[2].seq;
    let own = append_one(store, message("contract-d", &hal, "own", None)).await;
    assert_eq!(
        unread(store.member_rooms(hal.id).await.expect("lists")).0,
        3,
        "others' messages only"
    );
    // A deleted message is no longer unread; deleting one's own changes nothing.
    append_one(store, delete_of("contract-d", &gus, sent[0].id)).await;
    append_one(store, delete_of("contract-d", &hal, own.id)).await;
    assert_eq!(
        unread(store.member_rooms(hal.id).await.expect("lists")).0,
        2,
        "a deleted message is not unread"
    );
    assert_eq!(
        unread(store.member_rooms(gus.id).await.expect("lists")).0,
        0,
        "the author has nothing unread"
    );
    assert_eq!(
        store
            .mark_read("contract-d", hal.id, last - 1)
            .await
            .expect("marks"),
        Some(last - 1)
    );
    assert_eq!(
        unread(store.member_rooms(hal.id).await.expect("lists")),
        (1, last - 1)
    );
    append_one(store, delete_of("contract-d", &gus, sent[2].id)).await;
    assert_eq!(
        unread(store.member_rooms(hal.id).await.expect("lists")),
        (0, last - 1),
        "a message deleted after the marker is no longer unread"
    );
    assert_eq!(
        store
            .mark_read("contract-d", hal.id, 1)
            .await
            .expect("marks"),
        None,
        "never backwards"
    );
    let head = store
        .room("contract-d")
        .await
        .expect("reads")
        .expect("room")
        .head;
    assert_eq!(
        store
            .mark_read("contract-d", hal.id, 1_000_000)
            .await
            .expect("marks"),
        Some(head),
        "clamped"
    );
    assert_eq!(
        unread(store.member_rooms(hal.id).await.expect("lists")),
        (0, head)
    );
    assert!(matches!(
        store.mark_read("contract-d", 999_999, 1).await,
        Err(StoreError::NotFound)
    ));
}

async fn roles_and_bans(store: &dyn Store) {
    let ivy = store.create_guest("ivy").await.expect("creates");
    let jon = store.create_guest("jon").await.expect("creates");
    room_for(store, "contract-e", &ivy, Visibility::Private).await;
    assert_eq!(
        store.role("contract-e", ivy.id).await.expect("reads"),
        Some(Role::Owner)
    );
    append_one(store, membership("contract-e", &jon, EventKind::Join)).await;
    assert_eq!(
        store.role("contract-e", jon.id).await.expect("reads"),
        Some(Role::Member)
    );
    store
        .set_role("contract-e", jon.id, Role::Moderator)
        .await
        .expect("sets");
    let members = store.members("contract-e").await.expect("lists");
    assert_eq!(
        members
            .iter()
            .map(|m| (m.user.id, m.role))
            .collect::<Vec<_>>(),
        vec![(ivy.id, Role::Owner), (jon.id, Role::Moderator)]
    );
    assert!(!store.is_banned("contract-e", jon.id).await.expect("reads"));
    store.ban("contract-e", jon.id, ivy.id).await.expect("bans");
    assert!(store.is_banned("contract-e", jon.id).await.expect("reads"));
    assert_eq!(
        store.banned_by("contract-e", jon.id).await.expect("reads"),
        Some(ivy.id),
        "a ban remembers who placed it"
    );
    assert!(store.unban("contract-e", jon.id).await.expect("unbans"));
    assert!(!store.is_banned("contract-e", jon.id).await.expect("reads"));
    assert!(
        !store.unban("contract-e", jon.id).await.expect("unbans"),
        "nothing left to lift"
    );
    store
        .ban("contract-e", jon.id, ivy.id)
        .await
        .expect("bans again");
    assert_eq!(
        store.room_rules("contract-e").await.expect("reads"),
        RoomRules {
            roles: vec![(ivy.id, Role::Owner), (jon.id, Role::Moderator)],
            bans: vec![Ban {
                user: jon.id,
                by: ivy.id
            }],
        },
        "roles above member and bans, by user id"
    );
    // Private rooms are not searchable by non-members.
    append_one(
        store,
        message("contract-e", &ivy, "classified walrus", None),
    )
    .await;
    let outsider = store.create_guest("outsider").await.expect("creates");
    assert!(
        store
            .search(outsider.id, "walrus", None, 10, 0)
            .await
            .expect("searches")
            .events
            .is_empty()
    );
    assert_eq!(
        store
            .search(ivy.id, "walrus", Some("contract-e"), 10, 0)
            .await
            .expect("searches")
            .events
            .len(),
        1
    );
    assert!(
        store
            .search(ivy.id, "walrus", Some("lobby"), 10, 0)
            .await
            .expect("searches")
            .events
            .is_empty()
    );
}

async fn imported_rooms_keep_their_log(store: &dyn Store) {
    let kim = store.create_guest("kim").await.expect("creates");
    room_for(store, "contract-f", &kim, Visibility::Public).await;
    let first = append_one(store, message("contract-f", &kim, "first", None)).await;
    append_one(
        store,
        NewEvent {
            kind: EventKind::Edit,
            target: Some(first.id),
            ..message("contract-f", &kim, "first, edited", None)
        },
    )
    .await;
    // A moderator who stays, and someone who left and is banned.
    let lee = store.create_guest("lee").await.expect("creates");
    let max = store.create_guest("max").await.expect("creates");
    append_one(store, membership("contract-f", &lee, EventKind::Join)).await;
    append_one(store, membership("contract-f", &max, EventKind::Join)).await;
    append_one(store, membership("contract-f", &max, EventKind::Leave)).await;
    let rules = RoomRules {
        roles: vec![(kim.id, Role::Owner), (lee.id, Role::Moderator)],
        bans: vec![Ban {
            user: max.id,
            by: kim.id,
        }],
    };
    let (events, _) = store
        .events(
            "contract-f",
            Page::After {
                after: 0,
                limit: 200,
            },
        )
        .await
        .expect("reads");
    let copy = NewRoom {
        id: "contract-f-copy".into(),
        name: "copy".into(),
        topic: String::new(),
        visibility: Visibility::Public,
        created_by: kim.id,
    };
    let room = store
        .import_room(&copy, &events, &rules)
        .await
        .expect("imports");
    assert_eq!(room.head, events.len() as u64);
    let (imported, _) = store
        .events(
            "contract-f-copy",
            Page::After {
                after: 0,
                limit: 200,
            },
        )
        .await
        .expect("reads");
    let shape = |e: &Event| (e.seq, e.kind, e.body.clone(), e.edited, e.ts_ms);
    assert_eq!(
        imported.iter().map(shape).collect::<Vec<_>>(),
        events.iter().map(shape).collect::<Vec<_>>()
    );
    let edit = imported
        .iter()
        .find(|e| e.kind == EventKind::Edit)
        .expect("edit");
    assert_eq!(
        edit.target,
        Some(imported[1].id),
        "targets follow the new ids"
    );
    assert_eq!(
        store.room_rules("contract-f-copy").await.expect("reads"),
        rules,
        "the owner, the moderator and the ban come along"
    );
    assert_eq!(
        store.role("contract-f-copy", max.id).await.expect("reads"),
        None,
        "membership follows the log"
    );
    let copied = store.member_rooms(kim.id).await.expect("lists");
    let copied = copied
        .iter()
        .find(|r| r.room.id == "contract-f-copy")
        .expect("member of the copy");
    assert_eq!(
        copied.unread, 0,
        "one's own imported messages are not unread"
    );
    assert!(matches!(
        store.import_room(&copy, &events, &rules).await,
        Err(StoreError::Conflict)
    ));
    // One owner per room: another owner in the rules is made a moderator.
    let two_owners = RoomRules {
        roles: vec![(kim.id, Role::Owner), (lee.id, Role::Owner)],
        bans: Vec::new(),
    };
    let second = NewRoom {
        id: "contract-f-owners".into(),
        ..copy.clone()
    };
    store
        .import_room(&second, &events, &two_owners)
        .await
        .expect("imports");
    assert_eq!(
        store
            .room_rules("contract-f-owners")
            .await
            .expect("reads")
            .roles,
        vec![(kim.id, Role::Owner), (lee.id, Role::Moderator)]
    );
    // A ban on someone the log keeps as a member (a server stopped between a
    // ban and its leave): the ban wins, they are no member of the copy.
    let contradiction = RoomRules {
        roles: Vec::new(),
        bans: vec![Ban {
            user: lee.id,
            by: kim.id,
        }],
    };
    let banned_member = NewRoom {
        id: "contract-f-banned".into(),
        ..copy.clone()
    };
    store
        .import_room(&banned_member, &events, &contradiction)
        .await
        .expect("imports");
    assert_eq!(
        store
            .role("contract-f-banned", lee.id)
            .await
            .expect("reads"),
        None
    );
    assert!(
        store
            .is_banned("contract-f-banned", lee.id)
            .await
            .expect("reads")
    );
    // A file that claims a deleted message still has text does not bring it back.
    let mut forged = events.clone();
    let message = forged
        .iter_mut()
        .find(|e| e.kind == EventKind::Message)
        .expect("message");
    message.deleted = true;
    message.body = Some("secret".into());
    let forged_room = NewRoom {
        id: "contract-f-forged".into(),
        ..copy.clone()
    };
    store
        .import_room(&forged_room, &forged, &RoomRules::default())
        .await
        .expect("imports");
    let (imported, _) = store
        .events(
            "contract-f-forged",
            Page::After {
                after: 0,
                limit: 200,
            },
        )
        .await
        .expect("reads");
    assert!(
        imported.iter().all(|e| e.body.is_none()),
        "neither the message nor its edit keeps text"
    );
}

async fn the_directory_pages_public_rooms_busiest_first(store: &dyn Store) {
    let mut users = Vec::new();
    for name in ["dir0", "dir1", "dir2"] {
        users.push(store.create_guest(name).await.expect("creates"));
    }
    // Quiet rooms that sort before the busy one by id, and a private one.
    room_for(store, "aaa-quiet", &users[0], Visibility::Public).await;
    room_for(store, "aab-quiet", &users[0], Visibility::Public).await;
    append_one(store, message("aab-quiet", &users[0], "activity", None)).await;
    room_for(store, "zzz-busy", &users[0], Visibility::Public).await;
    for user in &users[1..] {
        append_one(store, membership("zzz-busy", user, EventKind::Join)).await;
    }
    room_for(store, "aaa-hidden", &users[0], Visibility::Private).await;
    let mut seen = Vec::new();
    let mut after: Option<DirectoryKey> = None;
    loop {
        let page = store.public_rooms(after.as_ref(), 2).await.expect("reads");
        assert!(page.len() <= 2, "a page holds at most its limit");
        let Some(last) = page.last() else { break };
        after = Some(DirectoryKey::of(last));
        seen.extend(page.iter().map(|r| r.id.clone()));
    }
    assert!(!seen.iter().any(|id| id == "aaa-hidden"), "{seen:?}");
    let position = |id: &str| seen.iter().position(|s| s == id).expect(id);
    assert!(
        position("zzz-busy") < position("aab-quiet"),
        "members first: {seen:?}"
    );
    assert!(
        position("aab-quiet") < position("aaa-quiet"),
        "then activity: {seen:?}"
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no room twice: {seen:?}");
}

async fn blocks_are_per_user_and_idempotent(store: &dyn Store) {
    let ann = store.create_guest("blocker").await.expect("creates");
    let bob = store.create_guest("blocked").await.expect("creates");
    store.block(ann.id, bob.id).await.expect("blocks");
    store.block(ann.id, bob.id).await.expect("again, no change");
    assert!(store.blocks(ann.id, bob.id).await.expect("reads"));
    assert!(
        !store.blocks(bob.id, ann.id).await.expect("reads"),
        "one way"
    );
    let list = store.blocked(ann.id).await.expect("reads");
    assert_eq!(list.iter().map(|u| u.id).collect::<Vec<_>>(), vec![bob.id]);
    assert!(store.unblock(ann.id, bob.id).await.expect("unblocks"));
    assert!(
        !store
            .unblock(ann.id, bob.id)
            .await
            .expect("nothing to lift")
    );
    assert!(!store.blocks(ann.id, bob.id).await.expect("reads"));
}

async fn look_alike_names_are_reserved_for_accounts(store: &dyn Store) {
    let conflict = |r: Result<User, StoreError>| matches!(r, Err(StoreError::Conflict));
    // A guest before the account: the account wins, the guest stays.
    let early_guest = store.create_guest("mallory").await.expect("creates");
    let early_seed = store.seed_guest("mallory").await.expect("creates");
    store
        .create_account("mallory", "hash")
        .await
        .expect("an account may look like a guest");
    assert_eq!(
        store.user(early_guest.id).await.expect("reads").name,
        "mallory"
    );
    assert_eq!(
        store.seed_guest("mallory").await.expect("still there").id,
        early_seed.id,
        "a seed guest made before the account keeps its id"
    );
    // After the account: no new guest, seed guest or account looks like it.
    for name in ["mallory", "MALLORY", "rnallory", "m\u{430}llory", "ma11ory"] {
        assert!(conflict(store.create_guest(name).await), "guest {name:?}");
    }
    assert!(conflict(store.seed_guest("MaIIory").await), "seed guest");
    assert_eq!(store.find_seed_guest("MaIIory").await.expect("reads"), None);
    for username in ["rnallory", "ma11ory"] {
        assert!(
            conflict(store.create_account(username, "h").await),
            "account {username}"
        );
    }
    let guest = store.create_guest("someone").await.expect("creates");
    assert!(conflict(
        store.upgrade_guest(guest.id, "mal1ory", "h").await
    ));
    assert!(
        store.user(guest.id).await.expect("reads").guest,
        "unchanged"
    );
    // Names that only resemble it are fine.
    store.create_guest("mallory2").await.expect("creates");
    store.create_account("malloy", "h").await.expect("creates");
}

async fn authors_say_whether_they_are_guests_and_seed_clients(store: &dyn Store) {
    let account = store
        .create_account("author-acct", "h")
        .await
        .expect("creates");
    let guest = store.create_guest("author guest").await.expect("creates");
    let seed = store.seed_guest("4242").await.expect("creates");
    assert!(seed.seed && seed.guest);
    assert!(!guest.seed && guest.guest);
    assert!(!account.seed && !account.guest);
    room_for(store, "authors", &account, Visibility::Public).await;
    for who in [&account, &guest, &seed] {
        append_one(store, membership("authors", who, EventKind::Join)).await;
        append_one(store, message("authors", who, "hi", None)).await;
    }
    let (events, _) = store
        .events("authors", Page::Latest { limit: 50 })
        .await
        .expect("reads");
    let authors: Vec<(i64, bool, bool)> = events
        .iter()
        .filter(|e| e.kind == EventKind::Message)
        .map(|e| (e.author.id, e.author.guest, e.author.seed))
        .collect();
    assert_eq!(
        authors,
        [
            (account.id, false, false),
            (guest.id, true, false),
            (seed.id, true, true)
        ]
    );
}

async fn room_access_tells_visibility_owner_role_and_ban(store: &dyn Store) {
    let owner = store.create_guest("access-owner").await.expect("creates");
    let other = store.create_guest("access-other").await.expect("creates");
    room_for(store, "access", &owner, Visibility::Private).await;
    let mine = store
        .room_access("access", owner.id)
        .await
        .expect("reads")
        .expect("exists");
    assert_eq!(
        (mine.visibility, mine.owner, mine.role, mine.banned),
        (
            Visibility::Private,
            Some(owner.id),
            Some(Role::Owner),
            false
        )
    );
    store.ban("access", other.id, owner.id).await.expect("bans");
    let theirs = store
        .room_access("access", other.id)
        .await
        .expect("reads")
        .expect("exists");
    assert_eq!((theirs.role, theirs.banned), (None, true));
    assert_eq!(
        store.room_access("nowhere", owner.id).await.expect("reads"),
        None
    );
}
