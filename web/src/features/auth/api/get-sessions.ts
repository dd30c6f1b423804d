// GET /api/v1/sessions: the user's browser sessions (`current` is this one).

import { apiGet } from '../../../lib/api-client';
import type { Schemas } from '../../../types/api';

export type SessionInfo = Schemas['SessionView'];

export async function getSessions(): Promise<SessionInfo[]> {
  return (await apiGet<Schemas['SessionsResponse']>('/sessions')).sessions;
}
