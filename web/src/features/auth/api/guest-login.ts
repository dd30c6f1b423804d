// POST /api/v1/auth/guest {name}: creates a guest and sets the session cookie.

import { apiPost } from '../../../lib/api-client';
import type { User } from '../../../types/api';

/** A user as the server sends it now: accounts have a `username`; server admins `admin: true`. */
export type AccountUser = User & { username?: string; admin?: boolean };

export type AuthResponse = { user: AccountUser; token: string };

export async function guestLogin(name: string): Promise<AccountUser> {
  const res = await apiPost<AuthResponse>('/auth/guest', { name });
  return res.user;
}
