// GET /api/v1/search?q=&room=: full-text search over the messages the user
// may read, best match first.

import { apiGet } from '../../../lib/api-client';
import type { RoomEvent, Schemas } from '../../../types/api';

export type SearchHit = RoomEvent;

export type SearchPage = Schemas['SearchResponse'];

export const MAX_QUERY_CHARS = 256;

export function searchMessages(q: string, room?: string): Promise<SearchPage> {
  const params = new URLSearchParams({ q: q.trim() });
  if (room) params.set('room', room);
  return apiGet<SearchPage>(`/search?${params}`);
}
