// The open room's bans, for those who moderate it. Others are never asked:
// the server would answer 403.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { getBans, type Ban } from '../api/get-bans';

export type Bans = {
  bans: Ban[];
  /** The list for this room has arrived (an empty list means no bans). */
  loaded: boolean;
  error: string | null;
  refresh: () => Promise<void>;
};

const errorText = (e: unknown) => (e instanceof Error ? e.message : 'Could not load the bans.');

export function useBans(room: string, moderates: boolean): Bans {
  const [state, setState] = useState<{ room: string; bans: Ban[]; loaded: boolean; error: string | null }>({
    room,
    bans: [],
    loaded: false,
    error: null,
  });
  // The room on screen and the newest request. Only the newest may answer:
  // one for the previous room, or an older one for this room (from before a
  // ban was lifted), would show stale bans. A refresh asked for the previous
  // room (a lift finishing after a switch) is not even sent.
  const latest = useRef({ room, request: 0 });

  const refresh = useCallback(async () => {
    if (!moderates || latest.current.room !== room) return;
    const request = ++latest.current.request;
    const isCurrent = () => latest.current.room === room && latest.current.request === request;
    try {
      const bans = await getBans(room);
      if (isCurrent()) setState({ room, bans, loaded: true, error: null });
    } catch (e) {
      if (isCurrent()) {
        setState((s) => ({ room, bans: s.room === room ? s.bans : [], loaded: false, error: errorText(e) }));
      }
    }
  }, [room, moderates]);

  // Before the effect below (layout effects run first), so that it is the
  // new room's refresh that passes the check.
  useLayoutEffect(() => {
    latest.current.room = room;
  }, [room]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const current = state.room === room && moderates;
  return {
    bans: current ? state.bans : [],
    loaded: current && state.loaded,
    error: current ? state.error : null,
    refresh,
  };
}
