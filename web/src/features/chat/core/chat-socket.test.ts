import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../../../test/fake-websocket';
import { alice, ev } from '../../../test/fixtures';
import { ChatSocket, defaultSocketUrl, STABLE_CONNECTION_MS } from './chat-socket';
import { createChatStore, initialChatState, type ChatStore } from './chat-store';

let store: ChatStore;
let nonces: number;

function makeSocket(extra: Partial<ConstructorParameters<typeof ChatSocket>[0]> = {}) {
  return new ChatSocket({
    url: 'ws://test/api/v1/ws',
    store,
    createSocket: (url) => new FakeWebSocket(url),
    backoff: (attempt) => 1000 * (attempt + 1),
    makeNonce: () => `nonce-${++nonces}`,
    ...extra,
  });
}

function connect(socket: ChatSocket): FakeWebSocket {
  socket.start();
  const ws = FakeWebSocket.latest();
  ws.open();
  ws.receive(welcomeFrame());
  return ws;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  store = createChatStore({ ...initialChatState, me: alice });
  nonces = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ChatSocket handshake', () => {
  it('sends hello first, and subscribes only after welcome, with since = newest seq held', () => {
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2), ev(7)], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('lobby');
    socket.start();
    const ws = FakeWebSocket.latest();
    expect(ws.url).toBe('ws://test/api/v1/ws');
    expect(store.getState().connection.kind).toBe('connecting');
    ws.open();
    expect(ws.sent).toEqual([{ type: 'hello' }]);

    ws.receive(welcomeFrame());
    expect(store.getState().connection.kind).toBe('connected');
    expect(ws.sent[1]).toMatchObject({ type: 'subscribe', room: 'lobby', since: 7 });
  });

  it('subscribes a room opened while connected right away', () => {
    const socket = makeSocket();
    const ws = connect(socket);
    store.dispatch({ type: 'history/loaded', room: 'rust', events: [ev(3, { room: 'rust' })], hasMore: false });
    socket.subscribe('rust');
    expect(ws.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'rust', since: 3 })]);
  });

  it('unsubscribes the old room when switching', () => {
    const socket = makeSocket();
    const ws = connect(socket);
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [], hasMore: false });
    socket.subscribe('lobby');
    socket.unsubscribe('lobby');
    expect(ws.sentOfType('unsubscribe')).toEqual([expect.objectContaining({ room: 'lobby' })]);
    expect(socket.subscribedRooms()).toEqual([]);
  });

  it('stores live events and de-duplicates replays', () => {
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('lobby');
    const ws = connect(socket);
    ws.receive({ type: 'subscribed', room: 'lobby', head: 2, presence: [alice] });
    ws.receive({ type: 'event', ...ev(1) });
    ws.receive({ type: 'event', ...ev(2) });
    ws.receive({ type: 'event', ...ev(2) });
    ws.receive({ type: 'garbage' });
    const events = store.getState().timelines.lobby.events;
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(events[1]).not.toHaveProperty('type');
    expect(store.getState().presence.lobby).toEqual([alice]);
  });
});

