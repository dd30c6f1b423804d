// GET /api/v1/sessions: the user's browser sessions (`current` is this one).

import { apiGet } from '../../../lib/api-client';

export type SessionInfo = { id: number; name: string; created_at: string; current: boolean };

export async function getSessions(): Promise<SessionInfo[]> {
  return (await apiGet<{ sessions: SessionInfo[] }>('/sessions')).sessions;
}
