// Shapes shared by every feature, as fixed in docs/protocol.md.
// Ids of users and events are integers; room ids are strings.
//
// They are the server's own schemas, generated from its OpenAPI document
// (`npm run gen:api` writes openapi.ts from openapi.json, which the server's
// `tests/openapi.rs` keeps current): a change of shape on the server is a
// type error here, not a surprise in production.

import type { components } from './openapi';

export type Schemas = components['schemas'];

export type User = Schemas['UserView'];

export type Author = Schemas['AuthorView'];

export type Visibility = Schemas['Visibility'];

/** `unread` and `last_read` are only in GET /rooms (the rooms the user joined). */
export type Room = Schemas['RoomView'];

export type EventKind = Schemas['EventKind'];

/** One entry of a room's log: REST history returns it as is, the WebSocket adds `type: "event"`. */
export type RoomEvent = Schemas['EventView'];

export type ErrorCode = Schemas['ErrorCode'];

/** Every REST error answers `{"error": {"code", "message"}}`. */
export type ErrorBody = Schemas['ErrorBody'];
