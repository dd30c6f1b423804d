// POST /api/v1/auth/guest {name}: creates a guest and sets the session cookie.

import { apiPost } from '../../../lib/api-client';
import type { User } from '../../../types/api';

export type AuthResponse = { user: User; token: string };

export async function guestLogin(name: string): Promise<User> {
  const res = await apiPost<AuthResponse>('/auth/guest', { name });
  return res.user;
}
