//! Rooms: lists, creation, join and leave, history, and posting over REST.

use axum::extract::State;
use axum::extract::ws::Utf8Bytes;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use webchat_core::model::{NewEvent, NewRoom, Page};
use webchat_protocol::rest::{
    CreateRoomRequest, ErrorBody, EventsResponse, PostMessageRequest, RoomsResponse,
};
use webchat_protocol::validate;
use webchat_protocol::views::{EventKind, EventView, RoomView, UserView, Visibility};

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::fanout::Outbound;
use crate::routes::Empty;
use crate::state::AppState;
use webchat_core::model::{Role, Room, User};
use webchat_protocol::server::ServerFrame;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;
const MAX_ROOM_NAME_CHARS: usize = 64;
const MAX_TOPIC_CHARS: usize = 256;

/// `GET /rooms`: the rooms the user is a member of, with unread counts.
#[utoipa::path(
    get,
    path = "/rooms",
    tag = "rooms",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The user's rooms, with `unread` and `last_read`", body = RoomsResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn my_rooms(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<ApiJson<RoomsResponse>, ApiError> {
    let rooms = state
        .store
        .member_rooms(auth.user.id)
        .await?
        .into_iter()
        .map(|m| RoomView {
            name: m.peer_name.unwrap_or(m.room.name.clone()),
            unread: Some(m.unread),
            last_read: Some(m.last_read),
            ..m.room.view()
        })
        .collect();
    Ok(ApiJson(RoomsResponse { rooms }))
}

/// `GET /rooms/public`: every public room.
#[utoipa::path(
    get,
    path = "/rooms/public",
    tag = "rooms",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The public rooms", body = RoomsResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn public(
    State(state): State<AppState>,
    _auth: AuthUser,
) -> Result<ApiJson<RoomsResponse>, ApiError> {
    let rooms = state
        .store
        .public_rooms()
        .await?
        .iter()
        .map(|r| r.view())
        .collect();
    Ok(ApiJson(RoomsResponse { rooms }))
}

/// `POST /rooms`: a new public or private room, its creator its owner and first member.
#[utoipa::path(
    post,
    path = "/rooms",
    tag = "rooms",
    request_body = CreateRoomRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The new room", body = RoomView),
        (status = 400, description = "Invalid id, name, topic or visibility (`dm` rooms are made by `POST /dm/{username}`), or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 409, description = "A room with this id exists", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(request): ApiJson<CreateRoomRequest>,
) -> Result<(StatusCode, ApiJson<RoomView>), ApiError> {
    validate::room_id(&request.id).map_err(ApiError::BadRequest)?;
    state.check_send_rate(auth.user.id)?;
    // `dm-` ids belong to direct-message rooms: a squatter must not own one.
    if request.id.starts_with("dm-") {
        return Err(ApiError::BadRequest(
            "room ids starting with dm- are reserved".into(),
        ));
    }
    if request.visibility == Visibility::Dm {
        return Err(ApiError::BadRequest(
            "direct-message rooms are made by POST /api/v1/dm/{username}".into(),
        ));
    }
    let name = request
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&request.id);
    if name.chars().count() > MAX_ROOM_NAME_CHARS {
        return Err(ApiError::BadRequest(format!(
            "name must be at most {MAX_ROOM_NAME_CHARS} characters"
        )));
    }
    validate::name_chars(name).map_err(ApiError::BadRequest)?;
    let topic = request.topic.unwrap_or_default();
    if topic.chars().count() > MAX_TOPIC_CHARS {
        return Err(ApiError::BadRequest(format!(
            "topic must be at most {MAX_TOPIC_CHARS} characters"
        )));
    }
    state
        .store
        .create_room(&NewRoom {
            id: request.id.clone(),
            name: name.to_owned(),
            topic,
            visibility: request.visibility,
            created_by: auth.user.id,
        })
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => ApiError::Conflict("a room with this id exists".into()),
            other => other,
        })?;
    let room = append_membership(&state, &auth, &request.id, EventKind::Join).await?;
    Ok((StatusCode::CREATED, ApiJson(room)))
}

