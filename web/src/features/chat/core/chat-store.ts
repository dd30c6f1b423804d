// The chat state and its reducer: a pure function, no I/O.
//
// Invariants: each room's `events` is sorted by ascending `seq` with no
// duplicate seq (delivery is at-least-once; de-duplicating by seq makes
// display exactly-once). A pending message is one the user sent whose event
// or ack has not arrived yet; it is identified by its nonce and disappears
// when either arrives.
//
// `synced` is where a resume starts. It only moves through events known to
// leave no gap below them (history, and the subscription's stream, which is
// gapless by protocol), never through events that arrive out of band (acks,
// REST answers): a `subscribe` with `since` = synced then replays whatever
// lies between, and de-duplication hides what is replayed twice.

import { createStore, type Store } from '../../../lib/store';
import type { User } from '../../../types/api';
import type { ChatEvent } from '../api/get-events';
import type { Limits } from './protocol';

export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; retryAt: number; since: number }
  | { kind: 'offline'; reason: string };

export type Timeline = {
  /** Ascending seq, unique. */
  events: ChatEvent[];
  /** Older events exist on the server. */
  hasMore: boolean;
  /** The initial history has been read over REST. */
  loaded: boolean;
  /** Every event up to this seq is held (once `loaded`): the resume point. */
  synced: number;
  loadingOlder: boolean;
  error?: string;
  /** The user is at the bottom of the log: older events may be dropped from memory. */
  following: boolean;
  /** The server ended or refused the subscription; cleared when subscribing again. */
  ended?: RoomEnded;
  /** Subscribing again after `ended`, not yet answered: the user cannot post
   *  until it is (a ban or a private room refuses it). */
  rejoining?: boolean;
};

/**
 * Why a room's events stopped: `kicked`, `banned`, `left` (in another tab),
 * by `by`; or `refused`: its `subscribe` was answered with `error` `code`.
 */
export type RoomEnded = {
  reason: string;
  by?: string;
  code?: string;
  message?: string;
  /** `left` by the user's own "Leave room" in this tab: nothing to tell them. */
  local?: boolean;
};

export type PendingMessage = {
  nonce: string;
  room: string;
  body: string;
  state: 'pending' | 'failed';
  error?: string;
};

export type ChatState = {
  me: User | null;
  connection: ConnectionState;
  limits: Limits | null;
  timelines: Record<string, Timeline>;
  /** In the order the user sent them. */
  pending: PendingMessage[];
  presence: Record<string, User[]>;
  /** Who is typing, per room (never the user themself); entries expire at `until`. */
  typing: Record<string, TypingEntry[]>;
  /** The newest seq the user has read per room (here or in another tab). */
  readMarks: Record<string, number>;
  /** The server ended the user's subscription to a room (kick, ban, leave elsewhere). */
  removed: { room: string; reason: string } | null;
  /** Rooms the user is leaving from this tab: their `left` is no news to them. */
  leaving: string[];
};

export type TypingEntry = { user: { id: number; name: string }; until: number };

