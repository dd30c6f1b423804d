// POST /api/v1/rooms/{room}/ban {id} or {user}: removes a member, who can neither rejoin nor post.

import { apiPost } from '../../../lib/api-client';
import type { UserRef } from './user-ref';

export async function banMember(room: string, target: UserRef): Promise<void> {
  await apiPost<unknown>(`/rooms/${encodeURIComponent(room)}/ban`, target);
}
