//! Contract checks for the domain rules a backend executes but does not
//! decide ([`crate::effects`], [`crate::unread`], [`crate::accounts`]): the
//! cases the older checks beside did not reach, so a backend that executes
//! a [`crate::effects::Change`] wrongly fails here.

use webchat_protocol::views::{EventKind, Visibility};

use super::{append_one, delete_of, membership, message, room_for};
use crate::model::{MemberRoom, NewEvent, Role};
use crate::store::{AppendError, Store};

pub(super) async fn run_all(store: &dyn Store) {
    a_topic_event_sets_the_topic(store).await;
    a_second_join_keeps_role_and_marker(store).await;
    edits_and_deletes_need_a_live_message_of_the_same_room(store).await;
    a_deleted_message_is_judged_by_its_author_not_the_deleter(store).await;
    an_upgraded_guest_is_admin_only_as_the_first_account(store).await;
}

fn unread_in(rooms: &[MemberRoom], room: &str) -> (u64, u64) {
    rooms
        .iter()
        .find(|r| r.room.id == room)
        .map(|r| (r.unread, r.last_read))
        .expect("a member")
}

async fn a_topic_event_sets_the_topic(store: &dyn Store) {
    let tia = store.create_guest("tia").await.expect("creates");
    room_for(store, "rules-topic", &tia, Visibility::Public).await;
    let topic = NewEvent {
        kind: EventKind::Topic,
        ..message("rules-topic", &tia, "all about otters", None)
    };
    append_one(store, topic).await;
    let room = store
        .room("rules-topic")
        .await
        .expect("reads")
        .expect("room");
    assert_eq!(room.topic, "all about otters");
}

async fn a_second_join_keeps_role_and_marker(store: &dyn Store) {
    let una = store.create_guest("una").await.expect("creates");
    let vic = store.create_guest("vic").await.expect("creates");
    room_for(store, "rules-rejoin", &una, Visibility::Public).await;
    append_one(store, membership("rules-rejoin", &vic, EventKind::Join)).await;
    store
        .set_role("rules-rejoin", vic.id, Role::Moderator)
        .await
        .expect("sets");
    append_one(store, message("rules-rejoin", &una, "unread by vic", None)).await;
    let before = unread_in(
        &store.member_rooms(vic.id).await.expect("lists"),
        "rules-rejoin",
    );
    append_one(store, membership("rules-rejoin", &vic, EventKind::Join)).await;
    assert_eq!(
        store.role("rules-rejoin", vic.id).await.expect("reads"),
        Some(Role::Moderator),
        "a join of a member changes nothing"
    );
    assert_eq!(
        unread_in(
            &store.member_rooms(vic.id).await.expect("lists"),
            "rules-rejoin"
        ),
        before
    );
    assert_eq!(before.0, 1);
}

async fn edits_and_deletes_need_a_live_message_of_the_same_room(store: &dyn Store) {
    let wes = store.create_guest("wes").await.expect("creates");
    room_for(store, "rules-target", &wes, Visibility::Public).await;
    room_for(store, "rules-elsewhere", &wes, Visibility::Public).await;
    let join = store
        .events("rules-target", crate::model::Page::Latest { limit: 1 })
        .await
        .expect("reads")
        .0
        .remove(0);
    assert_eq!(join.kind, EventKind::Join);
    let elsewhere = append_one(store, message("rules-elsewhere", &wes, "there", None)).await;
    let head = store
        .room("rules-target")
        .await
        .expect("reads")
        .expect("room")
        .head;
    for target in [join.id, elsewhere.id] {
        let edit = NewEvent {
            kind: EventKind::Edit,
            target: Some(target),
            ..message("rules-target", &wes, "changed", None)
        };
        let results = store
            .append_batch(&[edit, delete_of("rules-target", &wes, target)])
            .await
            .expect("commits");
        assert_eq!(
            results,
            vec![
                Err(AppendError::TargetNotFound),
                Err(AppendError::TargetNotFound)
            ]
        );
    }
    let untargeted = NewEvent {
        target: None,
        ..delete_of("rules-target", &wes, 0)
    };
    assert_eq!(
        store.append_batch(&[untargeted]).await.expect("commits"),
        vec![Err(AppendError::TargetNotFound)]
    );
    assert_eq!(
        store
            .room("rules-target")
            .await
            .expect("reads")
            .expect("room")
            .head,
        head,
        "a refused event takes no seq"
    );
    let kept = store
        .event("rules-elsewhere", elsewhere.id)
        .await
        .expect("reads")
        .expect("found");
    assert_eq!((kept.body.as_deref(), kept.deleted), (Some("there"), false));
}

async fn a_deleted_message_is_judged_by_its_author_not_the_deleter(store: &dyn Store) {
    let mod_ = store.create_guest("xia").await.expect("creates");
    let writer = store.create_guest("yan").await.expect("creates");
    let reader = store.create_guest("zed").await.expect("creates");
    room_for(store, "rules-delete", &mod_, Visibility::Public).await;
    for who in [&writer, &reader] {
        append_one(store, membership("rules-delete", who, EventKind::Join)).await;
    }
    let spam = append_one(store, message("rules-delete", &writer, "spam", None)).await;
    append_one(store, message("rules-delete", &writer, "more", None)).await;
    // The moderator deletes the writer's message: it stops being unread for
    // the reader and the moderator, and the writer never had it unread.
    append_one(store, delete_of("rules-delete", &mod_, spam.id)).await;
    for (who, unread) in [(&reader, 1), (&mod_, 1), (&writer, 0)] {
        assert_eq!(
            unread_in(
                &store.member_rooms(who.id).await.expect("lists"),
                "rules-delete"
            )
            .0,
            unread,
            "{}",
            who.name
        );
    }
    // Moving the marker recounts the same way.
    store
        .mark_read("rules-delete", reader.id, spam.seq)
        .await
        .expect("marks");
    assert_eq!(
        unread_in(
            &store.member_rooms(reader.id).await.expect("lists"),
            "rules-delete"
        ),
        (1, spam.seq)
    );
}

async fn an_upgraded_guest_is_admin_only_as_the_first_account(store: &dyn Store) {
    // Earlier checks made accounts: this one is not the first.
    let guest = store.create_guest("late-upgrader").await.expect("creates");
    let upgraded = store
        .upgrade_guest(guest.id, "late-upgrader", "h")
        .await
        .expect("upgrades");
    assert!(!upgraded.admin && !upgraded.guest);
}
