// POST /api/v1/tokens {name}: 201 {id, name, token}; the secret is shown only once.
// Accounts only (403 for guests).

import { apiPost } from '../../../lib/api-client';
import type { Schemas } from '../../../types/api';

export type CreatedToken = Schemas['CreatedToken'];

export function createToken(name: string): Promise<CreatedToken> {
  const body: Schemas['NewToken'] = { name: name.trim() };
  return apiPost<CreatedToken>('/tokens', body);
}