export type ChatAction =
  | { type: 'me'; user: User | null }
  | { type: 'connection'; connection: ConnectionState }
  | { type: 'welcome'; user: User; limits: Limits }
  | { type: 'history/loaded'; room: string; events: ChatEvent[]; hasMore: boolean }
  | { type: 'history/failed'; room: string; error: string }
  | { type: 'older/loading'; room: string }
  | { type: 'older/loaded'; room: string; events: ChatEvent[]; hasMore: boolean }
  | { type: 'older/failed'; room: string; error: string }
  /** From the subscription (replay or live), in order. */
  | { type: 'events/received'; room: string; events: ChatEvent[] }
  /** From outside the subscription (REST answers): shown, but `synced` stays. */
  | { type: 'events/out-of-band'; room: string; events: ChatEvent[] }
  | { type: 'pending/added'; message: PendingMessage }
  | { type: 'pending/acked'; nonce: string; room: string; seq: number; id: number; ts: string }
  | { type: 'pending/failed'; nonce: string; error: string }
  | { type: 'pending/retry'; nonce: string }
  | { type: 'pending/discarded'; nonce: string }
  | { type: 'presence/set'; room: string; users: User[] }
  | { type: 'presence/changed'; room: string; joined: User[]; left: User[] }
  | { type: 'typing/received'; room: string; user: User; active: boolean; until: number }
  | { type: 'typing/expired'; room: string; userId: number; now: number }
  | { type: 'read/marked'; room: string; seq: number }
  | { type: 'room/removed'; room: string; reason: string }
  | { type: 'room/removed-seen' }
  /** The user leaves `room` here (`active`), or that failed (`active: false`). */
  | { type: 'room/leaving'; room: string; active: boolean }
  | { type: 'room/refused'; room: string; code: string; message: string }
  | { type: 'room/resubscribing'; room: string }
  /** The room's subscription is live (`subscribed`, or `conflict`: it already was). */
  | { type: 'room/subscribed'; room: string }
  /** Forget what is held of a room (its history is read again from the newest page). */
  | { type: 'timeline/reset'; room: string }
  | { type: 'view/following'; room: string; following: boolean };

export const initialChatState: ChatState = {
  me: null,
  connection: { kind: 'idle' },
  limits: null,
  timelines: {},
  pending: [],
  presence: {},
  typing: {},
  readMarks: {},
  removed: null,
  leaving: [],
};

export const emptyTimeline: Timeline = {
  events: [],
  hasMore: false,
  loaded: false,
  synced: 0,
  loadingOlder: false,
  following: true,
};

/**
 * A room keeps at most this many events in memory while the user follows the
 * newest ones; what is dropped is read again through "load older". Trimming
 * waits for TRIM_BATCH extra events so that its copy is paid once per batch,
 * not once per event.
 */
export const MAX_EVENTS = 1000;
export const TRIM_BATCH = 100;

/**
 * For a list made by a fast-path merge: an older list it extends (a prefix of
 * it), so that display items can be extended instead of rebuilt. The chain is
 * kept one link long: a list's own link is dropped when it is extended, and a
 * list whose items were never built links straight to its base. Otherwise
 * every intermediate list (and its display items) would stay reachable from
 * the newest one while the user reads older messages (nothing is trimmed
 * then): memory quadratic in the number of live events.
 */
const appendedTo = new WeakMap<ChatEvent[], ChatEvent[]>();
/** Display items per events list (see toDisplayItems). */
const displayCache = new WeakMap<ChatEvent[], DisplayItem[]>();

function holds(events: ChatEvent[], seq: number): boolean {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = events[mid].seq;
    if (s === seq) return true;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function append(existing: ChatEvent[], incoming: ChatEvent[]): ChatEvent[] {
  const merged = existing.concat(incoming);
  const base = appendedTo.get(existing);
  appendedTo.delete(existing);
  // Several events may be merged between two renders: skip the lists whose
  // items were never built, and extend the ones that were.
  appendedTo.set(merged, base && !displayCache.has(existing) ? base : existing);
  return merged;
}

/** For tests: how many lists are reachable through `appendedTo` from `events`. */
export function appendChainLength(events: ChatEvent[]): number {
  let n = 0;
  for (let e = appendedTo.get(events); e; e = appendedTo.get(e)) n += 1;
  return n;
}

/**
 * Merges `incoming` into the sorted, unique `existing` list. Returns `existing`
 * itself when nothing is new, so that React skips the render.
 */
export function mergeEvents(existing: ChatEvent[], incoming: ChatEvent[]): ChatEvent[] {
  if (incoming.length === 0) return existing;
  const last = existing.length ? existing[existing.length - 1].seq : -Infinity;
  // Fast path: live events arrive in order after everything we have.
  let inOrder = true;
  let prev = last;
  for (const e of incoming) {
    if (e.seq <= prev) {
      inOrder = false;
      break;
    }
    prev = e.seq;
  }
  if (inOrder) return append(existing, incoming);

  // The common other case is an event already held (the own message's event
  // after its ack, a replay overlapping history): found by binary search, so
  // it costs O(k log n), not a rebuild of the whole list.
  const seen = new Set<number>();
  const fresh: ChatEvent[] = [];
  for (const e of incoming) {
    if (seen.has(e.seq) || holds(existing, e.seq)) continue;
    seen.add(e.seq);
    fresh.push(e);
  }
  if (fresh.length === 0) return existing;
  fresh.sort((a, b) => a.seq - b.seq);
  if (fresh[0].seq > last) return append(existing, fresh);
  const merged: ChatEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < existing.length || j < fresh.length) {
    if (j >= fresh.length || (i < existing.length && existing[i].seq < fresh[j].seq)) merged.push(existing[i++]);
    else merged.push(fresh[j++]);
  }
  return merged;
}

