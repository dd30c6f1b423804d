// POST /api/v1/rooms/{room}/join.

import { apiPost } from '../../../lib/api-client';
import type { Room } from '../../../types/api';

export function joinRoom(id: string): Promise<Room> {
  return apiPost<Room>(`/rooms/${encodeURIComponent(id)}/join`);
}
