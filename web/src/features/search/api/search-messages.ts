// GET /api/v1/search?q=&room=&limit=&offset=: full-text search over the
// messages the user may read, best match first, a page at a time.

import { apiGet } from '../../../lib/api-client';
import type { RoomEvent, Schemas } from '../../../types/api';

export type SearchHit = RoomEvent;

export type SearchPage = Schemas['SearchResponse'];

export const MAX_QUERY_CHARS = 256;

/** The server's default page size. */
export const PAGE_SIZE = 20;

/** The server refuses offsets above this (protocol §8). */
export const MAX_OFFSET = 10_000;

export function searchMessages(q: string, room?: string, offset = 0, limit = PAGE_SIZE): Promise<SearchPage> {
  const params = new URLSearchParams({ q: q.trim() });
  if (room) params.set('room', room);
  if (offset > 0) params.set('offset', String(offset));
  if (limit !== PAGE_SIZE) params.set('limit', String(limit));
  return apiGet<SearchPage>(`/search?${params}`);
}
