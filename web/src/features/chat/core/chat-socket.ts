// The WebSocket connection to /api/v1/ws, as a plain class outside React.
//
// It owns the protocol life cycle: hello → welcome → subscribe (with `since` =
// the newest seq the store holds without a gap, `lastSeq`) → live events; on a
// drop it reconnects with jittered exponential backoff and resumes every room
// from there, then re-sends the still-pending messages with their original
// nonce (the server is idempotent per nonce, so nothing is posted twice).
// All state the UI shows lives in the ChatStore; this class only dispatches.

import { ApiError } from '../../../lib/api-client';
import { backoffDelay } from '../../../lib/backoff';
import { newNonce } from '../../../lib/nonce';
import { lastSeq, type ChatStore, type ConnectionState } from './chat-store';
import { parseServerFrame, toRoomEvent, type ClientFrame, type Req, type ServerFrame } from './protocol';

/** The part of the browser WebSocket this class uses (a fake one in tests). */
export type WebSocketLike = {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
};

type TimerHandle = ReturnType<typeof setTimeout>;

export type ChatSocketOptions = {
  url: string;
  store: ChatStore;
  createSocket?: (url: string) => WebSocketLike;
  /** Delay before reconnect attempt number `attempt` (0-based). */
  backoff?: (attempt: number) => number;
  now?: () => number;
  makeNonce?: () => string;
  /**
   * Called when the server closes with 1008 for a reason other than a late
   * `hello` (authentication failed, session ended). If it resolves `true`
   * (the session still holds, e.g. /me still answers a user), the socket
   * reconnects with backoff; otherwise it stays offline.
   */
  onAuthFailure?: () => Promise<boolean> | void;
  /** Called after repeated failed attempts that never reached `welcome`. */
  onRepeatedFailure?: () => void;
};

/** The 1008 reason that is our own slowness, not a lost session (protocol §3.6). */
export const NO_HELLO_IN_TIME = 'no hello in time';

/** Close codes of the wire contract. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tryAgainLater: 1013,
} as const;

const PENDING_RETRY_MS = 1000;
/**
 * A connection counts as a success, and the backoff starts over, only once it
 * has stayed up this long: a server that welcomes and then closes at once
 * (1011, a replay it cannot read; 1013 again and again) is retried ever more
 * slowly, like one that refuses the connection.
 */
export const STABLE_CONNECTION_MS = 10_000;
/** A typing indicator disappears when it is not renewed within this time. */
export const TYPING_TTL_MS = 6000;

/** The commands answered by `ack` or `error` that callers wait for. */
export type RequestFrame =
  | { type: 'edit'; room: string; id: number; body: string }
  | { type: 'delete'; room: string; id: number };

export type AckFrame = Extract<ServerFrame, { type: 'ack' }>;

type Waiter = { resolve: (ack: AckFrame) => void; reject: (e: ApiError) => void };

export class ChatSocket {
  private readonly opts: Required<Omit<ChatSocketOptions, 'onAuthFailure' | 'onRepeatedFailure'>> &
    Pick<ChatSocketOptions, 'onAuthFailure' | 'onRepeatedFailure'>;
  private ws: WebSocketLike | null = null;
  private welcomed = false;
  private running = false;
  /** Backoff step: reset by a connection that stayed up STABLE_CONNECTION_MS. */
  private attempt = 0;
  /** Attempts since the last `welcome` (for onRepeatedFailure). */
  private failures = 0;
  /** When the current (or last) connection was welcomed; null once its drop is handled. */
  private upSince: number | null = null;
  /** The connection was lost and not welcomed again yet: every attempt shows as "Reconnecting". */
  private retrying = false;
  private retryTimer: TimerHandle | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private byeReconnect: boolean | null = null;
  private reqCounter = 0;
  /** Rooms to keep subscribed; re-subscribed on every welcome. */
  private readonly rooms = new Set<string>();
  /** req of an in-flight `subscribe` → its room, to match a refusal. */
  private readonly subscribeReqs = new Map<Req, string>();
  /** Bumped whenever a connection attempt starts or the socket stops: an older session check is void. */
  private generation = 0;
  /** req of an in-flight `send` → its nonce, to match `ack` and `error`. */
  private readonly sendReqs = new Map<Req, string>();
  private readonly resendTimers = new Set<TimerHandle>();
  /** req of an in-flight edit/delete → its promise. */
  private readonly waiters = new Map<Req, Waiter>();
  private readonly typingTimers = new Map<string, TimerHandle>();

