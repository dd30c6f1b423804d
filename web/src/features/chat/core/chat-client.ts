// The chat feature's facade: the store, the socket and the history REST calls
// composed. Opening a room reads its recent history over REST first and only
// then subscribes with `since` = the newest seq read, so no event falls in
// between. A room opened before keeps its timeline and resumes from its last
// seq without re-reading history.

import { ApiError } from '../../../lib/api-client';
import { getEvents, type EventsPage } from '../api/get-events';
import { createChatStore, oldestSeq, type ChatStore } from './chat-store';
import { ChatSocket, defaultSocketUrl, type ChatSocketOptions } from './chat-socket';

export type ChatClientOptions = {
  store?: ChatStore;
  fetchEvents?: (room: string, params: { before?: number; limit?: number }) => Promise<EventsPage>;
  socket?: Partial<Omit<ChatSocketOptions, 'store'>>;
};

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

  constructor(options: ChatClientOptions = {}) {
    this.store = options.store ?? createChatStore();
    this.fetchEvents = options.fetchEvents ?? getEvents;
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
    this.socket.start();
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
    this.socket.stop();
  }

  /** When the connection comes back, retries a history read that failed while it was down. */
  private watchConnection(): void {
    if (this.unwatch) return;
    let was = this.store.getState().connection.kind;
    this.unwatch = this.store.subscribe(() => {
      const now = this.store.getState().connection.kind;
      if (now === was) return;
      was = now;
      const room = this.active;
      if (now !== 'connected' || !room) return;
      const t = this.store.getState().timelines[room];
      if (!t?.loaded) void this.loadHistory(room);
    });
  }

  /** Makes `room` the open room: unsubscribes the previous one, loads history, subscribes. */
  async openRoom(room: string): Promise<void> {
    if (this.active === room) return;
    const previous = this.active;
    this.active = room;
    if (previous) this.socket.unsubscribe(previous);
    const t = this.store.getState().timelines[room];
    if (t?.loaded) {
      this.socket.subscribe(room);
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
    return this.socket.send(this.active, body);
  }

  retry(nonce: string): void {
    this.socket.retry(nonce);
  }

  discard(nonce: string): void {
    this.store.dispatch({ type: 'pending/discarded', nonce });
  }
}
