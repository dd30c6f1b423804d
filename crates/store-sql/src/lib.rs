//! What webchat's SQL backends (`store-sqlite`, `store-postgres`) share, so
//! that each holds only its SQL: decoding rows into domain types and the
//! column lists ([`rows`]), and [`delegate_store!`], the `Store`
//! implementation that hands each call to the backend's module for its
//! concern. The SQL itself stays in each backend: the dialects differ
//! (placeholders, booleans, conflicts, full-text search).

pub mod rows;

/// Implements `EventLog` and `Store` for `$store` by calling, for each
/// method, the function of the same name in the backend's module for that
/// concern (`append`, `users`, `sessions`, `rooms`, `members`, `events`
/// (`by_nonce` for `event_by_nonce`), `search`, `import`, and `open` for
/// `ping` and `close`), with the store first. The modules are resolved where
/// the macro is invoked: each backend has the same modules.
#[macro_export]
macro_rules! delegate_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl webchat_core::store::EventLog for $store {
            async fn append_batch(
                &self,
                events: &[webchat_core::model::NewEvent],
            ) -> Result<
                Vec<Result<webchat_core::store::Appended, webchat_core::store::AppendError>>,
                webchat_core::store::StoreError,
            > {
                append::append_batch(self, events).await
            }
        }

        #[async_trait::async_trait]
        impl webchat_core::store::Store for $store {
            async fn ping(&self) -> Result<(), webchat_core::store::StoreError> {
                open::ping(self).await
            }

            async fn create_guest(
                &self,
                name: &str,
            ) -> Result<webchat_core::model::User, webchat_core::store::StoreError> {
                users::create_guest(self, name).await
            }

            async fn seed_guest(
                &self,
                client_id: &str,
            ) -> Result<webchat_core::model::User, webchat_core::store::StoreError> {
                users::seed_guest(self, client_id).await
            }

            async fn find_seed_guest(
                &self,
                client_id: &str,
            ) -> Result<Option<webchat_core::model::User>, webchat_core::store::StoreError> {
                users::find_seed_guest(self, client_id).await
            }

            async fn user(
                &self,
                id: webchat_core::model::UserId,
            ) -> Result<webchat_core::model::User, webchat_core::store::StoreError> {
                users::user(self, id).await
            }

            async fn create_account(
                &self,
                username: &str,
                password_hash: &str,
            ) -> Result<webchat_core::model::User, webchat_core::store::StoreError> {
                users::create_account(self, username, password_hash).await
            }

            async fn upgrade_guest(
                &self,
                user: webchat_core::model::UserId,
                username: &str,
                password_hash: &str,
            ) -> Result<webchat_core::model::User, webchat_core::store::StoreError> {
                users::upgrade_guest(self, user, username, password_hash).await
            }

            async fn credentials(
                &self,
                username: &str,
            ) -> Result<Option<webchat_core::store::Credentials>, webchat_core::store::StoreError>
            {
                users::credentials(self, username).await
            }

            async fn user_by_username(
                &self,
                username: &str,
            ) -> Result<Option<webchat_core::model::User>, webchat_core::store::StoreError> {
                users::user_by_username(self, username).await
            }

            async fn set_admin(
                &self,
                user: webchat_core::model::UserId,
                admin: bool,
            ) -> Result<(), webchat_core::store::StoreError> {
                users::set_admin(self, user, admin).await
            }

            async fn create_session(
                &self,
                user: webchat_core::model::UserId,
                token_hash: &[u8],
                kind: webchat_core::model::SessionKind,
                name: &str,
            ) -> Result<i64, webchat_core::store::StoreError> {
                sessions::create_session(self, user, token_hash, kind, name).await
            }

            async fn session_user(
                &self,
                token_hash: &[u8],
            ) -> Result<
                Option<(webchat_core::model::User, webchat_core::model::SessionInfo)>,
                webchat_core::store::StoreError,
            > {
                sessions::session_user(self, token_hash).await
            }

            async fn sessions(
                &self,
                user: webchat_core::model::UserId,
                kind: webchat_core::model::SessionKind,
            ) -> Result<Vec<webchat_core::model::SessionInfo>, webchat_core::store::StoreError>
            {
                sessions::sessions(self, user, kind).await
            }

            async fn delete_session(
                &self,
                user: webchat_core::model::UserId,
                id: i64,
            ) -> Result<bool, webchat_core::store::StoreError> {
                sessions::delete_session(self, user, id).await
            }

            async fn touch_session(
                &self,
                id: i64,
                now_ms: i64,
                unless_since_ms: i64,
            ) -> Result<(), webchat_core::store::StoreError> {
                sessions::touch_session(self, id, now_ms, unless_since_ms).await
            }

            async fn delete_expired_sessions(
                &self,
                idle_before_ms: i64,
                created_before_ms: i64,
            ) -> Result<Vec<i64>, webchat_core::store::StoreError> {
                sessions::delete_expired_sessions(self, idle_before_ms, created_before_ms).await
            }

            async fn create_room(
                &self,
                room: &webchat_core::model::NewRoom,
            ) -> Result<webchat_core::model::Room, webchat_core::store::StoreError> {
                rooms::create_room(self, room).await
            }

            async fn room(
                &self,
                id: &str,
            ) -> Result<Option<webchat_core::model::Room>, webchat_core::store::StoreError> {
                rooms::room(self, id).await
            }

            async fn room_access(
                &self,
                room: &str,
                user: webchat_core::model::UserId,
            ) -> Result<Option<webchat_core::model::RoomAccess>, webchat_core::store::StoreError>
            {
                rooms::room_access(self, room, user).await
            }

            async fn rooms_created(
                &self,
                user: webchat_core::model::UserId,
            ) -> Result<u64, webchat_core::store::StoreError> {
                rooms::rooms_created(self, user).await
            }

            async fn public_rooms(
                &self,
                after: Option<&webchat_core::model::DirectoryKey>,
                limit: u32,
            ) -> Result<Vec<webchat_core::model::Room>, webchat_core::store::StoreError> {
                rooms::public_rooms(self, after, limit).await
            }

            async fn all_rooms(
                &self,
            ) -> Result<Vec<webchat_core::model::Room>, webchat_core::store::StoreError> {
                rooms::all_rooms(self).await
            }

            async fn member_rooms(
                &self,
                user: webchat_core::model::UserId,
            ) -> Result<Vec<webchat_core::model::MemberRoom>, webchat_core::store::StoreError> {
                rooms::member_rooms(self, user).await
            }

            async fn role(
                &self,
                room: &str,
                user: webchat_core::model::UserId,
            ) -> Result<Option<webchat_core::model::Role>, webchat_core::store::StoreError> {
                members::role(self, room, user).await
            }

            async fn set_role(
                &self,
                room: &str,
                user: webchat_core::model::UserId,
                role: webchat_core::model::Role,
            ) -> Result<(), webchat_core::store::StoreError> {
                members::set_role(self, room, user, role).await
            }

            async fn members(
                &self,
                room: &str,
            ) -> Result<Vec<webchat_core::store::Member>, webchat_core::store::StoreError> {
                members::members(self, room).await
            }

            async fn ban(
                &self,
                room: &str,
                user: webchat_core::model::UserId,
                by: webchat_core::model::UserId,
            ) -> Result<(), webchat_core::store::StoreError> {
                members::ban(self, room, user, by).await
            }

            async fn banned_by(
                &self,
                room: &str,
                user: webchat_core::model::UserId,
            ) -> Result<Option<webchat_core::model::UserId>, webchat_core::store::StoreError> {
                members::banned_by(self, room, user).await
            }

            async fn unban(
                &self,
                room: &str,
                user: webchat_core::model::UserId,
            ) -> Result<bool, webchat_core::store::StoreError> {
                members::unban(self, room, user).await
            }

            async fn block(
                &self,
                user: webchat_core::model::UserId,
                blocked: webchat_core::model::UserId,
            ) -> Result<(), webchat_core::store::StoreError> {
                users::block(self, user, blocked).await
            }

            async fn unblock(
                &self,
                user: webchat_core::model::UserId,
                blocked: webchat_core::model::UserId,
            ) -> Result<bool, webchat_core::store::StoreError> {
                users::unblock(self, user, blocked).await
            }

            async fn blocked(
                &self,
                user: webchat_core::model::UserId,
            ) -> Result<Vec<webchat_core::model::User>, webchat_core::store::StoreError> {
                users::blocked(self, user).await
            }

            async fn blocks(
                &self,
                user: webchat_core::model::UserId,
                other: webchat_core::model::UserId,
            ) -> Result<bool, webchat_core::store::StoreError> {
                users::blocks(self, user, other).await
            }

            async fn room_rules(
                &self,
                room: &str,
            ) -> Result<webchat_core::store::RoomRules, webchat_core::store::StoreError> {
                members::room_rules(self, room).await
            }

            async fn mark_read(
                &self,
                room: &str,
                user: webchat_core::model::UserId,
                seq: u64,
            ) -> Result<Option<u64>, webchat_core::store::StoreError> {
                members::mark_read(self, room, user, seq).await
            }

            async fn events(
                &self,
                room: &str,
                page: webchat_core::model::Page,
            ) -> Result<(Vec<webchat_core::model::Event>, bool), webchat_core::store::StoreError>
            {
                events::events(self, room, page).await
            }

            async fn event_by_nonce(
                &self,
                author: webchat_core::model::UserId,
                nonce: &str,
            ) -> Result<Option<webchat_core::model::Event>, webchat_core::store::StoreError> {
                events::by_nonce(self, author, nonce).await
            }

            async fn event(
                &self,
                room: &str,
                id: webchat_core::model::EventId,
            ) -> Result<Option<webchat_core::model::Event>, webchat_core::store::StoreError> {
                events::event(self, room, id).await
            }

            async fn search(
                &self,
                user: webchat_core::model::UserId,
                query: &str,
                room: Option<&str>,
                limit: u32,
                offset: u32,
            ) -> Result<webchat_core::store::SearchPage, webchat_core::store::StoreError> {
                search::search(self, user, query, room, limit, offset).await
            }

            async fn import_room(
                &self,
                room: &webchat_core::model::NewRoom,
                events: &[webchat_core::model::Event],
                rules: &webchat_core::store::RoomRules,
            ) -> Result<webchat_core::model::Room, webchat_core::store::StoreError> {
                import::import_room(self, room, events, rules).await
            }

            async fn close(&self) {
                open::close(self).await
            }
        }
    };
}