/**
 * Drops the oldest events of a followed room beyond MAX_EVENTS. Older
 * events then exist on the server again, so "load older" is offered.
 */
function trimmed(t: Timeline, events: ChatEvent[]): { events: ChatEvent[]; hasMore: boolean } {
  if (!t.following || events.length <= MAX_EVENTS + TRIM_BATCH) return { events, hasMore: t.hasMore };
  return { events: events.slice(events.length - MAX_EVENTS), hasMore: true };
}

/** The user who removed `me` from the room: the actor of the newest `leave` of theirs. */
function removedBy(t: Timeline | undefined, me: User | null): string | undefined {
  if (!t || !me) return undefined;
  for (let i = t.events.length - 1; i >= 0; i--) {
    const e = t.events[i];
    if (e.kind === 'leave' && e.author.id === me.id) {
      return e.actor && e.actor.id !== me.id ? e.actor.name : undefined;
    }
  }
  return undefined;
}

function withTimeline(
  state: ChatState,
  room: string,
  update: (t: Timeline) => Timeline,
): ChatState {
  const current = state.timelines[room] ?? emptyTimeline;
  const next = update(current);
  if (next === current) return state;
  return { ...state, timelines: { ...state.timelines, [room]: next } };
}

/** Drops pending messages whose event has arrived (same nonce, sent by me). */
function settlePending(state: ChatState, events: ChatEvent[]): ChatState {
  if (state.pending.length === 0) return state;
  const nonces = new Set<string>();
  for (const e of events) {
    if (e.nonce && (state.me === null || e.author.id === state.me.id)) nonces.add(e.nonce);
  }
  if (nonces.size === 0) return state;
  const pending = state.pending.filter((p) => !nonces.has(p.nonce));
  return pending.length === state.pending.length ? state : { ...state, pending };
}