describe('ChatSocket sending', () => {
  it('sends with a fresh nonce and keeps the message pending until the ack', () => {
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [], hasMore: false });
    const socket = makeSocket();
    const ws = connect(socket);
    expect(socket.send('lobby', '   ')).toBeNull();
    const nonce = socket.send('lobby', 'hello');
    const nonce2 = socket.send('lobby', 'again');
    expect(nonce).not.toBe(nonce2);
    const sends = ws.sentOfType('send');
    expect(sends).toEqual([
      expect.objectContaining({ room: 'lobby', body: 'hello', nonce }),
      expect.objectContaining({ room: 'lobby', body: 'again', nonce: nonce2 }),
    ]);
    expect(store.getState().pending.map((p) => p.body)).toEqual(['hello', 'again']);

    ws.receive({ type: 'ack', re: sends[0].req, room: 'lobby', seq: 1, id: 11, ts: '2026-11-26T12:00:00Z' });
    expect(store.getState().pending.map((p) => p.body)).toEqual(['again']);
    expect(store.getState().timelines.lobby.events).toEqual([
      expect.objectContaining({ seq: 1, body: 'hello', author: { id: alice.id, name: alice.name } }),
    ]);
  });

  it('queues messages typed while offline and sends them after welcome, after the subscribe', () => {
    const socket = makeSocket();
    socket.subscribe('lobby');
    socket.start();
    const ws = FakeWebSocket.latest();
    const nonce = socket.send('lobby', 'early');
    ws.open();
    expect(ws.sentOfType('send')).toEqual([]);
    ws.receive(welcomeFrame());
    expect(ws.sentOfType('send')).toEqual([expect.objectContaining({ nonce, body: 'early' })]);
    expect(ws.sent.map((f) => f.type)).toEqual(['hello', 'subscribe', 'send']);
  });

  it('holds a message for a room whose history is still loading until its subscribe is sent', () => {
    // A new guest types before the lobby's history has loaded: sent first,
    // the message would reach the server before the subscribe that joins them.
    const socket = makeSocket();
    const ws = connect(socket);
    const nonce = socket.send('lobby', 'first words');
    expect(ws.sentOfType('send')).toEqual([]);
    expect(store.getState().pending.map((p) => p.state)).toEqual(['pending']);
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [], hasMore: false });
    socket.subscribe('lobby');
    expect(ws.sent.map((f) => f.type)).toEqual(['hello', 'subscribe', 'send']);
    expect(ws.sentOfType('send')).toEqual([expect.objectContaining({ nonce, body: 'first words' })]);
  });

  it('marks a rejected message failed, and retries a rate-limited one after retry_after_ms', () => {
    const socket = makeSocket();
    socket.subscribe('lobby');
    const ws = connect(socket);
    socket.send('lobby', 'x'.repeat(10));
    socket.send('lobby', 'slow down');
    const [a, b] = ws.sentOfType('send');
    ws.receive({ type: 'error', re: a.req, code: 'too_large', message: 'too long' });
    ws.receive({ type: 'error', re: b.req, code: 'rate_limited', message: 'slow', retry_after_ms: 500 });
    expect(store.getState().pending.map((p) => p.state)).toEqual(['failed', 'pending']);
    vi.advanceTimersByTime(500);
    const again = ws.sentOfType('send');
    expect(again).toHaveLength(3);
    expect(again[2]).toMatchObject({ nonce: b.nonce, body: 'slow down' });
    expect(again[2].req).not.toBe(b.req);
  });
});

