// GET /api/v1/rooms: the rooms the user joined, with `unread` and `last_read`
// (a direct-message room is named after the other person).

import { apiGet } from '../../../lib/api-client';
import type { Room } from '../../../types/api';

export async function getRooms(): Promise<Room[]> {
  return (await apiGet<{ rooms: Room[] }>('/rooms')).rooms;
}

/** Unread messages to show for a joined room; none for the open one or one read since the last refresh. */
export function unreadCount(room: Room, activeId: string, readMarks: Record<string, number> = {}): number {
  if (room.id === activeId) return 0;
  const unread = room.unread ?? 0;
  const mark = readMarks[room.id];
  if (mark === undefined || mark <= (room.last_read ?? 0)) return unread;
  // Read here since the server counted: at most what came after the mark.
  return Math.max(0, Math.min(unread, room.head - mark));
}
