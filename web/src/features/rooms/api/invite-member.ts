// POST /api/v1/rooms/{room}/invite {user}: a member adds an account (by username) to the room.

import { apiPost } from '../../../lib/api-client';
import type { Room } from '../../../types/api';

export function inviteMember(room: string, user: string): Promise<Room> {
  return apiPost<Room>(`/rooms/${encodeURIComponent(room)}/invite`, { user: user.trim() });
}
