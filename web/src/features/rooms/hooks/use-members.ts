// The open room's members and whether the signed-in user moderates it.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { getMembers, standing, type Member } from '../api/get-members';

export type Members = {
  members: Member[];
  /** The user's standing in the room (see `standing`); 2 or more moderates. */
  myStanding: number;
  moderates: boolean;
  /** Whether the user may edit and delete messages by `authorId`, who is not
   *  them: moderators act only on authors of lower standing (as the server). */
  outranks: (authorId: number) => boolean;
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

  const members = useMemo(() => (state.room === room ? state.members : []), [state, room]);
  const mine = members.find((m) => m.user.id === me.id);
  const myStanding = standing({ admin: me.admin || mine?.user.admin }, mine?.role ?? null);
  const outranks = useCallback(
    (authorId: number) => {
      if (myStanding < 2) return false;
      const author = members.find((m) => m.user.id === authorId);
      // A former member has no role; an admin among them is not known here,
      // and the server refuses what this lets through.
      const theirs = author ? standing(author.user, author.role) : 0;
      return theirs < myStanding;
    },
    [members, myStanding],
  );
  return { members, myStanding, moderates: myStanding >= 2, outranks, error: state.error, refresh };
}