function mapPending(
  state: ChatState,
  nonce: string,
  update: (p: PendingMessage) => PendingMessage,
): ChatState {
  let changed = false;
  const pending = state.pending.map((p) => {
    if (p.nonce !== nonce) return p;
    const next = update(p);
    if (next !== p) changed = true;
    return next;
  });
  return changed ? { ...state, pending } : state;
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'me':
      return { ...state, me: action.user };
    case 'connection':
      return { ...state, connection: action.connection };
    case 'welcome':
      return { ...state, me: action.user, limits: action.limits };

    case 'history/loaded': {
      const next = withTimeline(state, action.room, (t) => {
        const events = mergeEvents(t.events, action.events);
        // The answer's has_more describes what lies before its oldest event;
        // it holds for the merged list only if that is also our oldest.
        let hasMore = t.hasMore;
        if (t.events.length === 0) hasMore = action.hasMore;
        else if (action.events.length > 0 && action.events[0].seq <= t.events[0].seq) {
          hasMore = action.hasMore;
        }
        // The newest page reaches the head as of its read. Seqs have no gaps,
        // so it extends `synced` only if it starts at most one past it;
        // otherwise resuming from `synced` fetches the events in between.
        const first = action.events.length ? action.events[0].seq : 0;
        const last = action.events.length ? action.events[action.events.length - 1].seq : 0;
        let synced = last;
        if (t.loaded) synced = first <= t.synced + 1 ? Math.max(t.synced, last) : t.synced;
        return { ...t, events, hasMore, loaded: true, synced, error: undefined };
      });
      return settlePending(next, action.events);
    }
    case 'history/failed':
      return withTimeline(state, action.room, (t) => ({ ...t, error: action.error }));

    case 'older/loading':
      return withTimeline(state, action.room, (t) =>
        t.loadingOlder ? t : { ...t, loadingOlder: true },
      );
    case 'older/loaded':
      return withTimeline(state, action.room, (t) => ({
        ...t,
        events: mergeEvents(t.events, action.events),
        hasMore: action.hasMore,
        loadingOlder: false,
        error: undefined,
      }));
    case 'older/failed':
      return withTimeline(state, action.room, (t) => ({
        ...t,
        loadingOlder: false,
        error: action.error,
      }));

    case 'events/received':
    case 'events/out-of-band': {
      const inStream = action.type === 'events/received';
      const next = withTimeline(state, action.room, (t) => {
        const merged = mergeEvents(t.events, action.events);
        // Before history is loaded there is no base for the stream to extend.
        // An event already held (an ack's, a REST answer's) still moves it.
        let synced = t.synced;
        if (inStream && t.loaded) for (const e of action.events) if (e.seq > synced) synced = e.seq;
        if (merged === t.events && synced === t.synced) return t;
        const { events, hasMore } = inStream ? trimmed(t, merged) : { events: merged, hasMore: t.hasMore };
        return { ...t, events, hasMore, synced };
      });
      return clearTypingOfAuthors(settlePending(next, action.events), action.room, action.events);
    }

    case 'pending/added':
      if (state.pending.some((p) => p.nonce === action.message.nonce)) return state;
      return { ...state, pending: [...state.pending, action.message] };

    case 'pending/acked': {
      const p = state.pending.find((m) => m.nonce === action.nonce);
      if (!p) return state;
      // The ack says the message is committed as (seq, id, ts): show it as
      // confirmed now. Its `event` frame, if it comes later, has the same seq
      // and is de-duplicated. `synced` stays: events before this seq may not
      // have arrived yet, or ever, if the room is no longer subscribed.
      const author = state.me ?? { id: -1, name: 'me' };
      const event: ChatEvent = {
        room: action.room,
        seq: action.seq,
        id: action.id,
        ts: action.ts,
        kind: 'message',
        author: { id: author.id, name: author.name },
        body: p.body,
        nonce: p.nonce,
      };
      const next = withTimeline(state, action.room, (t) => {
        const events = mergeEvents(t.events, [event]);
        return events === t.events ? t : { ...t, events };
      });
      return { ...next, pending: next.pending.filter((m) => m.nonce !== action.nonce) };
    }
    case 'pending/failed':
      return mapPending(state, action.nonce, (p) => ({ ...p, state: 'failed', error: action.error }));
    case 'pending/retry':
      return mapPending(state, action.nonce, (p) =>
        p.state === 'pending' ? p : { ...p, state: 'pending', error: undefined },
      );
    case 'pending/discarded': {
      const pending = state.pending.filter((p) => p.nonce !== action.nonce);
      return pending.length === state.pending.length ? state : { ...state, pending };
    }

    case 'presence/set':
      return { ...state, presence: { ...state.presence, [action.room]: action.users } };
    case 'presence/changed': {
      const left = new Set(action.left.map((u) => u.id));
      const current = (state.presence[action.room] ?? []).filter((u) => !left.has(u.id));
      const ids = new Set(current.map((u) => u.id));
      const users = [...current, ...action.joined.filter((u) => !ids.has(u.id))];
      return { ...state, presence: { ...state.presence, [action.room]: users } };
    }

    case 'typing/received': {
      if (state.me && action.user.id === state.me.id) return state;
      const current = state.typing[action.room] ?? [];
      const others = current.filter((t) => t.user.id !== action.user.id);
      if (!action.active && others.length === current.length) return state;
      const entries = action.active
        ? [...others, { user: { id: action.user.id, name: action.user.name }, until: action.until }]
        : others;
      return { ...state, typing: { ...state.typing, [action.room]: entries } };
    }
    case 'typing/expired': {
      const current = state.typing[action.room];
      if (!current) return state;
      const entries = current.filter((t) => !(t.user.id === action.userId && t.until <= action.now));
      if (entries.length === current.length) return state;
      return { ...state, typing: { ...state.typing, [action.room]: entries } };
    }

    case 'read/marked':
      if ((state.readMarks[action.room] ?? -1) >= action.seq) return state;
      return { ...state, readMarks: { ...state.readMarks, [action.room]: action.seq } };

    case 'room/removed': {
      if (action.reason === 'left' && state.leaving.includes(action.room)) {
        // The user's own "Leave room": the room ends quietly, no notice.
        const next = withTimeline(state, action.room, (t) => ({
          ...t,
          ended: { reason: 'left', local: true },
          rejoining: undefined,
        }));
        return { ...next, leaving: state.leaving.filter((r) => r !== action.room) };
      }
      const by = removedBy(state.timelines[action.room], state.me);
      const next = withTimeline(state, action.room, (t) => ({
        ...t,
        ended: { reason: action.reason, by },
        rejoining: undefined,
      }));
      return { ...next, removed: { room: action.room, reason: action.reason } };
    }
    case 'room/removed-seen':
      return state.removed ? { ...state, removed: null } : state;
    case 'room/leaving': {
      const has = state.leaving.includes(action.room);
      if (has === action.active) return state;
      const leaving = action.active
        ? [...state.leaving, action.room]
        : state.leaving.filter((r) => r !== action.room);
      return { ...state, leaving };
    }
    case 'room/refused':
      return withTimeline(state, action.room, (t) => ({
        ...t,
        ended: { reason: 'refused', code: action.code, message: action.message },
        rejoining: undefined,
      }));
    case 'room/resubscribing': {
      const next = withTimeline(state, action.room, (t) =>
        t.ended ? { ...t, ended: undefined, rejoining: true } : t,
      );
      return next.removed?.room === action.room ? { ...next, removed: null } : next;
    }
    case 'room/subscribed':
      return withTimeline(state, action.room, (t) => (t.rejoining ? { ...t, rejoining: undefined } : t));
    case 'timeline/reset': {
      if (!state.timelines[action.room]) return state;
      const timelines = { ...state.timelines };
      delete timelines[action.room];
      return { ...state, timelines };
    }
    case 'view/following':
      return withTimeline(state, action.room, (t) =>
        t.following === action.following ? t : { ...t, following: action.following },
      );
  }
}

