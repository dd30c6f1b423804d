// GET /api/v1/rooms/{room}/members: the members with their role in the room.

import { apiGet } from '../../../lib/api-client';
import type { Schemas } from '../../../types/api';

/** `role` is `owner`, `moderator` or `member`; the schema types it as a plain string. */
export type Member = Schemas['MemberView'];

export async function getMembers(room: string): Promise<Member[]> {
  return (await apiGet<Schemas['MembersResponse']>(`/rooms/${encodeURIComponent(room)}/members`)).members;
}

/**
 * Admins above owners above moderators above members (the server's rule for
 * kick and ban); a role this client does not know counts as no standing.
 */
export function standing(user: { admin?: boolean }, role: string | null): number {
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
