import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createChatStore, initialChatState } from './chat-store';
import { keepOutbox, Outbox } from './outbox';

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('Outbox', () => {
  it('keeps pending messages per user across page loads, and drops confirmed and failed ones', async () => {
    const store = createChatStore();
    const stop = keepOutbox(store, new Outbox(7), vi.fn());
    await flush();
    store.dispatch({ type: 'pending/added', message: { nonce: 'n1', room: 'lobby', body: 'one', state: 'pending' } });
    store.dispatch({ type: 'pending/added', message: { nonce: 'n2', room: 'rust', body: 'two', state: 'pending' } });
    store.dispatch({ type: 'pending/added', message: { nonce: 'n3', room: 'rust', body: 'three', state: 'pending' } });
    store.dispatch({ type: 'pending/failed', nonce: 'n3', error: 'too long' });
    await flush();
    stop();

    // A new page for the same user gets n1 and n2 back, pending; another user gets nothing.
    const again = createChatStore({ ...initialChatState });
    const restored = vi.fn();
    const stop2 = keepOutbox(again, new Outbox(7), restored);
    await flush();
    expect(again.getState().pending.map((p) => [p.nonce, p.state])).toEqual([
      ['n1', 'pending'],
      ['n2', 'pending'],
    ]);
    expect(restored).toHaveBeenCalledTimes(1);
    expect(await new Outbox(8).load()).toEqual([]);

    // Confirmed: gone from the outbox too.
    again.dispatch({ type: 'pending/discarded', nonce: 'n1' });
    await flush();
    stop2();
    expect((await new Outbox(7).load()).map((p) => p.nonce)).toEqual(['n2']);
  });
});
