// POST /api/v1/auth/guest {name}: creates a guest and sets the session cookie.

import { apiPost } from '../../../lib/api-client';
import type { Schemas, User } from '../../../types/api';

/** Accounts have a `username`; server admins `admin: true`. */
export type AccountUser = User;

export type AuthResponse = Schemas['AuthResponse'];

export async function guestLogin(name: string): Promise<AccountUser> {
  const res = await apiPost<AuthResponse>('/auth/guest', { name });
  return res.user;
}
