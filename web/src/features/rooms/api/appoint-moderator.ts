// POST /api/v1/rooms/{room}/moderators {id} or {user}: the owner (or an admin)
// makes a member a moderator. There is no route to demote one (protocol §12).

import { apiPost } from '../../../lib/api-client';
import type { UserRef } from './user-ref';

export async function appointModerator(room: string, target: UserRef): Promise<void> {
  await apiPost<unknown>(`/rooms/${encodeURIComponent(room)}/moderators`, target);
}