async fn append_membership(
    state: &AppState,
    auth: &AuthUser,
    room_id: &str,
    kind: EventKind,
) -> Result<RoomView, ApiError> {
    state
        .committer
        .append(NewEvent::simple(room_id, kind, &auth.user))
        .await?;
    let room = state
        .store
        .room(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(room.view())
}

/// `GET /rooms/{room}`: one room the user may read.
#[utoipa::path(
    get,
    path = "/rooms/{room}",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room (a direct-message room is named after the other person)", body = RoomView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn get_room(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let room = access::readable_room(&state, &auth.user, &room).await?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}

/// A room as `user` sees it: a direct-message room is named after the other person.
async fn view_for(state: &AppState, user: &User, room: Room) -> Result<RoomView, ApiError> {
    let mut view = room.view();
    if room.visibility == Visibility::Dm
        && let Some(peer) = state
            .store
            .members(&room.id)
            .await?
            .into_iter()
            .find(|m| m.user.id != user.id)
    {
        view.name = peer.user.name;
    }
    Ok(view)
}

/// `POST /rooms/{room}/join`: become a member (idempotent).
#[utoipa::path(
    post,
    path = "/rooms/{room}/join",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room, joined", body = RoomView),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Banned from the room", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn join(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let room = access::join(&state, &auth.user, &room).await?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}

/// `POST /rooms/{room}/leave`: stop being a member (idempotent); ends live subscriptions.
#[utoipa::path(
    post,
    path = "/rooms/{room}/leave",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Left (or was not a member)", body = Empty),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn leave(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<Empty>, ApiError> {
    access::readable_room(&state, &auth.user, &room).await?;
    if state.store.is_member(&room, auth.user.id).await? {
        state.check_send_rate(auth.user.id)?;
        append_membership(&state, &auth, &room, EventKind::Leave).await?;
        end_subscriptions(&state, &room, auth.user.id, "left");
    }
    Ok(ApiJson(Empty {}))
}

/// Ends every live subscription of `user` to `room` (they left or were removed).
fn end_subscriptions(state: &AppState, room: &str, user: i64, reason: &'static str) {
    let frame = ServerFrame::Unsubscribed {
        re: None,
        room: room.to_owned(),
        reason: Some(reason.to_owned()),
    };
    let notice = Outbound::Removed {
        frame: Utf8Bytes::from(frame.to_json()),
        reason,
    };
    state.hub.remove_user(room, user, notice);
}

/// Names the user a moderation or invitation request is about: by name
/// (`user`) or by id (`id`), exactly one of the two. Ids reach users no name
/// can: a guest who is no longer a member, say, to ban or unban them.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserRequest {
    /// A username, or a guest member's display name (see the protocol, §6.3).
    pub user: Option<String>,
    /// A user id.
    pub id: Option<webchat_core::model::UserId>,
}

/// The user `request` names in `room` (§6.3 of the protocol).
async fn named_user(state: &AppState, room: &str, request: &UserRequest) -> Result<User, ApiError> {
    match (&request.user, request.id) {
        (Some(name), None) => account_or_member(state, room, name).await,
        (None, Some(id)) => state.store.user(id).await.map_err(|e| match e {
            webchat_core::store::StoreError::NotFound => ApiError::NotFound("no such user".into()),
            other => other.into(),
        }),
        _ => Err(ApiError::BadRequest("give either user or id".into())),
    }
}

async fn account(state: &AppState, username: &str) -> Result<User, ApiError> {
    let username = username.trim().to_ascii_lowercase();
    state
        .store
        .user_by_username(&username)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such user".into()))
}

/// Appends a membership change of `subject` caused by `actor`.
async fn membership_change(
    state: &AppState,
    room: &str,
    kind: EventKind,
    subject: &User,
    actor: &User,
    reason: &str,
) -> Result<(), ApiError> {
    state
        .committer
        .append(NewEvent {
            body: Some(reason.to_owned()),
            actor: Some(actor.author()),
            ..NewEvent::simple(room, kind, subject)
        })
        .await?;
    Ok(())
}

