// POST /api/v1/rooms/{room}/kick {user}: removes a member (username, or a guest's display name).

import { apiPost } from '../../../lib/api-client';

export async function kickMember(room: string, user: string): Promise<void> {
  await apiPost<unknown>(`/rooms/${encodeURIComponent(room)}/kick`, { user });
}
