// GET /api/v1/rooms/{room}/events: a page of a room's log, ascending seq.

import { apiGet } from '../../../lib/api-client';
import type { RoomEvent, Schemas } from '../../../types/api';

/**
 * A log entry: history marks edited messages (`body` is the current text) and
 * deleted ones (tombstones, no `body`); kicks, bans and invites name the `actor`.
 */
export type ChatEvent = RoomEvent;

export type EventsPage = Schemas['EventsResponse'];

export const HISTORY_PAGE = 50;

export function getEvents(
  room: string,
  params: { before?: number; after?: number; limit?: number } = {},
): Promise<EventsPage> {
  const q = new URLSearchParams();
  q.set('limit', String(params.limit ?? HISTORY_PAGE));
  if (params.before !== undefined) q.set('before', String(params.before));
  if (params.after !== undefined) q.set('after', String(params.after));
  return apiGet<EventsPage>(`/rooms/${encodeURIComponent(room)}/events?${q}`);
}