/// `POST /rooms/{room}/invite {user}`: a member adds an account to the room.
#[utoipa::path(
    post,
    path = "/rooms/{room}/invite",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = UserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room; the account is a member", body = RoomView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a member, banned, or the invitee is banned", body = ErrorBody),
        (status = 404, description = "No such room or user", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn invite(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<UserRequest>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let place = access::readable_room(&state, &auth.user, &room).await?;
    access::require_member(&state, &auth.user, &room).await?;
    if place.visibility == Visibility::Dm {
        return Err(ApiError::BadRequest(
            "a direct message is for its two people; make a room to talk with more".into(),
        ));
    }
    let invitee = match (&request.user, request.id) {
        (Some(username), None) => account(&state, username).await?,
        _ => named_user(&state, &room, &request).await?,
    };
    if state.store.is_banned(&room, invitee.id).await? {
        return Err(ApiError::Forbidden(
            "this user is banned from the room".into(),
        ));
    }
    if !state.store.is_member(&room, invitee.id).await? {
        state.check_send_rate(auth.user.id)?;
        membership_change(
            &state,
            &room,
            EventKind::Join,
            &invitee,
            &auth.user,
            "invited",
        )
        .await?;
        access::undo_join_if_banned(&state, &room, &invitee)
            .await
            .map_err(|e| match e {
                ApiError::Forbidden(_) => {
                    ApiError::Forbidden("this user is banned from the room".into())
                }
                other => other,
            })?;
    }
    let room = state
        .store
        .room(&room)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}

/// A member of a room and their role.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub user: UserView,
    /// `owner`, `moderator` or `member`.
    #[schema(value_type = String, example = "member")]
    pub role: &'static str,
}

/// The body of `GET /rooms/{room}/members`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembersResponse {
    pub members: Vec<MemberView>,
}

/// `GET /rooms/{room}/members`.
#[utoipa::path(
    get,
    path = "/rooms/{room}/members",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room's members", body = MembersResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn members(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<MembersResponse>, ApiError> {
    access::readable_room(&state, &auth.user, &room).await?;
    let members: Vec<MemberView> = state
        .store
        .members(&room)
        .await?
        .into_iter()
        .map(|m| MemberView {
            user: m.user.view(),
            role: m.role.as_str(),
        })
        .collect();
    Ok(ApiJson(MembersResponse { members }))
}

async fn remove(
    state: &AppState,
    auth: &AuthUser,
    room: &str,
    request: &UserRequest,
    ban: bool,
) -> Result<(), ApiError> {
    let own_role = access::require_moderator(state, &auth.user, room).await?;
    // Charged before anything changes, so that a ban is never recorded
    // without the leave that ends the membership.
    state.check_send_rate(auth.user.id)?;
    let target = named_user(state, room, request).await?;
    if target.id == auth.user.id {
        return Err(ApiError::BadRequest(
            "you cannot remove yourself; leave the room instead".into(),
        ));
    }
    let target_role = state.store.role(room, target.id).await?;
    if access::standing(&target, target_role) >= access::standing(&auth.user, own_role) {
        return Err(ApiError::Forbidden(
            "you cannot remove someone of equal or higher standing".into(),
        ));
    }
    if ban {
        state.store.ban(room, target.id, auth.user.id).await?;
    }
    let reason = if ban { "banned" } else { "kicked" };
    // Read again after the ban: a join that committed in between is a
    // membership to end too (and a later one undoes itself, see access::join).
    if state.store.role(room, target.id).await?.is_some() {
        membership_change(state, room, EventKind::Leave, &target, &auth.user, reason).await?;
    }
    end_subscriptions(state, room, target.id, reason);
    Ok(())
}

/// Moderation names users by username; guests (who have none) by their
/// display name among the room's members.
async fn account_or_member(state: &AppState, room: &str, name: &str) -> Result<User, ApiError> {
    // A name is a username first, member or not (the contract's meaning, and
    // how one bans ahead of time): a guest who calls themselves "alice" must
    // not draw a ban meant for the account alice. Only when no account has
    // that username is a guest member of exactly that display name meant;
    // a guest is always reachable by `id`.
    let username = name.trim().to_ascii_lowercase();
    if let Some(user) = state.store.user_by_username(&username).await? {
        return Ok(user);
    }
    let members = state.store.members(room).await?;
    let guests: Vec<&User> = members
        .iter()
        .map(|m| &m.user)
        .filter(|u| u.guest && u.name == name)
        .collect();
    match guests.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(ApiError::NotFound("no such user".into())),
        _ => Err(ApiError::Conflict(
            "several guests in this room have that name".into(),
        )),
    }
}