/** A message from someone ends their typing indicator. */
function clearTypingOfAuthors(state: ChatState, room: string, events: ChatEvent[]): ChatState {
  const current = state.typing[room];
  if (!current || current.length === 0) return state;
  const authors = new Set(events.filter((e) => e.kind === 'message').map((e) => e.author.id));
  const entries = current.filter((t) => !authors.has(t.user.id));
  if (entries.length === current.length) return state;
  return { ...state, typing: { ...state.typing, [room]: entries } };
}

export type ChatStore = Store<ChatState, ChatAction>;

export function createChatStore(initial: ChatState = initialChatState): ChatStore {
  return createStore(chatReducer, initial);
}

/**
 * The seq to resume a room from: the newest one with no gap before it, which
 * may be older than the newest event shown. Undefined before history is loaded.
 */
export function lastSeq(state: ChatState, room: string): number | undefined {
  const t = state.timelines[room];
  if (!t || !t.loaded) return undefined;
  return t.synced;
}

export function oldestSeq(state: ChatState, room: string): number | undefined {
  const t = state.timelines[room];
  return t && t.events.length ? t.events[0].seq : undefined;
}

/** What the message list shows: messages with their edits and deletions applied. */
export type DisplayItem =
  | {
      kind: 'message';
      key: string;
      seq: number;
      id: number;
      ts: string;
      author: { id: number; name: string; guest?: boolean };
      body: string;
      edited: boolean;
      /** A tombstone: the message was deleted; it has no text. */
      deleted: boolean;
      /** The sender's idempotency key: a pending message of mine becomes this item. */
      nonce?: string;
    }
  | {
      kind: 'system';
      key: string;
      seq: number;
      ts: string;
      /** The notice as plain text ("bob was kicked by carol"). */
      text: string;
      /** The same notice with the names apart, so the view can isolate each
       *  one (`<bdi>`) and a bidi character in a name cannot reorder it. */
      parts: NoticePart[];
    };

