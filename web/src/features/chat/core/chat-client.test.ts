import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../../../test/fake-websocket';
import { alice, ev } from '../../../test/fixtures';
import type { EventsPage } from '../api/get-events';
import { ChatClient } from './chat-client';
import { createChatStore, initialChatState, MAX_EVENTS, toDisplayItems } from './chat-store';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function makeClient(fetchEvents: (room: string, p: { before?: number }) => Promise<EventsPage>) {
  return new ChatClient({
    store: createChatStore({ ...initialChatState, me: alice }),
    fetchEvents,
    socket: {
      url: 'ws://test/api/v1/ws',
      createSocket: (url) => new FakeWebSocket(url),
      backoff: () => 1000,
    },
  });
}

beforeEach(() => FakeWebSocket.reset());
afterEach(() => vi.useRealTimers());

describe('ChatClient', () => {
  it('reads history over REST first, then subscribes with since = newest seq read', async () => {
    const page = deferred<EventsPage>();
    const fetchEvents = vi.fn(() => page.promise);
    const client = makeClient(fetchEvents);
    client.start();
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());

    const opening = client.openRoom('lobby');
    expect(fetchEvents).toHaveBeenCalledWith('lobby', {});
    expect(ws.sentOfType('subscribe')).toEqual([]);

    page.resolve({ events: [ev(41), ev(42)], has_more: true });
    await opening;
    expect(ws.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 42 })]);
    expect(client.store.getState().timelines.lobby.hasMore).toBe(true);
  });

  it('switching rooms unsubscribes the old one and does not subscribe a room left while loading', async () => {
    const lobby = deferred<EventsPage>();
    const rust = deferred<EventsPage>();
    const client = makeClient((room) => (room === 'lobby' ? lobby.promise : rust.promise));
    client.start();
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());

    const a = client.openRoom('lobby');
    const b = client.openRoom('rust');
    lobby.resolve({ events: [ev(1)], has_more: false });
    rust.resolve({ events: [ev(9, { room: 'rust' })], has_more: false });
    await Promise.all([a, b]);
    expect(ws.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'rust', since: 9 })]);

    // Back to lobby: its timeline is kept, so it resumes from its last seq without REST.
    await client.openRoom('lobby');
    expect(ws.sentOfType('unsubscribe')).toEqual([expect.objectContaining({ room: 'rust' })]);
    expect(ws.sentOfType('subscribe')[1]).toMatchObject({ room: 'lobby', since: 1 });
  });

  it('reads a room afresh when the room list says it moved on by more than a room keeps', async () => {
    let newest = 2;
    const fetchEvents = vi.fn(async (room: string, _p: { before?: number }) => ({
      events: [ev(newest - 1, { room }), ev(newest, { room })],
      has_more: newest > 2,
    }));
    const client = makeClient(fetchEvents);
    client.start();
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());
    await client.openRoom('lobby');
    await client.openRoom('rust');

    // Back a little later: resumed from where it was, no REST.
    await client.openRoom('lobby', { head: 2 + MAX_EVENTS });
    expect(fetchEvents).toHaveBeenCalledTimes(2);
    expect(ws.sentOfType('subscribe').at(-1)).toMatchObject({ room: 'lobby', since: 2 });

    // Back after a long absence: the newest page, subscribed from its end,
    // not a replay of everything since seq 2.
    await client.openRoom('rust');
    newest = 5000;
    await client.openRoom('lobby', { head: 5000 });
    expect(fetchEvents).toHaveBeenCalledTimes(3);
    expect(fetchEvents).toHaveBeenLastCalledWith('lobby', {});
    expect(ws.sentOfType('subscribe').at(-1)).toMatchObject({ room: 'lobby', since: 5000 });
    const t = client.store.getState().timelines.lobby;
    expect(t.events.map((e) => e.seq)).toEqual([4999, 5000]);
    expect(t.hasMore).toBe(true);
  });

  it('loads older history before the oldest seq', async () => {
    const fetchEvents = vi.fn(async (_room: string, p: { before?: number }) =>
      p.before === undefined
        ? { events: [ev(51), ev(52)], has_more: true }
        : { events: [ev(49), ev(50)], has_more: false },
    );
    const client = makeClient(fetchEvents);
    await client.openRoom('lobby');
    await client.loadOlder('lobby');
    expect(fetchEvents).toHaveBeenLastCalledWith('lobby', { before: 51 });
    const t = client.store.getState().timelines.lobby;
    expect(t.events.map((e) => e.seq)).toEqual([49, 50, 51, 52]);
    expect(t.hasMore).toBe(false);
    await client.loadOlder('lobby');
    expect(fetchEvents).toHaveBeenCalledTimes(2);
  });

  it('records a history error', async () => {
    const client = makeClient(() => Promise.reject(new Error('boom')));
    await client.openRoom('lobby');
    expect(client.store.getState().timelines.lobby.error).toBe('boom');
  });

  it('retries a failed history read when the connection comes back', async () => {
    let fail = true;
    const fetchEvents = vi.fn(async () => {
      if (fail) throw new Error('down');
      return { events: [ev(3)], has_more: false };
    });
    const client = makeClient(fetchEvents);
    client.start();
    await client.openRoom('lobby');
    expect(client.store.getState().timelines.lobby.error).toBe('down');
    fail = false;
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());
    await vi.waitFor(() => expect(ws.sentOfType('subscribe')).toEqual([expect.objectContaining({ since: 3 })]));
    expect(client.store.getState().timelines.lobby.error).toBeUndefined();
  });
});

