import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Member } from '../api/get-members';
import { useMembers } from './use-members';

const member = (id: number, name: string): Member => ({
  user: { id, name, guest: false, username: name },
  role: 'member',
});

/** A fetch whose answers the test releases one by one, in any order. */
function heldFetch() {
  const held: { path: string; answer: (members: Member[]) => void }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      (input: RequestInfo | URL) =>
        new Promise<Response>((resolve) => {
          const path = new URL(String(input), 'http://localhost').pathname;
          held.push({
            path,
            answer: (members) =>
              resolve(
                new Response(JSON.stringify({ members }), {
                  status: 200,
                  headers: { 'Content-Type': 'application/json' },
                }),
              ),
          });
        }),
    ),
  );
  const take = (path: string) => {
    const i = held.findIndex((h) => h.path === path);
    if (i < 0) throw new Error(`no request for ${path}`);
    return held.splice(i, 1)[0];
  };
  return { held, take };
}

afterEach(() => vi.unstubAllGlobals());

describe('useMembers', () => {
  it('ignores a late refresh of the previous room', async () => {
    const { take } = heldFetch();
    const { result, rerender } = renderHook(({ room }) => useMembers(room, { id: 1 }), {
      initialProps: { room: 'rust' },
    });
    await act(async () => take('/api/v1/rooms/rust/members').answer([member(1, 'ann')]));
    expect(result.current.members.map((m) => m.user.name)).toEqual(['ann']);

    // The Members button asks again for rust, then the user opens go.
    let late!: Promise<void>;
    act(() => {
      late = result.current.refresh();
    });
    rerender({ room: 'go' });
    await act(async () => take('/api/v1/rooms/go/members').answer([member(2, 'gus'), member(3, 'gia')]));
    expect(result.current.members.map((m) => m.user.name)).toEqual(['gus', 'gia']);

    await act(async () => {
      take('/api/v1/rooms/rust/members').answer([member(1, 'ann')]);
      await late;
    });
    expect(result.current.members.map((m) => m.user.name)).toEqual(['gus', 'gia']);
  });

  it('does not let an older answer for the same room undo a newer one', async () => {
    const { take } = heldFetch();
    const { result } = renderHook(() => useMembers('rust', { id: 1 }));
    // The first load is still on its way when a kick refreshes the list.
    let refreshed!: Promise<void>;
    act(() => {
      refreshed = result.current.refresh();
    });
    const first = take('/api/v1/rooms/rust/members');
    await act(async () => {
      take('/api/v1/rooms/rust/members').answer([member(1, 'ann')]);
      await refreshed;
    });
    await act(async () => first.answer([member(1, 'ann'), member(4, 'kicked')]));
    await waitFor(() => expect(result.current.members.map((m) => m.user.name)).toEqual(['ann']));
  });

  it('does not ask for a room that is no longer open', async () => {
    const { held, take } = heldFetch();
    const { result, rerender } = renderHook(({ room }) => useMembers(room, { id: 1 }), {
      initialProps: { room: 'rust' },
    });
    const stale = result.current.refresh;
    rerender({ room: 'go' });
    await act(async () => {
      await Promise.all([stale(), Promise.resolve()]);
    });
    take('/api/v1/rooms/rust/members');
    take('/api/v1/rooms/go/members');
    expect(held).toHaveLength(0);
  });
});
