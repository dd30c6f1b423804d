// GET /api/v1/rooms: the rooms the user joined.

import { apiGet } from '../../../lib/api-client';
import type { Room } from '../../../types/api';

export async function getRooms(): Promise<Room[]> {
  return (await apiGet<{ rooms: Room[] }>('/rooms')).rooms;
}
