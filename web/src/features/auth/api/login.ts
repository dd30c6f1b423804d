// POST /api/v1/auth/login {username, password}: 200 {user, token} and the
// session cookie; 401 for an unknown username or a wrong password alike.

import { ApiError, apiPost } from '../../../lib/api-client';
import type { AccountUser, AuthResponse } from './guest-login';

export async function login(username: string, password: string): Promise<AccountUser> {
  try {
    const res = await apiPost<AuthResponse>('/auth/login', { username: username.trim(), password });
    return res.user;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      throw new ApiError(401, e.code, 'Wrong username or password.');
    }
    throw e;
  }
}
