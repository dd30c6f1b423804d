// POST /api/v1/rooms/{room}/kick {id} or {user}: removes a member, who may rejoin a public room.

import { apiPost } from '../../../lib/api-client';
import type { UserRef } from './user-ref';

export async function kickMember(room: string, target: UserRef): Promise<void> {
  await apiPost<unknown>(`/rooms/${encodeURIComponent(room)}/kick`, target);
}
