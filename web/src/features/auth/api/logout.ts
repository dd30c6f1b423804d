// POST /api/v1/auth/logout: ends the session (the cookie is cleared by the server).

import { apiPost } from '../../../lib/api-client';

export async function logout(): Promise<void> {
  await apiPost<unknown>('/auth/logout');
}
