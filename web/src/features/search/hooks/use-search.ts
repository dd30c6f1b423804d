// The state of the last search: the query, its results, and a way to run one.

import { useCallback, useRef, useState } from 'react';
import { searchMessages, type SearchHit } from '../api/search-messages';

export type SearchState = {
  /** null when no search was made (or it was closed). */
  query: string | null;
  room: string | undefined;
  results: SearchHit[];
  hasMore: boolean;
  loading: boolean;
  error: string | null;
};

const IDLE: SearchState = { query: null, room: undefined, results: [], hasMore: false, loading: false, error: null };

export function useSearch(search = searchMessages) {
  const [state, setState] = useState<SearchState>(IDLE);
  const latest = useRef(0);

  const run = useCallback(
    async (q: string, room?: string) => {
      const query = q.trim();
      if (!query) return;
      const id = ++latest.current;
      setState({ ...IDLE, query, room, loading: true });
      try {
        const page = await search(query, room);
        if (id === latest.current) {
          setState({ query, room, results: page.results, hasMore: page.has_more, loading: false, error: null });
        }
      } catch (e) {
        if (id === latest.current) {
          setState({ ...IDLE, query, room, error: e instanceof Error ? e.message : 'The search failed.' });
        }
      }
    },
    [search],
  );

  const close = useCallback(() => {
    latest.current += 1;
    setState(IDLE);
  }, []);

  return { state, run, close };
}
