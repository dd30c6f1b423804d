// GET /api/v1/rooms/{room}/bans: the room's bans with who placed each, for
// those who moderate the room only (403 otherwise).

import { apiGet } from '../../../lib/api-client';
import type { Schemas } from '../../../types/api';

export type Ban = Schemas['BanView'];

export async function getBans(room: string): Promise<Ban[]> {
  return (await apiGet<Schemas['BansResponse']>(`/rooms/${encodeURIComponent(room)}/bans`)).bans;
}