describe('ChatClient edit, delete, typing and read markers', () => {
  function setup(opts: { visible?: boolean } = {}) {
    let now = 0;
    const restEdit = vi.fn(async (room: string, id: number, body: string) =>
      ev(20, { room, kind: 'edit', target: id, body }),
    );
    const restDelete = vi.fn(async (room: string, id: number) =>
      ev(21, { room, kind: 'delete', target: id, body: undefined }),
    );
    const client = new ChatClient({
      store: createChatStore({ ...initialChatState, me: alice }),
      fetchEvents: async () => ({ events: [ev(1), ev(2, { id: 7, author: alice, body: 'helo' })], has_more: false }),
      socket: { url: 'ws://test/api/v1/ws', createSocket: (url) => new FakeWebSocket(url), backoff: () => 1000 },
      restEdit,
      restDelete,
      isVisible: () => opts.visible ?? true,
      now: () => now,
    });
    client.start();
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());
    return { client, ws, restEdit, restDelete, advance: (ms: number) => (now += ms) };
  }

  it('edits over the socket when the server takes it', async () => {
    const { client, ws, restEdit } = setup();
    await client.openRoom('lobby');
    const p = client.editMessage('lobby', 7, 'hello');
    const [edit] = ws.sentOfType('edit');
    expect(edit).toMatchObject({ room: 'lobby', id: 7, body: 'hello' });
    ws.receive({ type: 'ack', re: edit.req, room: 'lobby', seq: 3, id: 3, ts: 't' });
    await p;
    expect(restEdit).not.toHaveBeenCalled();
  });

  it('falls back to REST when the server does not take edit/delete over the socket', async () => {
    const { client, ws, restEdit, restDelete } = setup();
    await client.openRoom('lobby');
    const p = client.editMessage('lobby', 7, 'hello');
    const [edit] = ws.sentOfType('edit');
    ws.receive({ type: 'error', re: edit.req, code: 'bad_request', message: 'this command is not supported by this server yet' });
    await p;
    expect(restEdit).toHaveBeenCalledWith('lobby', 7, 'hello');
    expect(client.store.getState().timelines.lobby.events.map((e) => e.seq)).toContain(20);

    const d = client.deleteMessage('lobby', 7);
    const [del] = ws.sentOfType('delete');
    ws.receive({ type: 'error', re: del.req, code: 'bad_request', message: 'this command is not supported by this server yet' });
    await d;
    expect(restDelete).toHaveBeenCalledWith('lobby', 7);
  });

  it('does not fall back on a real refusal', async () => {
    const { client, ws, restDelete } = setup();
    await client.openRoom('lobby');
    const d = client.deleteMessage('lobby', 7);
    const [del] = ws.sentOfType('delete');
    ws.receive({ type: 'error', re: del.req, code: 'forbidden', message: 'not yours' });
    await expect(d).rejects.toThrow('not yours');
    expect(restDelete).not.toHaveBeenCalled();
  });

  it('sends typing at most every 2 s, and active:false once when cleared or sent', async () => {
    const { client, ws, advance } = setup();
    await client.openRoom('lobby');
    client.setTyping(true);
    advance(500);
    client.setTyping(true);
    advance(1600);
    client.setTyping(true);
    expect(ws.sentOfType('typing')).toEqual([
      { type: 'typing', room: 'lobby', active: true },
      { type: 'typing', room: 'lobby', active: true },
    ]);
    client.setTyping(false);
    client.setTyping(false);
    client.setTyping(true);
    client.send('hi');
    expect(ws.sentOfType('typing').map((f) => f.active)).toEqual([true, true, false, true, false]);
  });

  it('sends read with the newest seq, about once a second, while the page is visible', async () => {
    vi.useFakeTimers();
    const { client, ws } = setup();
    await client.openRoom('lobby');
    ws.receive({ type: 'event', ...ev(3) });
    ws.receive({ type: 'event', ...ev(4) });
    expect(ws.sentOfType('read')).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(ws.sentOfType('read')).toEqual([{ type: 'read', room: 'lobby', seq: 4 }]);
    expect(client.store.getState().readMarks.lobby).toBe(4);
    vi.advanceTimersByTime(5000);
    expect(ws.sentOfType('read')).toHaveLength(1);
  });

  it('keeps sending read in a room that never pauses for a second', async () => {
    vi.useFakeTimers();
    const { client, ws } = setup();
    await client.openRoom('lobby');
    for (let seq = 3; seq <= 12; seq++) {
      ws.receive({ type: 'event', ...ev(seq) });
      vi.advanceTimersByTime(400);
    }
    const reads = ws.sentOfType('read').map((f) => f.seq);
    // 4 s of events: a marker about every second, never more often.
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.length).toBeLessThanOrEqual(4);
    vi.advanceTimersByTime(1000);
    expect(ws.sentOfType('read').at(-1)).toEqual({ type: 'read', room: 'lobby', seq: 12 });
  });

  it('marks a room read when it is opened while a marker for another room waits', async () => {
    vi.useFakeTimers();
    const { client, ws } = setup();
    await client.openRoom('lobby');
    ws.receive({ type: 'event', ...ev(3) });
    await client.openRoom('rust');
    vi.advanceTimersByTime(1000);
    expect(ws.sentOfType('read')).toEqual([{ type: 'read', room: 'rust', seq: 2 }]);
  });

  it('keeps a read marker that could not go out while reconnecting, and sends it after the reconnect', async () => {
    vi.useFakeTimers();
    const { client, ws } = setup();
    await client.openRoom('lobby');
    ws.receive({ type: 'subscribed', room: 'lobby', head: 2, presence: [] });
    ws.receive({ type: 'event', ...ev(3) });
    ws.drop(1006);
    // The marker's time comes, and with the backoff (1 s), a new connection.
    vi.advanceTimersByTime(1000);
    expect(ws.sentOfType('read')).toEqual([]);
    // Not recorded as read: the badge stays, and the marker is still owed.
    expect(client.store.getState().readMarks.lobby).toBeUndefined();

    const again = FakeWebSocket.latest();
    expect(again).not.toBe(ws);
    again.open();
    again.receive(welcomeFrame());
    vi.advanceTimersByTime(1000);
    expect(again.sentOfType('read')).toEqual([{ type: 'read', room: 'lobby', seq: 3 }]);
    expect(client.store.getState().readMarks.lobby).toBe(3);
  });

  it('sends no read while the page is hidden', async () => {
    vi.useFakeTimers();
    const { client, ws } = setup({ visible: false });
    await client.openRoom('lobby');
    ws.receive({ type: 'event', ...ev(3) });
    vi.advanceTimersByTime(3000);
    expect(ws.sentOfType('read')).toEqual([]);
  });
});

