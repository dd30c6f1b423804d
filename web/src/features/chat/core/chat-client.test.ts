import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../../../test/fake-websocket';
import { alice, ev } from '../../../test/fixtures';
import type { EventsPage } from '../api/get-events';
import { ChatClient } from './chat-client';
import { createChatStore, initialChatState } from './chat-store';

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
