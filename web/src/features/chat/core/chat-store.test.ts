import { describe, expect, it } from 'vitest';
import { alice, bob, ev } from '../../../test/fixtures';
import {
  appendChainLength,
  chatReducer,
  createChatStore,
  initialChatState,
  lastSeq,
  MAX_EVENTS,
  mergeEvents,
  TRIM_BATCH,
  oldestSeq,
  toDisplayItems,
  type ChatAction,
  type ChatState,
} from './chat-store';

const seqs = (s: ChatState, room = 'lobby') => s.timelines[room].events.map((e) => e.seq);
const run = (actions: ChatAction[], start: ChatState = { ...initialChatState, me: alice }) =>
  actions.reduce(chatReducer, start);

describe('mergeEvents', () => {
  it('appends in-order events', () => {
    const a = [ev(1), ev(2)];
    expect(mergeEvents(a, [ev(3), ev(4)]).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('drops duplicates by seq and keeps the first copy', () => {
    const a = [ev(1), ev(2), ev(3)];
    const merged = mergeEvents(a, [ev(2, { body: 'dup' }), ev(3), ev(4)]);
    expect(merged.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(merged[1].body).toBe('message 2');
  });

  it('returns the same array when nothing is new (no re-render)', () => {
    const a = [ev(1), ev(2)];
    expect(mergeEvents(a, [ev(1), ev(2)])).toBe(a);
    expect(mergeEvents(a, [])).toBe(a);
  });

  it('sorts out-of-order input', () => {
    expect(mergeEvents([ev(5)], [ev(3), ev(9), ev(1), ev(3)]).map((e) => e.seq)).toEqual([1, 3, 5, 9]);
  });
});

describe('chatReducer', () => {
  it('loads history and de-duplicates live events by seq', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2), ev(3)], hasMore: false },
      { type: 'events/received', room: 'lobby', events: [ev(3)] },
      { type: 'events/received', room: 'lobby', events: [ev(4)] },
      { type: 'events/received', room: 'lobby', events: [ev(4)] },
      { type: 'events/received', room: 'lobby', events: [ev(5)] },
    ]);
    expect(seqs(s)).toEqual([1, 2, 3, 4, 5]);
    expect(lastSeq(s, 'lobby')).toBe(5);
    expect(oldestSeq(s, 'lobby')).toBe(1);
  });

  it('keeps ascending order when a replay overlaps live events', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(10)], hasMore: true },
      { type: 'events/received', room: 'lobby', events: [ev(12)] },
      { type: 'events/received', room: 'lobby', events: [ev(11)] },
      { type: 'events/received', room: 'lobby', events: [ev(12)] },
    ]);
    expect(seqs(s)).toEqual([10, 11, 12]);
  });

  it('keeps rooms apart', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false },
      { type: 'history/loaded', room: 'rust', events: [ev(1, { room: 'rust', body: 'r' })], hasMore: false },
      { type: 'events/received', room: 'rust', events: [ev(2, { room: 'rust' })] },
    ]);
    expect(seqs(s, 'lobby')).toEqual([1]);
    expect(seqs(s, 'rust')).toEqual([1, 2]);
  });

  it('reports no last seq before history is loaded, and 0 for an empty room', () => {
    expect(lastSeq(initialChatState, 'lobby')).toBeUndefined();
    const s = run([{ type: 'history/loaded', room: 'lobby', events: [], hasMore: false }]);
    expect(lastSeq(s, 'lobby')).toBe(0);
  });

  it('resumes from the last seq without a gap, not from an acked or REST event ahead of it', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2), ev(3)], hasMore: false },
      { type: 'pending/added', message: { nonce: 'n1', room: 'lobby', body: 'hi', state: 'pending' } },
      { type: 'pending/acked', nonce: 'n1', room: 'lobby', seq: 5, id: 105, ts: '2026-11-26T12:00:05.000Z' },
      { type: 'events/out-of-band', room: 'lobby', events: [ev(7, { kind: 'delete', target: 105, body: undefined })] },
    ]);
    expect(seqs(s)).toEqual([1, 2, 3, 5, 7]);
    expect(lastSeq(s, 'lobby')).toBe(3);

    const t = run([{ type: 'events/received', room: 'lobby', events: [ev(4)] }], s);
    expect(lastSeq(t, 'lobby')).toBe(4);
    // Events already held still move the resume point when the stream delivers them.
    const u = run(
      [
        { type: 'events/received', room: 'lobby', events: [ev(5, { author: alice, body: 'hi', nonce: 'n1' })] },
        { type: 'events/received', room: 'lobby', events: [ev(6)] },
        { type: 'events/received', room: 'lobby', events: [ev(7, { kind: 'delete', target: 105, body: undefined })] },
      ],
      t,
    );
    expect(seqs(u)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lastSeq(u, 'lobby')).toBe(7);
  });

  it('moves the resume point only by history that connects to it', () => {
    const s = run([
      { type: 'events/received', room: 'lobby', events: [ev(5)] },
      { type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2)], hasMore: false },
    ]);
    expect(lastSeq(s, 'lobby')).toBe(2);
    const t = run([{ type: 'history/loaded', room: 'lobby', events: [ev(9), ev(10)], hasMore: true }], s);
    expect(lastSeq(t, 'lobby')).toBe(2);
    const u = run([{ type: 'history/loaded', room: 'lobby', events: [ev(3), ev(4)], hasMore: true }], t);
    expect(lastSeq(u, 'lobby')).toBe(4);
  });

  it('prepends older history and takes its has_more', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(51), ev(52)], hasMore: true },
      { type: 'older/loading', room: 'lobby' },
    ]);
    expect(s.timelines.lobby.loadingOlder).toBe(true);
    const t = run([{ type: 'older/loaded', room: 'lobby', events: [ev(49), ev(50), ev(51)], hasMore: false }], s);
    expect(seqs(t)).toEqual([49, 50, 51, 52]);
    expect(t.timelines.lobby.hasMore).toBe(false);
    expect(t.timelines.lobby.loadingOlder).toBe(false);
  });

  it('does not lose has_more when newer history is re-read', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2)], hasMore: true },
      { type: 'history/loaded', room: 'lobby', events: [ev(2), ev(3)], hasMore: true },
    ]);
    expect(seqs(s)).toEqual([1, 2, 3]);
    expect(s.timelines.lobby.hasMore).toBe(true);
  });

  it('confirms a pending message when its event arrives (matched by nonce)', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false },
      { type: 'pending/added', message: { nonce: 'n1', room: 'lobby', body: 'hi', state: 'pending' } },
    ]);
    expect(s.pending).toHaveLength(1);
    const t = run(
      [
        {
          type: 'events/received',
          room: 'lobby',
          events: [ev(2, { author: alice, body: 'hi', nonce: 'n1' })],
        },
      ],
      s,
    );
    expect(t.pending).toHaveLength(0);
    expect(seqs(t)).toEqual([1, 2]);
  });

  it('does not confirm my pending message by another user’s event with the same nonce', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [], hasMore: false },
      { type: 'pending/added', message: { nonce: 'n1', room: 'lobby', body: 'hi', state: 'pending' } },
      { type: 'events/received', room: 'lobby', events: [ev(1, { author: bob, nonce: 'n1' })] },
    ]);
    expect(s.pending).toHaveLength(1);
  });

  it('confirms a pending message on ack, and its later event is not shown twice', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false },
      { type: 'pending/added', message: { nonce: 'n1', room: 'lobby', body: 'hi', state: 'pending' } },
      { type: 'pending/acked', nonce: 'n1', room: 'lobby', seq: 2, id: 102, ts: '2026-11-26T12:00:01Z' },
    ]);
    expect(s.pending).toHaveLength(0);
    expect(seqs(s)).toEqual([1, 2]);
    expect(s.timelines.lobby.events[1]).toMatchObject({ body: 'hi', author: { id: alice.id }, nonce: 'n1' });
    const t = run(
      [{ type: 'events/received', room: 'lobby', events: [ev(2, { author: alice, body: 'hi', nonce: 'n1' })] }],
      s,
    );
    expect(seqs(t)).toEqual([1, 2]);
    // An ack for a message already confirmed by its event changes nothing.
    const u = run([{ type: 'pending/acked', nonce: 'n1', room: 'lobby', seq: 2, id: 102, ts: 'x' }], t);
    expect(u).toBe(t);
  });

  it('ignores a second pending message with the same nonce', () => {
    const p = { nonce: 'n1', room: 'lobby', body: 'hi', state: 'pending' as const };
    const s = run([
      { type: 'pending/added', message: p },
      { type: 'pending/added', message: p },
    ]);
    expect(s.pending).toHaveLength(1);
  });

  it('marks failed, retries and discards pending messages', () => {
    const s = run([
      { type: 'pending/added', message: { nonce: 'n1', room: 'lobby', body: 'hi', state: 'pending' } },
      { type: 'pending/failed', nonce: 'n1', error: 'too large' },
    ]);
    expect(s.pending[0]).toMatchObject({ state: 'failed', error: 'too large' });
    const t = run([{ type: 'pending/retry', nonce: 'n1' }], s);
    expect(t.pending[0].state).toBe('pending');
    expect(run([{ type: 'pending/discarded', nonce: 'n1' }], t).pending).toEqual([]);
  });

  it('tracks presence', () => {
    const s = run([
      { type: 'presence/set', room: 'lobby', users: [alice] },
      { type: 'presence/changed', room: 'lobby', joined: [bob, alice], left: [] },
    ]);
    expect(s.presence.lobby.map((u) => u.name)).toEqual(['alice', 'bob']);
    const t = run([{ type: 'presence/changed', room: 'lobby', joined: [], left: [alice] }], s);
    expect(t.presence.lobby.map((u) => u.name)).toEqual(['bob']);
  });
});

