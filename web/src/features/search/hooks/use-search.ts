// The state of the last search: the query, its results so far, and ways to
// run one and to fetch its next page.

import { useCallback, useRef, useState } from 'react';
import { MAX_OFFSET, PAGE_SIZE, searchMessages, type SearchHit } from '../api/search-messages';

export type SearchState = {
  /** null when no search was made (or it was closed). */
  query: string | null;
  room: string | undefined;
  results: SearchHit[];
  /** More results follow (and the server will serve them: offset ≤ 10 000). */
  hasMore: boolean;
  /** Where the next page starts. */
  nextOffset: number;
  loading: boolean;
  loadingMore: boolean;
  error: string | null;
};

const IDLE: SearchState = {
  query: null,
  room: undefined,
  results: [],
  hasMore: false,
  nextOffset: 0,
  loading: false,
  loadingMore: false,
  error: null,
};

const hitKey = (h: SearchHit) => `${h.room}:${h.seq}`;
const errorText = (e: unknown) => (e instanceof Error ? e.message : 'The search failed.');

export function useSearch(search = searchMessages) {
  const [state, setState] = useState<SearchState>(IDLE);
  // Bumped by every new search and by closing: a page that answers after that
  // belongs to a search no longer on screen.
  const latest = useRef(0);

  const run = useCallback(
    async (q: string, room?: string) => {
      const query = q.trim();
      if (!query) return;
      const id = ++latest.current;
      setState({ ...IDLE, query, room, loading: true });
      try {
        const page = await search(query, room, 0, PAGE_SIZE);
        if (id === latest.current) {
          setState({
            ...IDLE,
            query,
            room,
            results: page.results,
            hasMore: page.has_more && PAGE_SIZE <= MAX_OFFSET,
            nextOffset: PAGE_SIZE,
          });
        }
      } catch (e) {
        if (id === latest.current) setState({ ...IDLE, query, room, error: errorText(e) });
      }
    },
    [search],
  );

  const more = useCallback(async () => {
    const { query, room, nextOffset, hasMore, loading, loadingMore } = state;
    if (query === null || !hasMore || loading || loadingMore) return;
    const id = latest.current;
    setState((prev) => ({ ...prev, loadingMore: true, error: null }));
    try {
      const page = await search(query, room, nextOffset, PAGE_SIZE);
      if (id !== latest.current) return;
      setState((prev) => {
        // New messages may shift the ranking between pages; a hit seen on an
        // earlier page is not listed twice.
        const seen = new Set(prev.results.map(hitKey));
        const fresh = page.results.filter((h) => !seen.has(hitKey(h)));
        const next = nextOffset + PAGE_SIZE;
        return {
          ...prev,
          results: [...prev.results, ...fresh],
          hasMore: page.has_more && next <= MAX_OFFSET,
          nextOffset: next,
          loadingMore: false,
        };
      });
    } catch (e) {
      // The results so far stay; the button stays to try again.
      if (id === latest.current) setState((prev) => ({ ...prev, loadingMore: false, error: errorText(e) }));
    }
  }, [search, state]);

  const close = useCallback(() => {
    latest.current += 1;
    setState(IDLE);
  }, []);

  return { state, run, more, close };
}
