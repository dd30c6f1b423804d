// The open room's members and whether the signed-in user moderates it.

import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { getMembers, standing, type Member } from '../api/get-members';

export type Members = {
  members: Member[];
  /** The user's standing in the room (see `standing`); 2 or more moderates. */
  myStanding: number;
  moderates: boolean;
  error: string | null;
  refresh: () => Promise<void>;
};

const errorText = (e: unknown) => (e instanceof Error ? e.message : 'Could not load the members.');

export function useMembers(room: string, me: { id: number; admin?: boolean }): Members {
  const [state, setState] = useState<{ room: string; members: Member[]; error: string | null }>({
    room,
    members: [],
    error: null,
  });
  // The room on screen and the newest request for it. A refresh started for
  // the previous room (the Members button, or a kick finishing after a
  // switch) may answer after the new room's list arrived; applying it would
  // replace the open room's members with another room's (shown as none).
  // Likewise an older request for the same room must not undo a newer one.
  const latest = useRef({ room, request: 0 });

  /** Starts a request for `target`; `isCurrent` tells later whether its answer still applies. */
  const request = useCallback((target: string) => {
    const id = ++latest.current.request;
    const isCurrent = () => latest.current.room === target && latest.current.request === id;
    return { members: getMembers(target), isCurrent };
  }, []);

  const refresh = useCallback(async () => {
    if (latest.current.room !== room) return;
    const r = request(room);
    try {
      const members = await r.members;
      if (r.isCurrent()) setState({ room, members, error: null });
    } catch (e) {
      if (r.isCurrent()) {
        setState((s) => ({ room, members: s.room === room ? s.members : [], error: errorText(e) }));
      }
    }
  }, [request, room]);

  // A layout effect, so that the room is current before anything (a click
  // included) can ask for a refresh of it.
  useLayoutEffect(() => {
    latest.current = { room, request: latest.current.request };
    const r = request(room);
    r.members.then(
      (members) => {
        if (r.isCurrent()) setState({ room, members, error: null });
      },
      (e: unknown) => {
        if (r.isCurrent()) setState({ room, members: [], error: errorText(e) });
      },
    );
  }, [request, room]);

  const members = useMemo(() => (state.room === room ? state.members : []), [state, room]);
  const mine = members.find((m) => m.user.id === me.id);
  const myStanding = standing({ admin: me.admin || mine?.user.admin }, mine?.role ?? null);
  return { members, myStanding, moderates: myStanding >= 2, error: state.error, refresh };
}
