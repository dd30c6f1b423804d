// The chat feature's facade: the store, the socket and the history REST calls
// composed. Opening a room reads its recent history over REST first and only
// then subscribes with `since` = the newest seq read, so no event falls in
// between. A room opened before keeps its timeline and resumes from its last
// seq without re-reading history.

import { ApiError } from '../../../lib/api-client';
import type { User } from '../../../types/api';
import { deleteMessage } from '../api/delete-message';
import { editMessage } from '../api/edit-message';
import { getEvents, type ChatEvent, type EventsPage } from '../api/get-events';
import { createChatStore, lastSeq, MAX_EVENTS, oldestSeq, type ChatStore } from './chat-store';
import { ChatSocket, defaultSocketUrl, type ChatSocketOptions } from './chat-socket';
import { keepOutbox, Outbox } from './outbox';

export type ChatClientOptions = {
  store?: ChatStore;
  fetchEvents?: (room: string, params: { before?: number; limit?: number }) => Promise<EventsPage>;
  socket?: Partial<Omit<ChatSocketOptions, 'store'>>;
  /** REST forms of edit and delete (fallback when the socket cannot do them). */
  restEdit?: (room: string, id: number, body: string) => Promise<ChatEvent>;
  restDelete?: (room: string, id: number) => Promise<ChatEvent>;
  /** Whether the page is visible (read markers are only sent while it is). */
  isVisible?: () => boolean;
  now?: () => number;
};

/** Typing renewals are sent at most this often while the user types. */
export const TYPING_THROTTLE_MS = 2000;
/** Read markers go out at most this often (the newest seq seen when they do). */
export const READ_THROTTLE_MS = 1000;

const pageVisible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden';

/** The server answered that it does not take this command over the socket. */
function unsupported(e: unknown): boolean {
  return e instanceof ApiError && e.code === 'bad_request' && /not supported/i.test(e.message);
}

function message(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : 'Something went wrong';
}

export class ChatClient {
  readonly store: ChatStore;
  readonly socket: ChatSocket;
  private readonly fetchEvents: NonNullable<ChatClientOptions['fetchEvents']>;
  private active: string | null = null;
  private readonly loading = new Map<string, Promise<void>>();
  private unwatch: (() => void) | null = null;
  private readonly restEdit: NonNullable<ChatClientOptions['restEdit']>;
  private readonly restDelete: NonNullable<ChatClientOptions['restDelete']>;
  private readonly isVisible: () => boolean;
  private readonly now: () => number;
  private typing: { room: string; sentAt: number } | null = null;
  private stopOutbox: (() => void) | null = null;
  private readTimer: { room: string; handle: ReturnType<typeof setTimeout> } | null = null;

  constructor(options: ChatClientOptions = {}) {
    this.store = options.store ?? createChatStore();
    this.fetchEvents = options.fetchEvents ?? getEvents;
    this.restEdit = options.restEdit ?? editMessage;
    this.restDelete = options.restDelete ?? deleteMessage;
    this.isVisible = options.isVisible ?? pageVisible;
    this.now = options.now ?? (() => Date.now());
    this.socket = new ChatSocket({
      url: options.socket?.url ?? defaultSocketUrl(),
      ...options.socket,
      store: this.store,
    });
  }

  get activeRoom(): string | null {
    return this.active;
  }

  start(): void {
    this.watchConnection();
    // Messages sent while offline, on this page or one before it (IndexedDB).
    const me = this.store.getState().me;
    if (me && !this.stopOutbox && typeof indexedDB !== 'undefined') {
      this.stopOutbox = keepOutbox(this.store, new Outbox(me.id), () => this.socket.resendPending());
    }
    this.socket.start();
  }

  stop(): void {
    this.stopOutbox?.();
    this.stopOutbox = null;
    this.unwatch?.();
    this.unwatch = null;
    if (this.readTimer !== null) clearTimeout(this.readTimer.handle);
    this.readTimer = null;
    this.socket.stop();
  }

