// GET /api/v1/me: the signed-in user, or null when there is no session (401).

import { ApiError, apiGet } from '../../../lib/api-client';
import type { AccountUser } from './guest-login';

export async function getMe(): Promise<AccountUser | null> {
  try {
    return await apiGet<AccountUser>('/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}