describe('toDisplayItems', () => {
  it('applies edits and deletions and describes joins', () => {
    const items = toDisplayItems([
      ev(1, { kind: 'join', body: undefined }),
      ev(2, { id: 7, body: 'helo' }),
      ev(3, { id: 8, body: 'oops' }),
      ev(4, { kind: 'edit', target: 7, body: 'hello' }),
      ev(5, { kind: 'delete', target: 8, body: undefined }),
    ]);
    expect(items).toEqual([
      expect.objectContaining({ kind: 'system', text: 'bob joined' }),
      expect.objectContaining({ kind: 'message', body: 'hello', edited: true, deleted: false }),
      expect.objectContaining({ kind: 'message', id: 8, body: '', edited: false, deleted: true }),
    ]);
  });

  it('takes the edited and deleted flags of history as they are', () => {
    const items = toDisplayItems([
      ev(2, { id: 7, body: 'current text', edited: true }),
      ev(3, { id: 8, body: undefined, edited: true, deleted: true }),
      // The edit of a deleted message has no body either.
      ev(4, { kind: 'edit', target: 8, body: undefined }),
    ]);
    expect(items).toEqual([
      expect.objectContaining({ id: 7, body: 'current text', edited: true, deleted: false }),
      expect.objectContaining({ id: 8, body: '', edited: false, deleted: true }),
    ]);
  });

  it('describes kicks and invites with their actor', () => {
    const carol = { id: 3, name: 'carol' };
    const items = toDisplayItems([
      ev(1, { kind: 'join', body: 'invited', actor: carol }),
      ev(2, { kind: 'leave', body: 'banned', actor: carol }),
    ]);
    expect(items.map((i) => (i.kind === 'system' ? i.text : ''))).toEqual([
      'carol added bob',
      'bob was banned by carol',
    ]);
  });

  it('keeps the names of a notice apart from its text, for the view to isolate', () => {
    const rtl = { id: 3, name: 'carol\u202E' };
    const items = toDisplayItems([ev(1, { kind: 'leave', body: 'kicked', actor: rtl })]);
    expect(items[0]).toEqual(
      expect.objectContaining({
        kind: 'system',
        text: 'bob was kicked by carol\u202E',
        parts: [{ name: 'bob' }, ' was kicked by ', { name: 'carol\u202E' }],
      }),
    );
  });
});

