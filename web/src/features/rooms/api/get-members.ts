// GET /api/v1/rooms/{room}/members: the members with their role in the room.

import { apiGet } from '../../../lib/api-client';
import type { User } from '../../../types/api';

export type MemberRole = 'owner' | 'moderator' | 'member';

/** A user as the server sends it now: accounts have a `username`; admins `admin: true`. */
export type MemberUser = User & { username?: string; admin?: boolean };

export type Member = { user: MemberUser; role: MemberRole };

export async function getMembers(room: string): Promise<Member[]> {
  return (await apiGet<{ members: Member[] }>(`/rooms/${encodeURIComponent(room)}/members`)).members;
}

/** Admins above owners above moderators above members (the server's rule for kick and ban). */
export function standing(user: { admin?: boolean }, role: MemberRole | null): number {
  if (user.admin) return 4;
  switch (role) {
    case 'owner':
      return 3;
    case 'moderator':
      return 2;
    case 'member':
      return 1;
    default:
      return 0;
  }
}
