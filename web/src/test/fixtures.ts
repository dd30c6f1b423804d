// Builders for test data.

import type { RoomEvent, User } from '../types/api';

export const alice: User = { id: 1, name: 'alice', guest: true };
export const bob: User = { id: 2, name: 'bob', guest: true };

export function ev(seq: number, over: Partial<RoomEvent> = {}): RoomEvent {
  return {
    room: 'lobby',
    seq,
    id: 100 + seq,
    ts: '2026-11-26T12:00:00.000Z',
    kind: 'message',
    author: { id: bob.id, name: bob.name },
    body: `message ${seq}`,
    ...over,
  };
}