describe('typing', () => {
  const typing = (user: typeof bob, active: boolean, until = 6000) =>
    ({ type: 'typing/received', room: 'lobby', user, active, until }) as const;

  it('lists others typing, never me, and ends on active:false', () => {
    const s = run([typing(bob, true), typing(alice, true)], { ...initialChatState, me: alice });
    expect(s.typing.lobby.map((t) => t.user.name)).toEqual(['bob']);
    expect(run([typing(bob, false)], s).typing.lobby).toEqual([]);
  });

  it('expires an entry that was not renewed, and keeps a renewed one', () => {
    const s = run([typing(bob, true, 6000)]);
    expect(run([{ type: 'typing/expired', room: 'lobby', userId: bob.id, now: 6000 }], s).typing.lobby).toEqual([]);
    const renewed = run([typing(bob, true, 9000)], s);
    expect(
      run([{ type: 'typing/expired', room: 'lobby', userId: bob.id, now: 6000 }], renewed).typing.lobby,
    ).toHaveLength(1);
  });

  it('ends when that user’s message arrives', () => {
    const s = run([typing(bob, true), { type: 'events/received', room: 'lobby', events: [ev(1)] }]);
    expect(s.typing.lobby).toEqual([]);
  });
});

describe('leaving a room here', () => {
  it('ends the room without a removal notice, once; a failed leave or another tab’s leave is news', () => {
    let s = run([
      { type: 'history/loaded', room: 'rust', events: [ev(1, { room: 'rust' })], hasMore: false },
      { type: 'room/leaving', room: 'rust', active: true },
      { type: 'room/removed', room: 'rust', reason: 'left' },
    ]);
    expect(s.removed).toBeNull();
    expect(s.timelines.rust.ended).toEqual({ reason: 'left', local: true });
    expect(s.leaving).toEqual([]);
    // Back in, then left from another tab.
    s = run([{ type: 'room/removed', room: 'rust', reason: 'left' }], s);
    expect(s.removed).toEqual({ room: 'rust', reason: 'left' });

    s = run([
      { type: 'room/leaving', room: 'go', active: true },
      { type: 'room/leaving', room: 'go', active: false },
      { type: 'room/removed', room: 'go', reason: 'left' },
    ]);
    expect(s.removed).toEqual({ room: 'go', reason: 'left' });
    // A kick while leaving is news too.
    s = run([
      { type: 'room/leaving', room: 'go', active: true },
      { type: 'room/removed', room: 'go', reason: 'kicked' },
    ]);
    expect(s.removed).toEqual({ room: 'go', reason: 'kicked' });
  });
});

