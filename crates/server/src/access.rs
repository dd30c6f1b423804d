//! Who may read and write which room, and the shared write paths: one place
//! for the rules, used by the REST handlers and the WebSocket alike.
//!
//! - Public rooms: every signed-in user may read them; writing needs
//!   membership, which joining (or subscribing) gives, unless banned.
//! - Private and DM rooms: members only. To anyone else they answer
//!   `not_found`, so their existence does not leak.
//! - Editing: the author only. Deleting: the author, or a moderator (room
//!   owner, room moderator, server admin) of the room. Kicking,
//!   banning and lifting bans: moderators, and never over someone of equal or
//!   higher standing. Admins moderate public rooms without joining them, but
//!   private rooms and DMs only as members: no one writes where they cannot read.
//! - A banned user can neither join, nor post, nor be invited.

use webchat_core::model::{Event, EventId, NewEvent, Role, Room, User, UserId};
use webchat_core::store::Appended;
use webchat_protocol::validate;
use webchat_protocol::views::{EventKind, Visibility};

use crate::error::ApiError;
use crate::state::AppState;

/// The room, if `user` may read it.
pub async fn readable_room(state: &AppState, user: &User, room_id: &str) -> Result<Room, ApiError> {
    if validate::room_id(room_id).is_err() {
        return Err(ApiError::room_not_found());
    }
    let room = state
        .store
        .room(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    if room.visibility != Visibility::Public {
        // A ban is recorded before the leave that ends the membership: from
        // the ban on, the banned no longer read, whatever the leave's timing.
        let access = state.store.room_access(room_id, user.id).await?;
        if !access.is_some_and(|a| a.role.is_some() && !a.banned) {
            return Err(ApiError::room_not_found());
        }
    }
    Ok(room)
}

/// [`join`] for a subscribe, which needs only the room's head: a member
/// (the common case: every reconnect) costs one store read, not the room
/// with its member count, whose cost grows with the room.
pub async fn join_for_head(state: &AppState, user: &User, room_id: &str) -> Result<u64, ApiError> {
    let access = room_access(state, user, room_id).await?;
    if access.role.is_some() {
        return Ok(access.head);
    }
    Ok(join(state, user, room_id).await?.head)
}

/// Makes `user` a member of a readable room (a `join` event) unless they are
/// one already. Returns the room as it is afterwards.
pub async fn join(state: &AppState, user: &User, room_id: &str) -> Result<Room, ApiError> {
    let room = readable_room(state, user, room_id).await?;
    if state.store.is_member(room_id, user.id).await? {
        return Ok(room);
    }
    if state.store.is_banned(room_id, user.id).await? {
        return Err(ApiError::Forbidden("you are banned from this room".into()));
    }
    // Every event of a user's making counts: a join/leave loop is a flood too.
    state.check_send_rate(user.id)?;
    state
        .committer
        .append(NewEvent::simple(room_id, EventKind::Join, user))
        .await?;
    undo_join_if_banned(state, room_id, user).await?;
    state
        .store
        .room(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)
}

/// Called right after a join of `user` committed (their own, an invitation,
/// a DM): a ban placed between the caller's check and the commit found no
/// member to remove, so the join is undone here and the ban holds.
pub async fn undo_join_if_banned(
    state: &AppState,
    room_id: &str,
    user: &User,
) -> Result<(), ApiError> {
    if !state.store.is_banned(room_id, user.id).await? {
        return Ok(());
    }
    state
        .committer
        .append(NewEvent {
            body: Some("banned".into()),
            ..NewEvent::simple(room_id, EventKind::Leave, user)
        })
        .await?;
    Err(ApiError::Forbidden("you are banned from this room".into()))
}

/// The room's visibility, head and `user`'s standing there, in one read;
/// `not_found` for a malformed id or no such room.
async fn room_access(
    state: &AppState,
    user: &User,
    room_id: &str,
) -> Result<webchat_core::model::RoomAccess, ApiError> {
    if validate::room_id(room_id).is_err() {
        return Err(ApiError::room_not_found());
    }
    state
        .store
        .room_access(room_id, user.id)
        .await?
        .ok_or_else(ApiError::room_not_found)
}

/// The role of a member of the (readable) room; `forbidden` for non-members.
pub async fn require_member(
    state: &AppState,
    user: &User,
    room_id: &str,
) -> Result<Role, ApiError> {
    // One read on the hot path (every message): what `readable_room`, the
    // ban and the role would take three or four.
    let access = room_access(state, user, room_id).await?;
    if access.visibility != Visibility::Public && access.role.is_none() {
        return Err(ApiError::room_not_found());
    }
    // Bans are checked for members too: a join that raced a ban is undone
    // (see `join`), and until then the ban still wins.
    if access.banned {
        return Err(ApiError::Forbidden("you are banned from this room".into()));
    }
    access
        .role
        .ok_or_else(|| ApiError::Forbidden("join the room first".into()))
}

/// The standing that decides who may act on whom: admins above owners above
/// moderators above members above non-members.
pub fn standing(user: &User, role: Option<Role>) -> u8 {
    if user.admin {
        return 4;
    }
    match role {
        Some(Role::Owner) => 3,
        Some(Role::Moderator) => 2,
        Some(Role::Member) => 1,
        None => 0,
    }
}

/// True for room owners and moderators, and for server admins.
pub fn moderates(user: &User, role: Option<Role>) -> bool {
    user.admin || role.is_some_and(|r| r >= Role::Moderator)
}

/// The role that decides what `user` may do in `room`: the room's owner is
/// its owner whether or not they are a member (ownership moves only on
/// purpose, never by leaving), and a direct message has no owner or
/// moderators: its two people are members alike.
pub async fn role_in(
    state: &AppState,
    room: &Room,
    user: UserId,
) -> Result<Option<Role>, ApiError> {
    if room.visibility != Visibility::Dm && room.owner == Some(user) {
        return Ok(Some(Role::Owner));
    }
    let stored = state.store.role(&room.id, user).await?;
    Ok(match room.visibility {
        Visibility::Dm => stored.map(|_| Role::Member),
        _ => stored,
    })
}

/// Fails unless `user` moderates the (readable) room; the room and their role there.
pub async fn require_moderator(
    state: &AppState,
    user: &User,
    room_id: &str,
) -> Result<(Room, Option<Role>), ApiError> {
    let room = readable_room(state, user, room_id).await?;
    let role = role_in(state, &room, user.id).await?;
    if moderates(user, role) {
        Ok((room, role))
    } else {
        Err(ApiError::Forbidden(
            "only the room's owner, its moderators or an admin may do this".into(),
        ))
    }
}

/// Validates and appends a message from a member of the room; the committed
/// (or, for a repeated nonce, the first) event. Shared by the socket and
/// `POST /rooms/{room}/messages`.
pub async fn post_message(
    state: &AppState,
    user: &User,
    room_id: &str,
    body: String,
    nonce: Option<String>,
) -> Result<Appended, ApiError> {
    submit_message(state, user, room_id, body, nonce)
        .await?
        .await
}

/// The answer to a message [`submit_message`] queued for the committer.
/// (`Sync` too: a connection holding some is borrowed across awaits.)
pub type PendingMessage =
    std::pin::Pin<Box<dyn Future<Output = Result<Appended, ApiError>> + Send + Sync + 'static>>;

/// Checks a message and queues it for the committer, giving back its
/// answer to await later: a connection may have several messages in flight
/// (each waits for the group commit that makes it durable), and messages
/// one caller submits in turn get their seqs, and answers, in that order.
pub async fn submit_message(
    state: &AppState,
    user: &User,
    room_id: &str,
    body: String,
    nonce: Option<String>,
) -> Result<PendingMessage, ApiError> {
    validate::body(&body, state.config.limits.max_body_chars)?;
    if let Some(nonce) = &nonce {
        validate::nonce(nonce).map_err(ApiError::BadRequest)?;
    }
    require_member(state, user, room_id).await?;
    if let Some(peer) = dm_peer(room_id, user.id)
        && state.store.blocks(peer, user.id).await?
    {
        return Err(ApiError::Forbidden("this conversation is closed".into()));
    }
    let room = room_id.to_owned();
    let (shared, user_id) = (state.clone(), user.id);
    // A nonce names one message of its user's. Reused in another room, the
    // first message is not answered back: it may be in a room the user can no
    // longer read, and its current text is not theirs to learn any more.
    let answer = move |appended: Appended| {
        if appended.duplicate && appended.event.room != room {
            return Err(ApiError::Conflict(
                "this nonce was already used for a message in another room".into(),
            ));
        }
        shared.hub.clear_typing(&room, user_id);
        Ok(appended)
    };
    let event = NewEvent {
        body: Some(body),
        nonce: nonce.clone(),
        ..NewEvent::simple(room_id, EventKind::Message, user)
    };
    match state.check_send_rate(user.id) {
        Ok(()) => {}
        // A client resending a message whose ack it missed gets that ack,
        // even when it is over its rate: the message costs nothing new.
        Err(ApiError::RateLimited { retry_after_ms }) => {
            let first = match &nonce {
                Some(nonce) => state.store.event_by_nonce(user.id, nonce).await?,
                None => None,
            };
            let Some(event) = first else {
                return Err(ApiError::RateLimited { retry_after_ms });
            };
            let appended = Appended {
                event,
                duplicate: true,
            };
            return Ok(Box::pin(std::future::ready(answer(appended))));
        }
        Err(other) => return Err(other),
    }
    let committed = state.committer.submit(event).await;
    Ok(Box::pin(async move { answer(committed.await?) }))
}

/// The other person of a direct-message room `dm-{low}-{high}` that `user`
/// is one of; `None` for other rooms.
fn dm_peer(room_id: &str, user: UserId) -> Option<UserId> {
    let (low, high) = room_id.strip_prefix("dm-")?.split_once('-')?;
    let (low, high): (UserId, UserId) = (low.parse().ok()?, high.parse().ok()?);
    match user {
        u if u == low => Some(high),
        u if u == high => Some(low),
        _ => None,
    }
}

/// What is done to a message, which decides who may do it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    Edit,
    Delete,
}

