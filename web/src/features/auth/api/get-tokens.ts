// GET /api/v1/tokens: the account's personal access tokens (never their secrets).

import { apiGet } from '../../../lib/api-client';
import type { Schemas } from '../../../types/api';

export type TokenInfo = Schemas['SessionView'];

export async function getTokens(): Promise<TokenInfo[]> {
  return (await apiGet<Schemas['TokensResponse']>('/tokens')).tokens;
}
