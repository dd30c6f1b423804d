// POST /api/v1/rooms: creates a public or private room (the creator joins it as owner).

import { apiPost } from '../../../lib/api-client';
import type { Room } from '../../../types/api';

export const ROOM_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A room id from a free-form name: "Rust Talk!" → "rust-talk". */
export function slugify(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64);
}

export function createRoom(
  id: string,
  name: string,
  visibility: 'public' | 'private' = 'public',
): Promise<Room> {
  return apiPost<Room>('/rooms', { id, name, visibility });
}
