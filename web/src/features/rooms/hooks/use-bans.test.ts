import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ban } from '../api/get-bans';
import { useBans } from './use-bans';

const ban = (id: number, name: string): Ban => ({
  user: { id, name, guest: true },
  by: { id: 1, name: 'olga', guest: false, username: 'olga' },
});

/** A fetch whose answers the test releases one by one, in any order. */
function heldFetch() {
  const held: { path: string; answer: (bans: Ban[]) => void }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      (input: RequestInfo | URL) =>
        new Promise<Response>((resolve) => {
          held.push({
            path: new URL(String(input), 'http://localhost').pathname,
            answer: (bans) =>
              resolve(new Response(JSON.stringify({ bans }), { headers: { 'Content-Type': 'application/json' } })),
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

describe('useBans', () => {
  it('asks only once the user moderates the room', async () => {
    const { held, take } = heldFetch();
    const { result, rerender } = renderHook(({ moderates }) => useBans('rust', moderates), {
      initialProps: { moderates: false },
    });
    await act(async () => {
      await result.current.refresh();
    });
    expect(held).toHaveLength(0);
    rerender({ moderates: true });
    await act(async () => take('/api/v1/rooms/rust/bans').answer([ban(7, 'Gus')]));
    expect(result.current.bans.map((b) => b.user.name)).toEqual(['Gus']);
    expect(result.current.loaded).toBe(true);
  });

  it("ignores the previous room's late answer, and does not ask for it again", async () => {
    const { held, take } = heldFetch();
    const { result, rerender } = renderHook(({ room }) => useBans(room, true), { initialProps: { room: 'rust' } });
    const stale = result.current.refresh;
    const first = take('/api/v1/rooms/rust/bans');
    rerender({ room: 'go' });
    await act(async () => {
      await stale();
    });
    expect(held.map((h) => h.path)).toEqual(['/api/v1/rooms/go/bans']);
    await act(async () => take('/api/v1/rooms/go/bans').answer([ban(8, 'zed')]));
    await act(async () => first.answer([ban(7, 'Gus')]));
    expect(result.current.bans.map((b) => b.user.name)).toEqual(['zed']);
  });
});
