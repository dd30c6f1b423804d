// DELETE /api/v1/sessions/{id}: ends a session; its open sockets close with 1008.

import { apiDelete } from '../../../lib/api-client';

export async function revokeSession(id: number): Promise<void> {
  await apiDelete<unknown>(`/sessions/${id}`);
}
