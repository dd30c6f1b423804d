// Rooms the user muted, kept in the browser per user: their unread messages
// still show in the room list (greyed), but count neither in the title nor
// on the favicon.

import { useState } from 'react';
import { readLocal, writeLocal } from '../lib/local-value';

function read(key: string): string[] {
  try {
    const value: unknown = JSON.parse(readLocal(key) ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function useMutedRooms(userId: number): [ReadonlySet<string>, (room: string) => void] {
  const key = `muted:${userId}`;
  const [muted, setMuted] = useState<ReadonlySet<string>>(() => new Set(read(key)));
  const toggle = (room: string) => {
    const next = new Set(muted);
    if (next.has(room)) next.delete(room);
    else next.add(room);
    writeLocal(key, next.size ? JSON.stringify([...next]) : null);
    setMuted(next);
  };
  return [muted, toggle];
}