/// The message `id` of `room`, if it is a live message the user may change:
/// their own; for a moderator, deleting anyone's (the room's moderation
/// duty). Nobody edits another person's message, moderators included: an
/// edit puts words in the author's mouth under their name.
async fn changeable_message(
    state: &AppState,
    user: &User,
    room_id: &str,
    id: EventId,
    change: Change,
) -> Result<Event, ApiError> {
    // `user` may be a socket's copy from its hello: permissions come from the
    // store, so a revoked admin right takes effect at once.
    let user = &state.store.user(user.id).await?;
    match require_member(state, user, room_id).await {
        Ok(_) => {}
        // Admins moderate the public rooms they can read without joining;
        // `readable_room` inside `require_member` already refused the rest.
        Err(ApiError::Forbidden(_)) if user.admin => {}
        Err(error) => return Err(error),
    }
    let room = readable_room(state, user, room_id).await?;
    let role = role_in(state, &room, user.id).await?;
    let message = state
        .store
        .event(room_id, id)
        .await?
        .filter(|e| e.kind == EventKind::Message && !e.deleted)
        .ok_or_else(|| ApiError::NotFound("no such message".into()))?;
    if message.author.id == user.id {
        return Ok(message);
    }
    match change {
        Change::Edit => Err(ApiError::Forbidden(
            "only its author may edit a message; moderators may delete it".into(),
        )),
        Change::Delete if moderates(user, role) => Ok(message),
        Change::Delete => Err(ApiError::Forbidden(
            "only the author or a moderator may delete this message".into(),
        )),
    }
}

