// POST /api/v1/tokens {name}: 201 {id, name, token}; the secret is shown only once.
// Accounts only (403 for guests).

import { apiPost } from '../../../lib/api-client';

export type NewToken = { id: number; name: string; token: string };

export function createToken(name: string): Promise<NewToken> {
  return apiPost<NewToken>('/tokens', { name: name.trim() });
}
