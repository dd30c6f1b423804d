// The two lists the sidebar shows: joined rooms (with unread counts) and
// public rooms. The client only subscribes to the open room, so the unread
// counts of the others come from re-reading GET /rooms every 30 s (and when
// the caller asks, e.g. after switching rooms).

import { useCallback, useEffect, useState } from 'react';
import type { Room } from '../../../types/api';
import { getPublicRooms } from '../api/get-public-rooms';
import { getRooms } from '../api/get-rooms';

export type RoomLists = {
  joined: Room[];
  publicRooms: Room[];
  error: string | null;
  refresh: () => Promise<void>;
};

export const ROOMS_REFRESH_MS = 30_000;

export function useRoomLists(refreshMs = ROOMS_REFRESH_MS): RoomLists {
  const [joined, setJoined] = useState<Room[]>([]);
  const [publicRooms, setPublicRooms] = useState<Room[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [j, p] = await Promise.all([getRooms(), getPublicRooms()]);
      setJoined(j);
      setPublicRooms(p);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not load rooms.');
    }
  }, []);

  useEffect(() => {
    let cancelled = false;
    Promise.all([getRooms(), getPublicRooms()]).then(
      ([j, p]) => {
        if (cancelled) return;
        setJoined(j);
        setPublicRooms(p);
      },
      (e: unknown) => {
        if (!cancelled) setError(e instanceof Error ? e.message : 'Could not load rooms.');
      },
    );
    const timer = refreshMs > 0 ? setInterval(() => void refresh(), refreshMs) : undefined;
    return () => {
      cancelled = true;
      if (timer !== undefined) clearInterval(timer);
    };
  }, [refresh, refreshMs]);

  return { joined, publicRooms, error, refresh };
}