/// Replaces the text of a message (an `edit` event).
pub async fn edit_message(
    state: &AppState,
    user: &User,
    room_id: &str,
    id: EventId,
    body: String,
) -> Result<Appended, ApiError> {
    validate::body(&body, state.config.limits.max_body_chars)?;
    changeable_message(state, user, room_id, id, Change::Edit).await?;
    state.check_send_rate(user.id)?;
    Ok(state
        .committer
        .append(NewEvent {
            target: Some(id),
            body: Some(body),
            ..NewEvent::simple(room_id, EventKind::Edit, user)
        })
        .await?)
}

/// Deletes a message (a `delete` event; the message becomes a tombstone).
pub async fn delete_message(
    state: &AppState,
    user: &User,
    room_id: &str,
    id: EventId,
) -> Result<Appended, ApiError> {
    changeable_message(state, user, room_id, id, Change::Delete).await?;
    state.check_send_rate(user.id)?;
    Ok(state
        .committer
        .append(NewEvent {
            target: Some(id),
            ..NewEvent::simple(room_id, EventKind::Delete, user)
        })
        .await?)
}

/// Appends an event after the checks every writer shares: the sender's rate
/// budget, then the committer (durable before this returns).
pub async fn append(
    state: &AppState,
    user: &User,
    room_id: &str,
    kind: EventKind,
    body: Option<String>,
    nonce: Option<String>,
) -> Result<Appended, ApiError> {
    submit(state, user, room_id, kind, body, nonce).await?.await
}

/// [`append`] without waiting for the commit: the event is queued (after
/// the user's rate is checked) and its answer comes back to await later.
pub async fn submit(
    state: &AppState,
    user: &User,
    room_id: &str,
    kind: EventKind,
    body: Option<String>,
    nonce: Option<String>,
) -> Result<PendingMessage, ApiError> {
    state.check_send_rate(user.id)?;
    let committed = state
        .committer
        .submit(NewEvent {
            body,
            nonce,
            ..NewEvent::simple(room_id, kind, user)
        })
        .await;
    Ok(Box::pin(async move { Ok(committed.await?) }))
}
