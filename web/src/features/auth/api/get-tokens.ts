// GET /api/v1/tokens: the account's personal access tokens (never their secrets).

import { apiGet } from '../../../lib/api-client';
import type { SessionInfo } from './get-sessions';

export type TokenInfo = SessionInfo;

export async function getTokens(): Promise<TokenInfo[]> {
  return (await apiGet<{ tokens: TokenInfo[] }>('/tokens')).tokens;
}
