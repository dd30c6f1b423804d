// GET /api/v1/rooms/public: every public room.

import { apiGet } from '../../../lib/api-client';
import type { Room } from '../../../types/api';

export async function getPublicRooms(): Promise<Room[]> {
  return (await apiGet<{ rooms: Room[] }>('/rooms/public')).rooms;
}
