// DELETE /api/v1/rooms/{room}/messages/{id}: the REST form of the `delete` command.

import { apiDelete } from '../../../lib/api-client';
import type { ChatEvent } from './get-events';

export function deleteMessage(room: string, id: number): Promise<ChatEvent> {
  return apiDelete<ChatEvent>(`/rooms/${encodeURIComponent(room)}/messages/${id}`);
}
