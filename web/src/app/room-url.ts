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

/**
 * The tab's icon: a chat bubble, with the unread total on a red dot when
 * there is one (a tab strip too narrow for the title still shows it).
 */
export function faviconHref(unread: number): string {
  const count = unread > 99 ? '99+' : String(unread);
  const dot =
    unread > 0
      ? `<circle cx="46" cy="18" r="18" fill="#b3261e"/><text x="46" y="25" font-family="sans-serif" font-size="${count.length > 2 ? 14 : 20}" font-weight="700" fill="#fff" text-anchor="middle">${count}</text>`
      : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><path fill="#2257c5" d="M8 10h40a6 6 0 0 1 6 6v24a6 6 0 0 1-6 6H26l-12 10v-10H8a6 6 0 0 1-6-6V16a6 6 0 0 1 6-6z"/>${dot}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
