// Every room has an address: `#/room/<id>`. A reload or a shared link opens
// that room; the lobby is the address-less start. The hash (not a path)
// keeps the server's routing untouched: any path under / serves the app.

const PREFIX = '#/room/';

/** The room id in a location hash, if it names one. */
export function roomFromHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  try {
    const id = decodeURIComponent(hash.slice(PREFIX.length));
    return id === '' ? null : id;
  } catch {
    return null;
  }
}

export function hashForRoom(id: string): string {
  return `${PREFIX}${encodeURIComponent(id)}`;
}

/** "(3) webchat": the unread total first, where a tab strip still shows it. */
export function documentTitle(unread: number): string {
  return unread > 0 ? `(${unread > 999 ? '999+' : unread}) webchat` : 'webchat';
}
