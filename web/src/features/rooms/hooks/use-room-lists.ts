// The two lists the sidebar shows: joined rooms and public rooms.

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

export function useRoomLists(): RoomLists {
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
    return () => {
      cancelled = true;
    };
  }, []);

  return { joined, publicRooms, error, refresh };
}
