// PATCH /api/v1/rooms/{room}/messages/{id} {body}: the REST form of the `edit`
// command, used when the socket is down or the server does not take `edit` over it.

import { apiPatch } from '../../../lib/api-client';
import type { ChatEvent } from './get-events';

export function editMessage(room: string, id: number, body: string): Promise<ChatEvent> {
  return apiPatch<ChatEvent>(`/rooms/${encodeURIComponent(room)}/messages/${id}`, { body });
}