/** A piece of a system notice: fixed text, or a user-supplied name. */
export type NoticePart = string | { name: string };

/** A system notice from its pieces: `notice(who(bob), ' left')`. */
function notice(...parts: NoticePart[]): { text: string; parts: NoticePart[] } {
  return { text: parts.map((p) => (typeof p === 'string' ? p : p.name)).join(''), parts };
}

const who = (user: { name: string }): NoticePart => ({ name: user.name });

const NO_EDITS = new Map<number, string>();
const NO_DELETES = new Set<number>();

export function toDisplayItems(events: ChatEvent[]): DisplayItem[] {
  const cached = displayCache.get(events);
  if (cached) return cached;
  // A live event usually extends the list the items were last built for:
  // build only the new items, unless an edit or delete changes older ones.
  const base = appendedTo.get(events);
  const baseItems = base && displayCache.get(base);
  let items: DisplayItem[];
  if (base && baseItems) {
    const added = events.slice(base.length);
    items = added.some((e) => e.kind === 'edit' || e.kind === 'delete')
      ? buildItems(events)
      : baseItems.concat(buildItems(added, NO_EDITS, NO_DELETES));
  } else {
    items = buildItems(events);
  }
  displayCache.set(events, items);
  return items;
}

function buildItems(events: ChatEvent[], edits?: Map<number, string>, deleted?: Set<number>): DisplayItem[] {
  if (!edits || !deleted) {
    // History gives messages with their current body and `edited`/`deleted`
    // flags; live `edit`/`delete` events (and those in the page) are applied on top.
    edits = new Map<number, string>();
    deleted = new Set<number>();
    for (const e of events) {
      if (e.kind === 'edit' && e.target !== undefined && e.body !== undefined) edits.set(e.target, e.body);
      if (e.kind === 'delete' && e.target !== undefined) deleted.add(e.target);
    }
  }
  const items: DisplayItem[] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'message': {
        const gone = e.deleted === true || deleted.has(e.id);
        items.push({
          kind: 'message',
          key: `s${e.seq}`,
          seq: e.seq,
          id: e.id,
          ts: e.ts,
          author: e.author,
          body: gone ? '' : (edits.get(e.id) ?? e.body ?? ''),
          edited: !gone && (e.edited === true || edits.has(e.id)),
          deleted: gone,
          nonce: e.nonce,
        });
        break;
      }
      case 'join':
        items.push({
          kind: 'system',
          key: `s${e.seq}`,
          seq: e.seq,
          ts: e.ts,
          ...(e.actor && e.actor.id !== e.author.id
            ? notice(who(e.actor), ' added ', who(e.author))
            : notice(who(e.author), ' joined')),
        });
        break;
      case 'leave': {
        const how = e.body === 'kicked' || e.body === 'banned' ? e.body : null;
        items.push({
          kind: 'system',
          key: `s${e.seq}`,
          seq: e.seq,
          ts: e.ts,
          ...(how && e.actor
            ? notice(who(e.author), ` was ${how} by `, who(e.actor))
            : notice(who(e.author), ' left')),
        });
        break;
      }
      case 'topic':
        items.push({
          kind: 'system',
          key: `s${e.seq}`,
          seq: e.seq,
          ts: e.ts,
          ...notice(who(e.author), ` set the topic: ${e.body ?? ''}`),
        });
        break;
      case 'edit':
      case 'delete':
        break;
    }
  }
  return items;
}