  /** When the connection comes back, retries a history read that failed while it was down. */
  private watchConnection(): void {
    if (this.unwatch) return;
    let was = this.store.getState().connection.kind;
    this.unwatch = this.store.subscribe(() => {
      this.scheduleRead();
      const now = this.store.getState().connection.kind;
      if (now === was) return;
      was = now;
      const room = this.active;
      if (now !== 'connected' || !room) return;
      const t = this.store.getState().timelines[room];
      if (!t?.loaded) void this.loadHistory(room);
    });
  }

  /**
   * Makes `room` the open room: unsubscribes the previous one, loads history,
   * subscribes. `head`, the room's newest seq as the room list last saw it,
   * tells how far behind a timeline kept from an earlier visit is: more than
   * a room keeps in memory (MAX_EVENTS) and resuming would replay all of it
   * only to drop most; the timeline is read afresh from the newest page
   * instead ("Load older" reaches the rest).
   */
  async openRoom(room: string, opts: { head?: number } = {}): Promise<void> {
    if (this.active === room) return;
    const previous = this.active;
    this.setTyping(false);
    this.active = room;
    // A room is opened at its newest messages (the log scrolls there).
    this.setFollowing(room, true);
    if (previous) this.socket.unsubscribe(previous);
    const t = this.store.getState().timelines[room];
    if (t?.loaded && opts.head !== undefined && opts.head - t.synced > MAX_EVENTS) {
      this.store.dispatch({ type: 'timeline/reset', room });
    } else if (t?.loaded) {
      this.socket.subscribe(room);
      this.scheduleRead();
      return;
    }
    await this.loadHistory(room);
  }

  /** (Re)reads a room's recent history, then subscribes if it is still the open room. */
  loadHistory(room: string): Promise<void> {
    const inFlight = this.loading.get(room);
    if (inFlight) return inFlight;
    const p = (async () => {
      try {
        const page = await this.fetchEvents(room, {});
        this.store.dispatch({ type: 'history/loaded', room, events: page.events, hasMore: page.has_more });
        if (this.active === room) this.socket.subscribe(room);
      } catch (e) {
        this.store.dispatch({ type: 'history/failed', room, error: message(e) });
      } finally {
        this.loading.delete(room);
      }
    })();
    this.loading.set(room, p);
    return p;
  }

  /**
   * Follows the open room again after the server ended or refused its
   * subscription ("Join again", "Try again"). Subscribing joins a public room
   * again; resuming from the last seq replays what happened meanwhile. A
   * room the user may not follow answers with an error, shown in the room.
   */
  rejoin(room: string): void {
    if (this.active !== room) return;
    const t = this.store.getState().timelines[room];
    if (t?.loaded) this.socket.subscribe(room);
    else void this.loadHistory(room);
  }

  /**
   * The signed-in user as the app knows it. A change (a guest who registered)
   * is invisible to the open connection, whose user was fixed at `hello`:
   * connect again so that live frames carry the new identity.
   */
  setMe(user: User): void {
    const me = this.store.getState().me;
    // Absent and null/false fields mean the same: no spurious reconnect.
    if (
      me &&
      me.id === user.id &&
      me.name === user.name &&
      me.guest === user.guest &&
      (me.username ?? null) === (user.username ?? null) &&
      Boolean(me.admin) === Boolean(user.admin)
    ) {
      return;
    }
    this.store.dispatch({ type: 'me', user });
    this.socket.restart();
  }

  /** Whether the user is at the newest messages of `room` (older ones may then be dropped from memory). */
  setFollowing(room: string, following: boolean): void {
    this.store.dispatch({ type: 'view/following', room, following });
  }

