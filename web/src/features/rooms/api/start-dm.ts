// POST /api/v1/dm/{username}: the direct-message room with that account
// (made on first use); answers the room named after the other person.

import { apiPost } from '../../../lib/api-client';
import type { Room } from '../../../types/api';

export function startDm(username: string): Promise<Room> {
  return apiPost<Room>(`/dm/${encodeURIComponent(username.trim())}`);
}