describe('ChatSocket reconnect', () => {
  it('reconnects with backoff after a drop, resumes from the last seq, resends pending with the same nonce', () => {
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2)], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('lobby');
    const ws1 = connect(socket);
    ws1.receive({ type: 'event', ...ev(3) });
    const nonce = socket.send('lobby', 'are you there?');
    expect(ws1.sentOfType('send')).toHaveLength(1);

    ws1.drop(1006);
    const c = store.getState().connection;
    expect(c.kind).toBe('reconnecting');
    expect(c.kind === 'reconnecting' && c.retryAt - Date.now()).toBe(1000);
    expect(FakeWebSocket.instances).toHaveLength(1);

    vi.advanceTimersByTime(999);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const ws2 = FakeWebSocket.latest();
    expect(ws2).not.toBe(ws1);
    ws2.open();
    expect(ws2.sent).toEqual([{ type: 'hello' }]);
    ws2.receive(welcomeFrame());
    expect(ws2.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 3 })]);
    expect(ws2.sentOfType('send')).toEqual([
      expect.objectContaining({ room: 'lobby', body: 'are you there?', nonce }),
    ]);
    // The replay and the re-sent message's event are shown once each.
    ws2.receive({ type: 'event', ...ev(3) });
    ws2.receive({ type: 'event', ...ev(4, { author: alice, body: 'are you there?', nonce }) });
    ws2.receive({ type: 'ack', re: ws2.sentOfType('send')[0].req, room: 'lobby', seq: 4, id: 104, ts: 'x' });
    expect(store.getState().timelines.lobby.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(store.getState().pending).toEqual([]);
  });

  const delay = () => {
    const c = store.getState().connection;
    return c.kind === 'reconnecting' ? c.retryAt - Date.now() : null;
  };

  it('grows the delay while attempts fail and resets it after a connection that stayed up', () => {
    const socket = makeSocket();
    socket.start();
    FakeWebSocket.latest().drop(1006);
    vi.advanceTimersByTime(1000);
    FakeWebSocket.latest().drop(1006);
    expect(delay()).toBe(2000);
    vi.advanceTimersByTime(2000);
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());
    vi.advanceTimersByTime(STABLE_CONNECTION_MS);
    ws.drop(1006);
    expect(delay()).toBe(1000);
  });

  it('keeps growing the delay when the server welcomes and closes at once (1011, 1013 again and again)', () => {
    const onRepeatedFailure = vi.fn();
    const socket = makeSocket({ onRepeatedFailure });
    socket.subscribe('lobby');
    const ws1 = connect(socket);
    ws1.receive({ type: 'subscribed', room: 'lobby', head: 0, presence: [] });
    ws1.drop(1011, 'could not read history: resume');
    expect(delay()).toBe(1000);
    const delays: (number | null)[] = [];
    for (const code of [1013, 1013, 1013]) {
      vi.advanceTimersByTime(delay() ?? 0);
      const ws = FakeWebSocket.latest();
      ws.open();
      ws.receive(welcomeFrame());
      ws.receive({ type: 'subscribed', room: 'lobby', head: 0, presence: [] });
      vi.advanceTimersByTime(500);
      ws.drop(code, 'too slow: resume from your last seq');
      delays.push(delay());
    }
    expect(delays).toEqual([2000, 3000, 4000]);
    // Each was welcomed: the session is fine, nothing to check.
    expect(onRepeatedFailure).not.toHaveBeenCalled();
  });

  it('says "Reconnecting" through every attempt after a drop, never "Connecting…" again until connected', () => {
    const socket = makeSocket();
    const kinds: string[] = [];
    const ws1 = connect(socket);
    const off = store.subscribe(() => kinds.push(store.getState().connection.kind));
    ws1.drop(1006);
    vi.advanceTimersByTime(1000);
    FakeWebSocket.latest().drop(1006);
    vi.advanceTimersByTime(2000);
    expect(FakeWebSocket.instances).toHaveLength(3);
    // The third attempt is under way: due now, still "Reconnecting".
    expect(delay()).toBe(0);
    const ws3 = FakeWebSocket.latest();
    ws3.open();
    ws3.receive(welcomeFrame());
    off();
    expect(kinds.filter((k, i) => k !== kinds[i - 1])).toEqual(['reconnecting', 'connected']);
  });

  it('resumes after close 1013 (too slow) from the last seq', () => {
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [ev(5)], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('lobby');
    const ws = connect(socket);
    ws.receive({ type: 'event', ...ev(6) });
    ws.drop(1013);
    vi.advanceTimersByTime(1000);
    const ws2 = FakeWebSocket.latest();
    ws2.open();
    ws2.receive(welcomeFrame());
    expect(ws2.sentOfType('subscribe')).toEqual([expect.objectContaining({ since: 6 })]);
  });

  it('reconnects after bye with reconnect:true, and stays offline after reconnect:false', () => {
    const socket = makeSocket();
    const ws = connect(socket);
    ws.receive({ type: 'bye', reason: 'shutdown', reconnect: true });
    ws.drop(1001);
    expect(store.getState().connection.kind).toBe('reconnecting');
    vi.advanceTimersByTime(1000);
    const ws2 = FakeWebSocket.latest();
    expect(ws2).not.toBe(ws);
    ws2.open();
    ws2.receive(welcomeFrame());
    ws2.receive({ type: 'bye', reason: 'kicked', reconnect: false });
    ws2.drop(1000);
    expect(store.getState().connection.kind).toBe('offline');
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.latest()).toBe(ws2);
  });

  it('goes offline and reports on close 1008 (auth failure)', () => {
    const onAuthFailure = vi.fn();
    const socket = makeSocket({ onAuthFailure });
    const ws = connect(socket);
    ws.drop(1008);
    expect(store.getState().connection).toEqual({ kind: 'offline', reason: 'Signed out' });
    expect(onAuthFailure).toHaveBeenCalledOnce();
  });

  it('reconnects after 1008 "no hello in time": only this connection was too slow', () => {
    const onAuthFailure = vi.fn(async () => false);
    const socket = makeSocket({ onAuthFailure });
    socket.subscribe('lobby');
    const ws = connect(socket);
    ws.drop(1008, 'no hello in time');
    expect(onAuthFailure).not.toHaveBeenCalled();
    expect(store.getState().connection.kind).toBe('reconnecting');
    vi.advanceTimersByTime(1000);
    const ws2 = FakeWebSocket.latest();
    expect(ws2).not.toBe(ws);
    ws2.open();
    expect(ws2.sent).toEqual([{ type: 'hello' }]);
  });

  it('after another 1008, reconnects with backoff when the session still holds', async () => {
    const onAuthFailure = vi.fn(async () => true);
    const socket = makeSocket({ onAuthFailure });
    const ws = connect(socket);
    ws.drop(1008, 'session ended');
    expect(onAuthFailure).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().connection.kind).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeWebSocket.latest()).toBe(ws);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.latest()).not.toBe(ws);
  });

  it('after a 1008, stays offline when the session is gone', async () => {
    const socket = makeSocket({ onAuthFailure: async () => false });
    const ws = connect(socket);
    ws.drop(1008, 'authentication failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.getState().connection).toEqual({ kind: 'offline', reason: 'Signed out' });
    expect(FakeWebSocket.latest()).toBe(ws);
  });

  it('ignores a session check that ends after stop', async () => {
    let answer!: (v: boolean) => void;
    const socket = makeSocket({ onAuthFailure: () => new Promise<boolean>((r) => (answer = r)) });
    const ws = connect(socket);
    ws.drop(1008, 'session ended');
    socket.stop();
    answer(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(store.getState().connection.kind).toBe('idle');
  });

  it('restart connects again at once and resumes every room and pending message', () => {
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2)], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('lobby');
    const ws = connect(socket);
    ws.close = vi.fn();
    socket.send('lobby', 'in flight');
    socket.restart();
    expect(ws.close).toHaveBeenCalledWith(1000, 'reconnecting');
    const ws2 = FakeWebSocket.latest();
    expect(ws2).not.toBe(ws);
    // The old connection's late frames are not taken for the new one's.
    ws.receive({ type: 'event', ...ev(9) });
    expect(store.getState().timelines.lobby.events.map((e) => e.seq)).toEqual([1, 2]);
    ws2.open();
    ws2.receive(welcomeFrame({ id: 1, name: 'alice', guest: false }));
    expect(ws2.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 2 })]);
    expect(ws2.sentOfType('send')).toEqual([expect.objectContaining({ body: 'in flight', nonce: 'nonce-1' })]);
    expect(store.getState().me).toMatchObject({ guest: false });
  });

  it('detects a dead link by the heartbeat and reconnects', () => {
    const socket = makeSocket();
    const ws = connect(socket);
    vi.advanceTimersByTime(30_000);
    expect(ws.sentOfType('ping')).toHaveLength(1);
    vi.advanceTimersByTime(30_001);
    vi.advanceTimersByTime(30_000);
    expect(ws.closed).not.toBeNull();
    expect(store.getState().connection.kind).toBe('reconnecting');
  });

  it('does not reconnect after stop, and ignores the old socket', () => {
    const socket = makeSocket();
    const ws = connect(socket);
    socket.stop();
    expect(ws.closed?.code).toBe(1000);
    ws.drop(1006);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('reconnectNow skips the wait', () => {
    const socket = makeSocket();
    socket.start();
    FakeWebSocket.latest().drop(1006);
    socket.reconnectNow();
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe('defaultSocketUrl', () => {
  it('follows the page scheme and host', () => {
    expect(defaultSocketUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/api/v1/ws');
    expect(defaultSocketUrl({ protocol: 'https:', host: 'chat.example' })).toBe('wss://chat.example/api/v1/ws');
  });
});


describe('ChatSocket edit, delete, typing, read, removal', () => {
  it('resolves an edit on its ack and rejects a delete with the server’s error', async () => {
    const socket = makeSocket();
    const ws = connect(socket);
    const edit = socket.request({ type: 'edit', room: 'lobby', id: 7, body: 'fixed' });
    const del = socket.request({ type: 'delete', room: 'lobby', id: 8 });
    const [e, d] = ws.sent.slice(-2);
    expect(e).toMatchObject({ type: 'edit', room: 'lobby', id: 7, body: 'fixed' });
    expect(d).toMatchObject({ type: 'delete', room: 'lobby', id: 8 });
    ws.receive({ type: 'ack', re: e.req, room: 'lobby', seq: 9, id: 9, ts: 't' });
    ws.receive({ type: 'error', re: d.req, code: 'forbidden', message: 'not yours' });
    await expect(edit).resolves.toMatchObject({ seq: 9 });
    await expect(del).rejects.toMatchObject({ code: 'forbidden', message: 'not yours' });
  });

  it('rejects requests when not connected, and those in flight when the connection drops', async () => {
    const socket = makeSocket();
    await expect(socket.request({ type: 'delete', room: 'lobby', id: 1 })).rejects.toMatchObject({
      code: 'unavailable',
    });
    const ws = connect(socket);
    const p = socket.request({ type: 'delete', room: 'lobby', id: 1 });
    ws.drop(1006);
    await expect(p).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('sends typing and read only while connected', () => {
    const socket = makeSocket();
    socket.sendTyping('lobby', true);
    expect(socket.sendRead('lobby', 11)).toBe(false);
    const ws = connect(socket);
    socket.sendTyping('lobby', true);
    expect(socket.sendRead('lobby', 12)).toBe(true);
    expect(ws.sentOfType('typing')).toEqual([{ type: 'typing', room: 'lobby', active: true }]);
    expect(ws.sentOfType('read')).toEqual([{ type: 'read', room: 'lobby', seq: 12 }]);
  });

  it('shows others typing, renews on repeat, and expires after 6 s without renewal', () => {
    const ws = connect(makeSocket());
    const bob = { id: 2, name: 'bob', guest: true };
    const typing = () => store.getState().typing.lobby?.map((t) => t.user.name) ?? [];
    ws.receive({ type: 'typing', room: 'lobby', user: bob, active: true });
    expect(typing()).toEqual(['bob']);
    vi.advanceTimersByTime(4000);
    ws.receive({ type: 'typing', room: 'lobby', user: bob, active: true });
    vi.advanceTimersByTime(4000);
    expect(typing()).toEqual(['bob']);
    vi.advanceTimersByTime(2001);
    expect(typing()).toEqual([]);
    ws.receive({ type: 'typing', room: 'lobby', user: bob, active: true });
    ws.receive({ type: 'typing', room: 'lobby', user: bob, active: false });
    expect(typing()).toEqual([]);
    // Never the user themself.
    ws.receive({ type: 'typing', room: 'lobby', user: alice, active: true });
    expect(typing()).toEqual([]);
  });

  it('records read markers from the user’s other tabs', () => {
    const ws = connect(makeSocket());
    ws.receive({ type: 'read', room: 'rust', seq: 40 });
    expect(store.getState().readMarks.rust).toBe(40);
  });

  it('stops resuming a room the server removed the user from, and says why', () => {
    const socket = makeSocket();
    socket.subscribe('rust');
    const ws = connect(socket);
    ws.receive({ type: 'unsubscribed', room: 'rust', reason: 'kicked' });
    expect(store.getState().removed).toEqual({ room: 'rust', reason: 'kicked' });
    expect(socket.subscribedRooms()).toEqual([]);
    // A reply to our own unsubscribe has no reason and is no removal.
    store.dispatch({ type: 'room/removed-seen' });
    ws.receive({ type: 'unsubscribed', re: 3, room: 'lobby' });
    expect(store.getState().removed).toBeNull();
  });

  it('says in the room who removed the user, and subscribing again follows it again', () => {
    const olga = { id: 5, name: 'olga' };
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('lobby');
    const ws = connect(socket);
    ws.receive({ type: 'event', ...ev(2, { kind: 'leave', author: alice, actor: olga, body: 'kicked' }) });
    ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'kicked' });
    expect(store.getState().timelines.lobby.ended).toEqual({ reason: 'kicked', by: 'olga' });
    socket.subscribe('lobby');
    expect(store.getState().timelines.lobby.ended).toBeUndefined();
    expect(store.getState().removed).toBeNull();
    const sub = ws.sentOfType('subscribe').at(-1)!;
    expect(sub).toMatchObject({ room: 'lobby', since: 2 });
    // Until the server agrees, the user is not back in.
    expect(store.getState().timelines.lobby.rejoining).toBe(true);
    ws.receive({ type: 'subscribed', re: sub.req, room: 'lobby', head: 2, presence: [alice] });
    expect(store.getState().timelines.lobby.rejoining).toBeUndefined();
  });

  it('ends rejoining when subscribing again is refused, or was live already', () => {
    store.dispatch({ type: 'history/loaded', room: 'rust', events: [ev(1, { room: 'rust' })], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('rust');
    const ws = connect(socket);
    ws.receive({ type: 'unsubscribed', room: 'rust', reason: 'left' });
    socket.subscribe('rust');
    const refused = ws.sentOfType('subscribe').at(-1)!;
    ws.receive({ type: 'error', re: refused.req, code: 'not_found', message: 'no such room' });
    expect(store.getState().timelines.rust).toMatchObject({ ended: { reason: 'refused' }, rejoining: undefined });
    socket.subscribe('rust');
    const live = ws.sentOfType('subscribe').at(-1)!;
    ws.receive({ type: 'error', re: live.req, code: 'conflict', message: 'already subscribed to this room' });
    expect(store.getState().timelines.rust.ended).toBeUndefined();
    expect(store.getState().timelines.rust.rejoining).toBeUndefined();
  });

  it('shows a refused subscribe in the room and does not ask again on every reconnect', () => {
    store.dispatch({ type: 'history/loaded', room: 'rust', events: [ev(1, { room: 'rust' })], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('rust');
    const ws = connect(socket);
    const [sub] = ws.sentOfType('subscribe');
    ws.receive({ type: 'error', re: sub.req, code: 'forbidden', message: 'you are banned from this room' });
    expect(store.getState().timelines.rust.ended).toEqual({
      reason: 'refused',
      code: 'forbidden',
      message: 'you are banned from this room',
    });
    expect(socket.subscribedRooms()).toEqual([]);
    ws.drop(1006);
    vi.advanceTimersByTime(1000);
    const ws2 = FakeWebSocket.latest();
    ws2.open();
    ws2.receive(welcomeFrame());
    expect(ws2.sentOfType('subscribe')).toEqual([]);
  });

  it('takes "already subscribed" as a live subscription', () => {
    store.dispatch({ type: 'history/loaded', room: 'rust', events: [], hasMore: false });
    const socket = makeSocket();
    socket.subscribe('rust');
    const ws = connect(socket);
    const [sub] = ws.sentOfType('subscribe');
    ws.receive({ type: 'error', re: sub.req, code: 'conflict', message: 'already subscribed to this room' });
    expect(store.getState().timelines.rust.ended).toBeUndefined();
    expect(socket.subscribedRooms()).toEqual(['rust']);
  });
});
