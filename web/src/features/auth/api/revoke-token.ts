// DELETE /api/v1/tokens/{id}: revokes a personal access token.

import { apiDelete } from '../../../lib/api-client';

export async function revokeToken(id: number): Promise<void> {
  await apiDelete<unknown>(`/tokens/${id}`);
}
