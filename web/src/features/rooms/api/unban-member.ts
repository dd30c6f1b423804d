// POST /api/v1/rooms/{room}/unban {id} or {user}: lifts a ban; the user may join again.

import { apiPost } from '../../../lib/api-client';
import type { UserRef } from './user-ref';

export async function unbanMember(room: string, target: UserRef): Promise<void> {
  await apiPost<unknown>(`/rooms/${encodeURIComponent(room)}/unban`, target);
}
