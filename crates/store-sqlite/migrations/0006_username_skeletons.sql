-- Look-alike usernames (docs/decisions/0005-look-alike-names.md): each
-- account stores the skeleton of its username (`validate::name_skeleton`),
-- so that a new guest's name is checked against accounts by an indexed
-- lookup, and two accounts cannot hold look-alike usernames (the unique
-- index decides between concurrent registrations). Guests have none (NULL,
-- which a unique index lets repeat). Existing accounts get theirs when the
-- store opens, as SQL cannot compute it.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
CREATE UNIQUE INDEX users_by_username_skeleton ON users(username_skeleton);