/// `POST /rooms/{room}/kick {user}`.
#[utoipa::path(
    post,
    path = "/rooms/{room}/kick",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = UserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Removed from the room (may rejoin)", body = Empty),
        (status = 400, description = "Removing oneself, or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a moderator, or the target has equal or higher standing", body = ErrorBody),
        (status = 404, description = "No such room or user", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 409, description = "Several guests in the room have that name (name them by id)", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn kick(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<UserRequest>,
) -> Result<ApiJson<Empty>, ApiError> {
    remove(&state, &auth, &room, &request, false).await?;
    Ok(ApiJson(Empty {}))
}

/// `POST /rooms/{room}/unban {user}`: a moderator lifts a ban (the user may join again).
#[utoipa::path(
    post,
    path = "/rooms/{room}/unban",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = UserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The ban is lifted", body = Empty),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "No such room, user or ban", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 409, description = "Several guests in the room have that name (name them by id)", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn unban(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<UserRequest>,
) -> Result<ApiJson<Empty>, ApiError> {
    let own_role = access::require_moderator(&state, &auth.user, &room).await?;
    let target = named_user(&state, &room, &request).await?;
    let not_banned = || ApiError::NotFound("this user is not banned here".into());
    let banned_by = state
        .store
        .banned_by(&room, target.id)
        .await?
        .ok_or_else(not_banned)?;
    if banned_by != auth.user.id {
        let banner = state.store.user(banned_by).await?;
        let banner_role = state.store.role(&room, banned_by).await?;
        if access::standing(&banner, banner_role) >= access::standing(&auth.user, own_role) {
            return Err(ApiError::Forbidden(
                "you cannot lift a ban placed by someone of equal or higher standing".into(),
            ));
        }
    }
    if !state.store.unban(&room, target.id).await? {
        return Err(not_banned());
    }
    Ok(ApiJson(Empty {}))
}

/// One ban of a room: who is kept out, and who placed the ban.
#[derive(Debug, Serialize, ToSchema)]
pub struct BanView {
    pub user: UserView,
    pub by: UserView,
}

/// The body of `GET /rooms/{room}/bans`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BansResponse {
    /// Ordered by the banned user's id.
    pub bans: Vec<BanView>,
}

/// `GET /rooms/{room}/bans`: the room's bans, for those who moderate it (so
/// that they can be reviewed and lifted; a ban need not follow a visible
/// `leave`, since non-members can be banned ahead of time).
#[utoipa::path(
    get,
    path = "/rooms/{room}/bans",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room's bans", body = BansResponse),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a moderator of the room", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn bans(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
) -> Result<ApiJson<BansResponse>, ApiError> {
    access::require_moderator(&state, &auth.user, &room).await?;
    let rules = state.store.room_rules(&room).await?;
    let mut bans = Vec::with_capacity(rules.bans.len());
    for ban in rules.bans {
        bans.push(BanView {
            user: state.store.user(ban.user).await?.view(),
            by: state.store.user(ban.by).await?.view(),
        });
    }
    Ok(ApiJson(BansResponse { bans }))
}

/// The body of `POST /rooms/{room}/topic`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TopicRequest {
    pub topic: String,
}

/// `POST /rooms/{room}/topic {topic}`: a moderator sets the topic (a `topic` event).
#[utoipa::path(
    post,
    path = "/rooms/{room}/topic",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = TopicRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The room with its new topic", body = RoomView),
        (status = 400, description = "Topic too long or with control characters", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn set_topic(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<TopicRequest>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let topic = request.topic.trim().to_owned();
    if topic.chars().count() > MAX_TOPIC_CHARS || topic.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!(
            "topic must be at most {MAX_TOPIC_CHARS} characters without control characters"
        )));
    }
    access::require_moderator(&state, &auth.user, &room).await?;
    state.check_send_rate(auth.user.id)?;
    state
        .committer
        .append(NewEvent {
            body: Some(topic),
            ..NewEvent::simple(&room, EventKind::Topic, &auth.user)
        })
        .await?;
    let room = state
        .store
        .room(&room)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}

