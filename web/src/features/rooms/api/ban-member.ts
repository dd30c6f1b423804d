// POST /api/v1/rooms/{room}/ban {user}: removes a member, who can neither rejoin nor post.

import { apiPost } from '../../../lib/api-client';

export async function banMember(room: string, user: string): Promise<void> {
  await apiPost<unknown>(`/rooms/${encodeURIComponent(room)}/ban`, { user });
}