describe('ChatClient resume point', () => {
  const seqs = (client: ChatClient, room = 'lobby') =>
    client.store.getState().timelines[room].events.map((e) => e.seq);

  it('resumes from the last seq received in order, not from an event the REST fallback inserted', async () => {
    vi.useFakeTimers();
    const restDelete = vi.fn(async (room: string, id: number) =>
      ev(7, { room, kind: 'delete', target: id, author: alice, body: undefined }),
    );
    const client = new ChatClient({
      store: createChatStore({ ...initialChatState, me: alice }),
      fetchEvents: async () => ({ events: [ev(1), ev(2), ev(3, { id: 103, author: alice })], has_more: false }),
      socket: { url: 'ws://test/api/v1/ws', createSocket: (url) => new FakeWebSocket(url), backoff: () => 1000 },
      restDelete,
    });
    client.start();
    const ws1 = FakeWebSocket.latest();
    ws1.open();
    ws1.receive(welcomeFrame());
    await client.openRoom('lobby');
    expect(ws1.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 3 })]);

    // While the socket is down, seq 4..6 are written by others and the delete
    // goes over REST, answering seq 7.
    ws1.drop(1006);
    await client.deleteMessage('lobby', 103);
    expect(restDelete).toHaveBeenCalledWith('lobby', 103);
    expect(seqs(client)).toEqual([1, 2, 3, 7]);

    vi.advanceTimersByTime(1000);
    const ws2 = FakeWebSocket.latest();
    expect(ws2).not.toBe(ws1);
    ws2.open();
    ws2.receive(welcomeFrame());
    expect(ws2.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 3 })]);

    // The replay brings the missed events and seq 7 again, shown once.
    for (const seq of [4, 5, 6]) ws2.receive({ type: 'event', ...ev(seq) });
    ws2.receive({ type: 'event', ...ev(7, { kind: 'delete', target: 103, author: alice, body: undefined }) });
    expect(seqs(client)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(toDisplayItems(client.store.getState().timelines.lobby.events).map((i) => i.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    ws2.drop(1006);
    vi.advanceTimersByTime(1000);
    const ws3 = FakeWebSocket.latest();
    ws3.open();
    ws3.receive(welcomeFrame());
    expect(ws3.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 7 })]);
  });

  it('resumes a room from before the seq of an ack that arrived after leaving it', async () => {
    vi.useFakeTimers();
    const client = new ChatClient({
      store: createChatStore({ ...initialChatState, me: alice }),
      fetchEvents: async (room) => ({ events: [ev(1, { room }), ev(2, { room }), ev(3, { room })], has_more: false }),
      socket: {
        url: 'ws://test/api/v1/ws',
        createSocket: (url) => new FakeWebSocket(url),
        backoff: () => 1000,
        makeNonce: () => 'n1',
      },
    });
    client.start();
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());
    await client.openRoom('lobby');

    client.send('hi');
    const [first] = ws.sentOfType('send');
    ws.receive({ type: 'error', re: first.req, code: 'rate_limited', message: 'slow down', retry_after_ms: 500 });
    await client.openRoom('rust');
    expect(ws.sentOfType('unsubscribe')).toEqual([expect.objectContaining({ room: 'lobby' })]);

    // Resent after the switch; committed as seq 5 while lobby is not subscribed.
    vi.advanceTimersByTime(500);
    const resent = ws.sentOfType('send')[1];
    expect(resent).toMatchObject({ room: 'lobby', nonce: 'n1' });
    ws.receive({ type: 'ack', re: resent.req, room: 'lobby', seq: 5, id: 105, ts: '2026-11-26T12:00:05.000Z' });
    expect(seqs(client)).toEqual([1, 2, 3, 5]);
    expect(client.store.getState().pending).toEqual([]);

    await client.openRoom('lobby');
    expect(ws.sentOfType('subscribe').at(-1)).toMatchObject({ room: 'lobby', since: 3 });
    ws.receive({ type: 'event', ...ev(4) });
    ws.receive({ type: 'event', ...ev(5, { author: alice, body: 'hi', nonce: 'n1' }) });
    expect(seqs(client)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('ChatClient removal and identity', () => {
  function setup() {
    const client = makeClient(async (room) => ({ events: [ev(1, { room }), ev(2, { room })], has_more: false }));
    client.start();
    const ws = FakeWebSocket.latest();
    ws.open();
    ws.receive(welcomeFrame());
    return { client, ws };
  }

  it('follows the open room again after a kick from it ("Join again"), from its last seq', async () => {
    const { client, ws } = setup();
    await client.openRoom('lobby');
    ws.receive({ type: 'event', ...ev(3, { kind: 'leave', author: alice, actor: { id: 9, name: 'olga' }, body: 'kicked' }) });
    ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'kicked' });
    expect(client.store.getState().timelines.lobby.ended).toMatchObject({ reason: 'kicked', by: 'olga' });
    // Opening the open room again does nothing: the way back is rejoin.
    await client.openRoom('lobby');
    expect(ws.sentOfType('subscribe')).toHaveLength(1);
    client.rejoin('lobby');
    expect(ws.sentOfType('subscribe')[1]).toMatchObject({ room: 'lobby', since: 3 });
    expect(client.store.getState().timelines.lobby.ended).toBeUndefined();
  });

  it('connects again as the new identity after a guest registers, resuming without loss', async () => {
    const { client, ws } = setup();
    await client.openRoom('lobby');
    ws.receive({ type: 'event', ...ev(3, { author: alice, body: 'as a guest' }) });
    const account = { id: alice.id, name: 'alice', guest: false, username: 'alice' };
    client.setMe(account);
    expect(client.store.getState().me).toEqual(account);
    const ws2 = FakeWebSocket.latest();
    expect(ws2).not.toBe(ws);
    ws2.open();
    ws2.receive(welcomeFrame(account));
    expect(ws2.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 3 })]);
    // The same identity again (e.g. a re-render) does not reconnect.
    client.setMe({ ...account });
    expect(FakeWebSocket.latest()).toBe(ws2);
  });
});