/// `POST /rooms/{room}/ban {user}`: removed, and can neither rejoin nor post.
#[utoipa::path(
    post,
    path = "/rooms/{room}/ban",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = UserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Banned and removed from the room", body = Empty),
        (status = 400, description = "Removing oneself, or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a moderator, or the target has equal or higher standing", body = ErrorBody),
        (status = 404, description = "No such room or user", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 409, description = "Several guests in the room have that name (name them by id)", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn ban(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<UserRequest>,
) -> Result<ApiJson<Empty>, ApiError> {
    remove(&state, &auth, &room, &request, true).await?;
    Ok(ApiJson(Empty {}))
}

/// `POST /rooms/{room}/moderators {user}`: the owner (or an admin) makes a member a moderator.
#[utoipa::path(
    post,
    path = "/rooms/{room}/moderators",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = UserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The member is a moderator", body = Empty),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not the room's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such room or user, or the user is not a member", body = ErrorBody),
        (status = 409, description = "The owner already moderates", body = ErrorBody),
        (status = 413, description = "Request body too large", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn add_moderator(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<UserRequest>,
) -> Result<ApiJson<Empty>, ApiError> {
    access::readable_room(&state, &auth.user, &room).await?;
    let own = state.store.role(&room, auth.user.id).await?;
    if !(auth.user.admin || own == Some(Role::Owner)) {
        return Err(ApiError::Forbidden(
            "only the room's owner or an admin may appoint moderators".into(),
        ));
    }
    let target = named_user(&state, &room, &request).await?;
    match state.store.role(&room, target.id).await? {
        None => return Err(ApiError::NotFound("this user is not a member".into())),
        Some(Role::Owner) => return Err(ApiError::Conflict("the owner already moderates".into())),
        Some(_) => {
            state
                .store
                .set_role(&room, target.id, Role::Moderator)
                .await?
        }
    }
    Ok(ApiJson(Empty {}))
}

/// `POST /dm/{username}`: the one direct-message room of the two users, made on first use.
#[utoipa::path(
    post,
    path = "/dm/{username}",
    tag = "rooms",
    params(("username" = String, Path, description = "The other person's username")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The direct-message room, named after the other person", body = RoomView),
        (status = 400, description = "A direct message needs another person", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 429, description = "Writing too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 403, description = "One of the two is banned from the conversation", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn direct_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(username): ApiPath<String>,
) -> Result<ApiJson<RoomView>, ApiError> {
    let peer = account(&state, &username).await?;
    if peer.id == auth.user.id {
        return Err(ApiError::BadRequest(
            "a direct message needs another person".into(),
        ));
    }
    state.check_send_rate(auth.user.id)?;
    let (low, high) = (auth.user.id.min(peer.id), auth.user.id.max(peer.id));
    let id = format!("dm-{low}-{high}");
    let created = state
        .store
        .create_room(&NewRoom {
            id: id.clone(),
            name: String::new(),
            topic: String::new(),
            visibility: Visibility::Dm,
            created_by: auth.user.id,
        })
        .await;
    match created {
        Ok(_) | Err(webchat_core::store::StoreError::Conflict) => {}
        Err(error) => return Err(error.into()),
    }
    let existing = state
        .store
        .room(&id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    if existing.visibility != Visibility::Dm {
        return Err(ApiError::Internal(format!(
            "room {id} is not a direct-message room"
        )));
    }
    for user in [&auth.user, &peer] {
        if state.store.is_banned(&id, user.id).await? {
            return Err(ApiError::Forbidden("this conversation is closed".into()));
        }
    }
    let closed = |e| match e {
        ApiError::Forbidden(_) => ApiError::Forbidden("this conversation is closed".into()),
        other => other,
    };
    if !state.store.is_member(&id, auth.user.id).await? {
        state
            .committer
            .append(NewEvent::simple(&id, EventKind::Join, &auth.user))
            .await?;
        access::undo_join_if_banned(&state, &id, &auth.user)
            .await
            .map_err(closed)?;
    }
    if !state.store.is_member(&id, peer.id).await? {
        membership_change(&state, &id, EventKind::Join, &peer, &auth.user, "invited").await?;
        access::undo_join_if_banned(&state, &id, &peer)
            .await
            .map_err(closed)?;
    }
    let room = state
        .store
        .room(&id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(ApiJson(view_for(&state, &auth.user, room).await?))
}

/// The body of `PATCH /rooms/{room}/messages/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditRequest {
    pub body: String,
}

/// `PATCH /rooms/{room}/messages/{id}`: edit over REST (bots).
#[utoipa::path(
    patch,
    path = "/rooms/{room}/messages/{id}",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id"), ("id" = i64, Path, description = "The message's event id")),
    request_body = EditRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The `edit` event appended", body = EventView),
        (status = 400, description = "Empty body, bad id, or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not the author, or not a member", body = ErrorBody),
        (status = 404, description = "No such room or message", body = ErrorBody),
        (status = 413, description = "The message or request body is too large", body = ErrorBody),
        (status = 429, description = "Sending too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn edit_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((room, id)): ApiPath<(String, i64)>,
    ApiJson(request): ApiJson<EditRequest>,
) -> Result<ApiJson<EventView>, ApiError> {
    let appended = access::edit_message(&state, &auth.user, &room, id, request.body).await?;
    Ok(ApiJson(appended.event.view()))
}

/// `DELETE /rooms/{room}/messages/{id}`: delete over REST (bots, moderators).
#[utoipa::path(
    delete,
    path = "/rooms/{room}/messages/{id}",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id"), ("id" = i64, Path, description = "The message's event id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The `delete` event appended (the message is now a tombstone)", body = EventView),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Neither the author nor a moderator, or not a member", body = ErrorBody),
        (status = 404, description = "No such room or message", body = ErrorBody),
        (status = 429, description = "Sending too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn delete_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((room, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<EventView>, ApiError> {
    let appended = access::delete_message(&state, &auth.user, &room, id).await?;
    Ok(ApiJson(appended.event.view()))
}

/// A page of a room's log: the latest, or before or after a seq (not both).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Events with a seq below this one.
    before: Option<u64>,
    /// Events with a seq above this one.
    after: Option<u64>,
    /// At most this many events, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// `GET /rooms/{room}/events`: a page of the room's log (history).
#[utoipa::path(
    get,
    path = "/rooms/{room}/events",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id"), EventsQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Events in seq order", body = EventsResponse),
        (status = 400, description = "Bad limit, or both before and after", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 404, description = "No such room, or a private room the user is not a member of", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<ApiJson<EventsResponse>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let page = match (query.before, query.after) {
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "give either before or after, not both".into(),
            ));
        }
        (Some(before), None) => Page::Before { before, limit },
        (None, Some(after)) => Page::After { after, limit },
        (None, None) => Page::Latest { limit },
    };
    access::readable_room(&state, &auth.user, &room).await?;
    let (events, has_more) = state.store.events(&room, page).await?;
    Ok(ApiJson(EventsResponse {
        events: events.iter().map(|e| e.view()).collect(),
        has_more,
    }))
}

/// `POST /rooms/{room}/messages`: post a message over REST (bots); the nonce makes retries safe.
#[utoipa::path(
    post,
    path = "/rooms/{room}/messages",
    tag = "rooms",
    params(("room" = String, Path, description = "The room's id")),
    request_body = PostMessageRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The `message` event appended", body = EventView),
        (status = 200, description = "A retry: the event already appended with this nonce", body = EventView),
        (status = 400, description = "Empty body, bad nonce, or malformed body", body = ErrorBody),
        (status = 401, description = "No valid session or token", body = ErrorBody),
        (status = 403, description = "Not a member, or banned", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "The message or request body is too large", body = ErrorBody),
        (status = 429, description = "Sending too fast; see `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn post_message(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(room): ApiPath<String>,
    ApiJson(request): ApiJson<PostMessageRequest>,
) -> Result<(StatusCode, ApiJson<EventView>), ApiError> {
    let appended =
        access::post_message(&state, &auth.user, &room, request.body, Some(request.nonce)).await?;
    let status = if appended.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, ApiJson(appended.event.view())))
}