  constructor(options: ChatSocketOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      backoff: (attempt) => backoffDelay(attempt),
      now: () => Date.now(),
      makeNonce: newNonce,
      ...options,
    };
  }

  get isOpen(): boolean {
    return this.welcomed;
  }

  subscribedRooms(): string[] {
    return [...this.rooms];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.failures = 0;
    this.retrying = false;
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    this.clearRetry();
    this.stopHeartbeat();
    for (const t of this.resendTimers) clearTimeout(t);
    this.resendTimers.clear();
    for (const t of this.typingTimers.values()) clearTimeout(t);
    this.typingTimers.clear();
    const ws = this.ws;
    this.detach();
    ws?.close(CloseCode.normal, 'bye');
    this.dispatchConnection({ kind: 'idle' });
  }

  /** Skips the remaining backoff wait (e.g. when the browser comes back online). */
  reconnectNow(): void {
    if (!this.running || this.ws) return;
    this.clearRetry();
    this.connect();
  }

  /**
   * Connects again at once, e.g. because the user's identity changed: the
   * server fixes a connection's user at `hello`. Every room resumes from its
   * last seq and pending messages are re-sent with their nonce, so nothing
   * is lost or doubled.
   */
  restart(): void {
    if (!this.running) return;
    const ws = this.ws;
    this.detach();
    this.stopHeartbeat();
    this.clearRetry();
    ws?.close(CloseCode.normal, 'reconnecting');
    this.attempt = 0;
    this.failures = 0;
    this.upSince = null;
    this.retrying = false;
    this.connect();
  }

  /** Subscribes a room whose history the store already holds (since = its last seq). */
  subscribe(room: string): void {
    this.rooms.add(room);
    // Following it again: a later `left` (from another tab) is news again.
    if (this.opts.store.getState().leaving.includes(room)) {
      this.opts.store.dispatch({ type: 'room/leaving', room, active: false });
    }
    // Subscribing again is how a removed or refused room is followed again.
    if (this.opts.store.getState().timelines[room]?.ended) {
      this.opts.store.dispatch({ type: 'room/resubscribing', room });
    }
    if (this.welcomed) {
      this.sendSubscribe(room);
      // Held until now: see `mayPost`.
      for (const p of this.opts.store.getState().pending) {
        if (p.room === room && p.state === 'pending') this.sendPending(p.nonce);
      }
    }
  }

  unsubscribe(room: string): void {
    if (!this.rooms.delete(room)) return;
    if (this.welcomed) this.transmit({ type: 'unsubscribe', room, req: this.nextReq() });
  }

  /** Queues a message; it stays pending until its ack or event arrives. Returns its nonce. */
  send(room: string, body: string): string | null {
    if (body.trim() === '') return null;
    const nonce = this.opts.makeNonce();
    this.opts.store.dispatch({ type: 'pending/added', message: { nonce, room, body, state: 'pending' } });
    if (this.welcomed) this.sendPending(nonce);
    return nonce;
  }

  /** Sends every pending message the socket may send now (e.g. restored from the outbox). */
  resendPending(): void {
    if (!this.welcomed) return;
    for (const p of this.opts.store.getState().pending) {
      if (p.state === 'pending' && ![...this.sendReqs.values()].includes(p.nonce)) this.sendPending(p.nonce);
    }
  }

  /** Sends a failed message again, with its original nonce. */
  retry(nonce: string): void {
    this.opts.store.dispatch({ type: 'pending/retry', nonce });
    if (this.welcomed) this.sendPending(nonce);
  }

  /** Sends an edit or delete; resolves on its ack, rejects with the server's error. */
  request(frame: RequestFrame): Promise<AckFrame> {
    if (!this.welcomed) {
      return Promise.reject(new ApiError(0, 'unavailable', 'Not connected.'));
    }
    const req = this.nextReq();
    return new Promise<AckFrame>((resolve, reject) => {
      this.waiters.set(req, { resolve, reject });
      this.transmit({ ...frame, req });
    });
  }

  /** Typing is best effort: dropped while disconnected. */
  sendTyping(room: string, active: boolean): void {
    if (this.welcomed) this.transmit({ type: 'typing', room, active });
  }

  /**
   * Sends a read marker if connected. Returns whether it went out: one that
   * did not must be sent again later (the caller keeps it unrecorded).
   */
  sendRead(room: string, seq: number): boolean {
    if (!this.welcomed) return false;
    this.transmit({ type: 'read', room, seq });
    return true;
  }

  // ---- connection life cycle ----

  private connect(): void {
    this.retryTimer = null;
    this.generation += 1;
    this.byeReconnect = null;
    this.dispatchAttempt();
    let ws: WebSocketLike;
    try {
      ws = this.opts.createSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.opts.now();
      this.transmit({ type: 'hello' });
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      const frame = parseServerFrame(ev.data);
      if (frame) this.handleFrame(frame);
    };
    ws.onerror = () => {
      // A close event always follows; reconnecting is decided there.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.handleClose(ev.code, ev.reason ?? '');
    };
  }

  private detach(): void {
    const ws = this.ws;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    }
    this.ws = null;
    this.welcomed = false;
    this.sendReqs.clear();
    this.subscribeReqs.clear();
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const w of waiters) w.reject(new ApiError(0, 'unavailable', 'The connection was lost.'));
  }

  private handleClose(code: number, reason: string): void {
    const bye = this.byeReconnect;
    this.detach();
    this.stopHeartbeat();
    if (!this.running) return;
    this.retrying = true;
    // A late `hello` (a stalled tab, a slow link) ends only this connection.
    if (code === CloseCode.policy && reason !== NO_HELLO_IN_TIME) {
      this.checkSession();
      return;
    }
    if (bye === false) {
      this.running = false;
      this.dispatchConnection({ kind: 'offline', reason: 'Closed by the server' });
      return;
    }
    // 1013 (too slow), 1001 (server restart), `bye` with reconnect and plain
    // network drops all resume the same way: from the last seq of each room.
    this.scheduleReconnect();
  }

  /**
   * After a 1008 the session may be gone (sign in again) or not (a token
   * revoked, not this cookie): only the app can tell, and while it cannot,
   * reconnecting with backoff is better than a chat that stays offline.
   */
  private checkSession(): void {
    const outcome = this.opts.onAuthFailure?.();
    if (!outcome) {
      this.running = false;
      this.dispatchConnection({ kind: 'offline', reason: 'Signed out' });
      return;
    }
    const generation = this.generation;
    this.dispatchAttempt();
    const decide = (stillSignedIn: boolean) => {
      if (!this.running || generation !== this.generation || this.ws || this.retryTimer !== null) return;
      if (stillSignedIn) {
        this.scheduleReconnect();
      } else {
        this.running = false;
        this.dispatchConnection({ kind: 'offline', reason: 'Signed out' });
      }
    };
    outcome.then(decide, () => decide(true));
  }

  private scheduleReconnect(): void {
    this.ws = null;
    this.retrying = true;
    const now = this.opts.now();
    if (this.upSince !== null && now - this.upSince >= STABLE_CONNECTION_MS) this.attempt = 0;
    this.upSince = null;
    const delay = Math.max(0, this.opts.backoff(this.attempt));
    this.attempt += 1;
    this.failures += 1;
    if (this.failures >= 3 && this.failures % 3 === 0) this.opts.onRepeatedFailure?.();
    this.dispatchConnection({ kind: 'reconnecting', retryAt: now + delay, since: now });
    this.clearRetry();
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /**
   * The state while an attempt is under way. After a drop, every attempt
   * keeps the label "Reconnecting" (an attempt due now), so that the status
   * region, which speaks each change, does not flip between "Connecting…"
   * and "Reconnecting" on every retry.
   */
  private dispatchAttempt(): void {
    if (!this.retrying) {
      this.dispatchConnection({ kind: 'connecting' });
      return;
    }
    const now = this.opts.now();
    this.dispatchConnection({ kind: 'reconnecting', retryAt: now, since: now });
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    if (!(intervalMs > 0)) return;
    this.heartbeatTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      if (this.opts.now() - this.lastFrameAt > 2 * intervalMs) {
        // No frame, not even a pong, for two intervals: the link is dead even
        // if the browser has not noticed. Drop it and resume.
        this.detach();
        ws.close(4000, 'heartbeat timeout');
        this.stopHeartbeat();
        if (this.running) this.scheduleReconnect();
        return;
      }
      this.transmit({ type: 'ping' });
    }, intervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  // ---- frames ----

  private handleFrame(frame: ServerFrame): void {
    const { store } = this.opts;
    this.lastFrameAt = this.opts.now();
    switch (frame.type) {
      case 'welcome': {
        this.welcomed = true;
        this.failures = 0;
        this.retrying = false;
        this.upSince = this.opts.now();
        store.dispatch({ type: 'welcome', user: frame.user, limits: frame.limits });
        this.dispatchConnection({ kind: 'connected' });
        this.startHeartbeat(frame.heartbeat_ms);
        for (const room of this.rooms) this.sendSubscribe(room);
        for (const p of store.getState().pending) {
          if (p.state === 'pending') this.sendPending(p.nonce);
        }
        break;
      }
      case 'subscribed':
        if (frame.re !== undefined) this.subscribeReqs.delete(frame.re);
        store.dispatch({ type: 'room/subscribed', room: frame.room });
        store.dispatch({ type: 'presence/set', room: frame.room, users: frame.presence ?? [] });
        break;
      case 'event':
        store.dispatch({ type: 'events/received', room: frame.room, events: [toRoomEvent(frame)] });
        break;
      case 'ack': {
        const waiter = frame.re !== undefined ? this.waiters.get(frame.re) : undefined;
        if (waiter) {
          this.waiters.delete(frame.re as Req);
          waiter.resolve(frame);
          break;
        }
        const nonce = frame.re !== undefined ? this.sendReqs.get(frame.re) : undefined;
        if (nonce === undefined) break;
        this.sendReqs.delete(frame.re as Req);
        store.dispatch({
          type: 'pending/acked',
          nonce,
          room: frame.room,
          seq: frame.seq,
          id: frame.id,
          ts: frame.ts,
        });
        break;
      }
      case 'error': {
        const waiter = frame.re !== undefined ? this.waiters.get(frame.re) : undefined;
        if (waiter) {
          this.waiters.delete(frame.re as Req);
          waiter.reject(new ApiError(0, frame.code, frame.message || frame.code));
          break;
        }
        const refused = frame.re !== undefined ? this.subscribeReqs.get(frame.re) : undefined;
        if (refused !== undefined) {
          this.subscribeReqs.delete(frame.re as Req);
          this.refused(refused, frame.code, frame.message || frame.code);
          break;
        }
        const nonce = frame.re !== undefined ? this.sendReqs.get(frame.re) : undefined;
        if (nonce === undefined) break;
        this.sendReqs.delete(frame.re as Req);
        if (frame.code === 'rate_limited' || frame.code === 'unavailable') {
          const t = setTimeout(() => {
            this.resendTimers.delete(t);
            if (this.welcomed) this.sendPending(nonce);
          }, frame.retry_after_ms ?? PENDING_RETRY_MS);
          this.resendTimers.add(t);
        } else {
          store.dispatch({ type: 'pending/failed', nonce, error: frame.message || frame.code });
        }
        break;
      }
      case 'presence':
        store.dispatch({
          type: 'presence/changed',
          room: frame.room,
          joined: frame.joined ?? [],
          left: frame.left ?? [],
        });
        break;
      case 'bye':
        this.byeReconnect = frame.reconnect;
        break;
      case 'unsubscribed':
        // A reply to our own unsubscribe has no reason; a reason means the
        // server ended it (kicked, banned, left in another tab): stop resuming it.
        if (frame.reason) {
          this.rooms.delete(frame.room);
          store.dispatch({ type: 'room/removed', room: frame.room, reason: frame.reason });
        }
        break;
      case 'typing': {
        const until = this.opts.now() + TYPING_TTL_MS;
        store.dispatch({ type: 'typing/received', room: frame.room, user: frame.user, active: frame.active, until });
        const key = `${frame.room}\u0000${frame.user.id}`;
        const old = this.typingTimers.get(key);
        if (old !== undefined) clearTimeout(old);
        this.typingTimers.delete(key);
        if (frame.active) {
          const room = frame.room;
          const userId = frame.user.id;
          this.typingTimers.set(
            key,
            setTimeout(() => {
              this.typingTimers.delete(key);
              store.dispatch({ type: 'typing/expired', room, userId, now: this.opts.now() });
            }, TYPING_TTL_MS),
          );
        }
        break;
      }
      case 'read':
        store.dispatch({ type: 'read/marked', room: frame.room, seq: frame.seq });
        break;
      case 'pong':
        break;
    }
  }

  private sendSubscribe(room: string): void {
    const since = lastSeq(this.opts.store.getState(), room);
    const req = this.nextReq();
    this.subscribeReqs.set(req, room);
    const frame: ClientFrame = { type: 'subscribe', room, req };
    if (since !== undefined) frame.since = since;
    this.transmit(frame);
  }

  /**
   * A `subscribe` answered with `error`. `conflict` means the subscription
   * is live already. Anything else (banned, not a member, no such room) is
   * shown in the room and the room is not subscribed again on every
   * reconnect; subscribing again (the user's "Try again") asks once more.
   */
  private refused(room: string, code: string, message: string): void {
    if (code === 'conflict') {
      this.opts.store.dispatch({ type: 'room/subscribed', room });
      return;
    }
    this.rooms.delete(room);
    this.opts.store.dispatch({ type: 'room/refused', room, code, message });
  }

  /**
   * Whether a message for `room` may go out now. Subscribing is what joins a
   * public room, and the server handles a connection's frames in order, so a
   * message sent after the room's `subscribe` is never refused with "join the
   * room first". A room whose history is still loading has no subscribe yet:
   * its messages wait for it (`subscribe` sends them). A room the user has
   * been in (history loaded) but no longer follows takes them at once.
   */
  private mayPost(room: string): boolean {
    return this.rooms.has(room) || this.opts.store.getState().timelines[room]?.loaded === true;
  }

  private sendPending(nonce: string): void {
    const p = this.opts.store.getState().pending.find((m) => m.nonce === nonce);
    if (!p || p.state !== 'pending' || !this.mayPost(p.room)) return;
    for (const [req, n] of this.sendReqs) if (n === nonce) this.sendReqs.delete(req);
    const req = this.nextReq();
    this.sendReqs.set(req, nonce);
    this.transmit({ type: 'send', room: p.room, body: p.body, nonce: p.nonce, req });
  }

  private transmit(frame: ClientFrame): void {
    try {
      this.ws?.send(JSON.stringify(frame));
    } catch {
      // The socket is closing; its close event triggers the reconnect.
    }
  }

  private nextReq(): number {
    this.reqCounter += 1;
    return this.reqCounter;
  }

  private dispatchConnection(connection: ConnectionState): void {
    const current = this.opts.store.getState().connection;
    if (JSON.stringify(current) === JSON.stringify(connection)) return;
    this.opts.store.dispatch({ type: 'connection', connection });
  }
}

/** The WebSocket URL of the current page's origin (ws: or wss: to match http: or https:). */
export function defaultSocketUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/ws`;
}
