// Shapes shared by every feature, as fixed in docs/protocol.md.
// Ids of users and events are integers; room ids are strings.

export type User = { id: number; name: string; guest: boolean };

export type Author = { id: number; name: string };

export type Visibility = 'public' | 'private' | 'dm';

export type Room = {
  id: string;
  name: string;
  topic: string;
  visibility: Visibility;
  head: number;
  member_count: number;
  /** Only in GET /rooms (the rooms the user joined). */
  unread?: number;
  last_read?: number;
};

export type EventKind = 'message' | 'edit' | 'delete' | 'join' | 'leave' | 'topic';

/** One entry of a room's log: REST history returns it as is, the WebSocket adds `type: "event"`. */
export type RoomEvent = {
  room: string;
  seq: number;
  id: number;
  ts: string;
  kind: EventKind;
  author: Author;
  body?: string;
  target?: number;
  nonce?: string;
};

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'too_large'
  | 'conflict'
  | 'unavailable'
  | 'internal';
