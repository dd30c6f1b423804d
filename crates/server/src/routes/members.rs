//! Members of a room: naming a user, invitations, the member list, and
//! moderation (kick, ban, unban, bans, moderators). Who may do what is
//! decided in `crate::access`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webchat_core::model::NewEvent;
use webchat_protocol::rest::ErrorBody;
use webchat_protocol::views::{EventKind, RoomView, UserView, Visibility};

use crate::access;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::routes::Empty;
use crate::state::AppState;
use webchat_core::model::{Role, User};

use super::rooms::view_for;

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

pub(crate) async fn account(state: &AppState, username: &str) -> Result<User, ApiError> {
    let username = username.trim().to_ascii_lowercase();
    state
        .store
        .user_by_username(&username)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such user".into()))
}

/// Appends a membership change of `subject` caused by `actor`.
pub(crate) async fn membership_change(
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
    if state.store.blocks(invitee.id, auth.user.id).await? {
        return Err(ApiError::Forbidden("you cannot invite this user".into()));
    }
    if !state.store.is_member(&room, invitee.id).await? {
        state.check_send_rate(auth.user.id)?;
        state.check_contact_rate(auth.user.id)?;
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
    let place = access::readable_room(&state, &auth.user, &room).await?;
    let members: Vec<MemberView> = state
        .store
        .members(&room)
        .await?
        .into_iter()
        .map(|m| MemberView {
            // As `access::role_in` decides: a DM's two people are members alike.
            role: if place.visibility == Visibility::Dm {
                Role::Member.as_str()
            } else {
                m.role.as_str()
            },
            user: m.user.view(),
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
    let (place, own_role) = access::require_moderator(state, &auth.user, room).await?;
    // Charged before anything changes, so that a ban is never recorded
    // without the leave that ends the membership.
    state.check_send_rate(auth.user.id)?;
    let target = named_user(state, room, request).await?;
    if target.id == auth.user.id {
        return Err(ApiError::BadRequest(
            "you cannot remove yourself; leave the room instead".into(),
        ));
    }
    let target_role = access::role_in(state, &place, target.id).await?;
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
        // The leave ends the target's subscriptions as it commits (`fanout::after_commit`).
        membership_change(state, room, EventKind::Leave, &target, &auth.user, reason).await?;
    }
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
    let (place, own_role) = access::require_moderator(&state, &auth.user, &room).await?;
    let target = named_user(&state, &room, &request).await?;
    let not_banned = || ApiError::NotFound("this user is not banned here".into());
    let banned_by = state
        .store
        .banned_by(&room, target.id)
        .await?
        .ok_or_else(not_banned)?;
    if banned_by != auth.user.id {
        let banner = state.store.user(banned_by).await?;
        let banner_role = access::role_in(&state, &place, banned_by).await?;
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
    let place = access::readable_room(&state, &auth.user, &room).await?;
    let own = access::role_in(&state, &place, auth.user.id).await?;
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