  /** Loads the page before the oldest event held (scroll to top / "Load older messages"). */
  async loadOlder(room: string): Promise<void> {
    const state = this.store.getState();
    const t = state.timelines[room];
    if (!t || !t.loaded || !t.hasMore || t.loadingOlder) return;
    const before = oldestSeq(state, room);
    if (before === undefined) return;
    this.store.dispatch({ type: 'older/loading', room });
    try {
      const page = await this.fetchEvents(room, { before });
      this.store.dispatch({ type: 'older/loaded', room, events: page.events, hasMore: page.has_more });
    } catch (e) {
      this.store.dispatch({ type: 'older/failed', room, error: message(e) });
    }
  }

  send(body: string): string | null {
    if (!this.active) return null;
    this.setTyping(false);
    return this.socket.send(this.active, body);
  }

  /**
   * Edits a message (own, or any when moderating). Over the socket when it is
   * up; over REST when it is down or the server does not take `edit` there.
   * The resulting `edit` event arrives through the subscription either way;
   * a REST answer is shown at once but is out of band: the socket may have
   * missed events before it, so it must not move the resume point.
   */
  async editMessage(room: string, id: number, body: string): Promise<void> {
    if (this.socket.isOpen) {
      try {
        await this.socket.request({ type: 'edit', room, id, body });
        return;
      } catch (e) {
        if (!unsupported(e)) throw e;
      }
    }
    const event = await this.restEdit(room, id, body);
    this.store.dispatch({ type: 'events/out-of-band', room, events: [event] });
  }

  async deleteMessage(room: string, id: number): Promise<void> {
    if (this.socket.isOpen) {
      try {
        await this.socket.request({ type: 'delete', room, id });
        return;
      } catch (e) {
        if (!unsupported(e)) throw e;
      }
    }
    const event = await this.restDelete(room, id);
    this.store.dispatch({ type: 'events/out-of-band', room, events: [event] });
  }

  /**
   * The composer's typing state: `true` on each keystroke (sent at most every
   * TYPING_THROTTLE_MS, which also renews it for the others), `false` when the
   * box is cleared or the message is sent (sent once, if `true` was sent).
   */
  setTyping(active: boolean): void {
    const room = this.active;
    const now = this.now();
    if (!active || !room) {
      if (this.typing) this.socket.sendTyping(this.typing.room, false);
      this.typing = null;
      return;
    }
    if (this.typing && this.typing.room === room && now - this.typing.sentAt < TYPING_THROTTLE_MS) return;
    this.typing = { room, sentAt: now };
    this.socket.sendTyping(room, true);
  }

  /** Call when the page becomes visible again: marks the open room read. */
  pageShown(): void {
    this.scheduleRead();
  }

  /**
   * Sends `read` with the open room's `lastSeq` READ_THROTTLE_MS after the
   * first unread event, while the page is visible; records it in the store
   * too, which clears the room's unread badge. A throttle, not a debounce: in
   * a busy room events never pause for a second, and the marker must still
   * go out. Not the newest seq shown: events below an out-of-band one may not
   * have arrived yet. A marker that cannot go out (the socket is
   * reconnecting) is not recorded: the next store change after the
   * reconnect (the connection state) schedules it again.
   */
  private scheduleRead(): void {
    const room = this.active;
    if (!room || !this.isVisible()) return;
    const state = this.store.getState();
    const seq = lastSeq(state, room);
    if (seq === undefined || seq <= 0 || seq <= (state.readMarks[room] ?? 0)) return;
    // The waiting timer reads the newest seq when it fires.
    if (this.readTimer?.room === room) return;
    if (this.readTimer !== null) clearTimeout(this.readTimer.handle);
    const handle = setTimeout(() => {
      this.readTimer = null;
      if (this.active !== room || !this.isVisible()) return;
      const newest = lastSeq(this.store.getState(), room);
      if (newest === undefined) return;
      if (this.socket.sendRead(room, newest)) this.store.dispatch({ type: 'read/marked', room, seq: newest });
    }, READ_THROTTLE_MS);
    this.readTimer = { room, handle };
  }

  retry(nonce: string): void {
    this.socket.retry(nonce);
  }

  discard(nonce: string): void {
    this.store.dispatch({ type: 'pending/discarded', nonce });
  }
}
