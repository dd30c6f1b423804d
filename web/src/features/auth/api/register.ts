// POST /api/v1/auth/register {username, password}: a new account (201), or,
// when the request carries a guest's session cookie, that guest turned into
// an account (same user id, same history). 409 when the username is taken,
// 400 with the reason when the username or password is not acceptable.

import { apiPost } from '../../../lib/api-client';
import type { AccountUser, AuthResponse } from './guest-login';

export async function register(username: string, password: string): Promise<AccountUser> {
  const res = await apiPost<AuthResponse>('/auth/register', { username: username.trim(), password });
  return res.user;
}
