// The open room's members and whether the signed-in user moderates it.

import { useCallback, useEffect, useState } from 'react';
import { getMembers, standing, type Member } from '../api/get-members';

export type Members = {
  members: Member[];
  /** The user's standing in the room (see `standing`); 2 or more moderates. */
  myStanding: number;
  moderates: boolean;
  error: string | null;
  refresh: () => Promise<void>;
};

export function useMembers(room: string, me: { id: number; admin?: boolean }): Members {
  const [state, setState] = useState<{ room: string; members: Member[]; error: string | null }>({
    room,
    members: [],
    error: null,
  });

  const refresh = useCallback(async () => {
    try {
      const members = await getMembers(room);
      setState({ room, members, error: null });
    } catch (e) {
      setState((s) => ({ ...s, room, error: e instanceof Error ? e.message : 'Could not load the members.' }));
    }
  }, [room]);

  useEffect(() => {
    let cancelled = false;
    getMembers(room).then(
      (members) => {
        if (!cancelled) setState({ room, members, error: null });
      },
      (e: unknown) => {
        if (!cancelled) {
          setState({ room, members: [], error: e instanceof Error ? e.message : 'Could not load the members.' });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [room]);

  const members = state.room === room ? state.members : [];
  const mine = members.find((m) => m.user.id === me.id);
  const myStanding = standing({ admin: me.admin || mine?.user.admin }, mine?.role ?? null);
  return { members, myStanding, moderates: myStanding >= 2, error: state.error, refresh };
}
