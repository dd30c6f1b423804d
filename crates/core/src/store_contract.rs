//! The contract every [`Store`] backend must keep, as one suite that each
//! backend's tests run against a fresh instance (SQLite in a temporary
//! folder, PostgreSQL in a throwaway schema). Enabled by the
//! `contract-tests` feature; panics on the first broken promise.

use crate::model::{NewEvent, NewRoom, Page, User};
use crate::store::{AppendError, Store, StoreError};
use webchat_protocol::views::{EventKind, Visibility};

/// Runs every check against `store`, which must be freshly migrated.
pub async fn run_all(store: &dyn Store) {
    lobby_exists_and_is_public(store).await;
    sessions_resolve_to_their_user(store).await;
    seed_guests_are_made_once(store).await;
    seqs_are_per_room_consecutive_and_nonces_deduplicate(store).await;
    membership_follows_join_and_leave_events(store).await;
    pages_are_ascending_with_has_more(store).await;
    rooms_conflict_on_duplicate_ids(store).await;
}

fn message(room: &str, author: &User, body: &str, nonce: Option<&str>) -> NewEvent {
    NewEvent {
        room: room.into(),
        kind: EventKind::Message,
        author: author.author(),
        body: Some(body.into()),
        target: None,
        nonce: nonce.map(str::to_owned),
    }
}

fn membership(room: &str, author: &User, kind: EventKind) -> NewEvent {
    NewEvent {
        room: room.into(),
        kind,
        author: author.author(),
        body: None,
        target: None,
        nonce: None,
    }
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
            .public_rooms()
            .await
            .expect("reads")
            .iter()
            .any(|r| r.id == "lobby")
    );
    store.ping().await.expect("answers");
}

async fn sessions_resolve_to_their_user(store: &dyn Store) {
    let ann = store.create_guest("ann").await.expect("creates");
    store
        .create_session(ann.id, b"hash-1")
        .await
        .expect("stores");
    assert_eq!(
        store.session_user(b"hash-1").await.expect("reads"),
        Some(ann.clone())
    );
    assert_eq!(store.session_user(b"hash-2").await.expect("reads"), None);
    store.delete_session(b"hash-1").await.expect("deletes");
    assert_eq!(store.session_user(b"hash-1").await.expect("reads"), None);
    assert_eq!(store.user(ann.id).await.expect("reads"), ann);
    assert!(matches!(
        store.user(i64::MAX).await,
        Err(StoreError::NotFound)
    ));
}

async fn seed_guests_are_made_once(store: &dyn Store) {
    let first = store.seed_guest("12345").await.expect("creates");
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