describe('read marks', () => {
  it('only move forward', () => {
    const s = run([
      { type: 'read/marked', room: 'lobby', seq: 5 },
      { type: 'read/marked', room: 'lobby', seq: 3 },
    ]);
    expect(s.readMarks.lobby).toBe(5);
  });
});

describe('createChatStore', () => {
  it('notifies subscribers only on change', () => {
    const store = createChatStore();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.dispatch({ type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false });
    store.dispatch({ type: 'events/received', room: 'lobby', events: [ev(1)] });
    expect(calls).toBe(1);
    off();
    store.dispatch({ type: 'events/received', room: 'lobby', events: [ev(2)] });
    expect(calls).toBe(1);
    expect(seqs(store.getState())).toEqual([1, 2]);
  });
});

describe('memory bound', () => {
  const live = (from: number, to: number): ChatAction[] => {
    const actions: ChatAction[] = [];
    for (let seq = from; seq <= to; seq++) actions.push({ type: 'events/received', room: 'lobby', events: [ev(seq)] });
    return actions;
  };

  it('keeps about MAX_EVENTS newest events while the user follows, and offers the rest as older', () => {
    const s = run([{ type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false }, ...live(2, 3000)]);
    const t = s.timelines.lobby;
    expect(t.events.length).toBeLessThanOrEqual(MAX_EVENTS + TRIM_BATCH);
    expect(t.events.length).toBeGreaterThanOrEqual(MAX_EVENTS);
    expect(t.events.at(-1)?.seq).toBe(3000);
    expect(t.hasMore).toBe(true);
    expect(lastSeq(s, 'lobby')).toBe(3000);
    // "Load older" reads what was dropped, before the oldest held.
    expect(oldestSeq(s, 'lobby')).toBe(3001 - t.events.length);
  });

  it('drops nothing while the user reads older messages', () => {
    const s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false },
      { type: 'view/following', room: 'lobby', following: false },
      ...live(2, 1500),
    ]);
    expect(s.timelines.lobby.events).toHaveLength(1500);
    expect(s.timelines.lobby.hasMore).toBe(false);
    const back = run([{ type: 'view/following', room: 'lobby', following: true }, ...live(1501, 1501)], s);
    expect(back.timelines.lobby.events).toHaveLength(MAX_EVENTS);
  });

  it('builds display items only for appended events, with the same result as a full build', () => {
    let s = run([{ type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2)], hasMore: false }]);
    const first = toDisplayItems(s.timelines.lobby.events);
    s = run([{ type: 'events/received', room: 'lobby', events: [ev(3, { kind: 'join', body: undefined })] }], s);
    const second = toDisplayItems(s.timelines.lobby.events);
    expect(second.slice(0, 2)).toEqual(first);
    expect(second[0]).toBe(first[0]);
    expect(second).toEqual(toDisplayItems([...s.timelines.lobby.events]));
    // An edit changes an older item: built again, and right.
    s = run([{ type: 'events/received', room: 'lobby', events: [ev(4, { kind: 'edit', target: 101, body: 'fixed' })] }], s);
    const third = toDisplayItems(s.timelines.lobby.events);
    expect(third[0]).toMatchObject({ body: 'fixed', edited: true });
    expect(third).toEqual(toDisplayItems([...s.timelines.lobby.events]));
  });

  it('keeps no chain of earlier lists alive while the user reads older messages', () => {
    let s = run([
      { type: 'history/loaded', room: 'lobby', events: [ev(1)], hasMore: false },
      { type: 'view/following', room: 'lobby', following: false },
    ]);
    toDisplayItems(s.timelines.lobby.events);
    for (let seq = 2; seq <= 300; seq++) {
      s = run(live(seq, seq), s);
      // Rendered after most events; a few arrive between two renders.
      if (seq % 7 !== 0) toDisplayItems(s.timelines.lobby.events);
    }
    // Every intermediate list reachable from the newest one is memory held:
    // one link (the list last shown) is all the incremental build needs.
    expect(appendChainLength(s.timelines.lobby.events)).toBeLessThanOrEqual(1);
    expect(s.timelines.lobby.events).toHaveLength(300);
  });

  it('still extends the items last built when several events arrive between two renders', () => {
    let s = run([{ type: 'history/loaded', room: 'lobby', events: [ev(1), ev(2)], hasMore: false }]);
    const first = toDisplayItems(s.timelines.lobby.events);
    s = run([...live(3, 5)], s);
    expect(appendChainLength(s.timelines.lobby.events)).toBe(1);
    const next = toDisplayItems(s.timelines.lobby.events);
    expect(next[0]).toBe(first[0]);
    expect(next).toEqual(toDisplayItems([...s.timelines.lobby.events]));
  });

  it('finds an event held already without rebuilding the list', () => {
    const a = [ev(1), ev(2), ev(3)];
    expect(mergeEvents(a, [ev(2)])).toBe(a);
    expect(mergeEvents(a, [ev(3), ev(2), ev(5), ev(4), ev(4)]).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(mergeEvents([ev(1), ev(4)], [ev(3), ev(2), ev(5)]).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
