// POST /api/v1/rooms/{room}/leave: ends the membership (and any role); the
// server also ends this user's subscriptions to the room with reason `left`.

import { apiPost } from '../../../lib/api-client';

export async function leaveRoom(room: string): Promise<void> {
  await apiPost<unknown>(`/rooms/${encodeURIComponent(room)}/leave`);
}
