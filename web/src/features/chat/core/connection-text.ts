// The words of the connection indicator.

import type { ConnectionState } from './chat-store';

export function connectionText(c: ConnectionState, now: number): string {
  switch (c.kind) {
    case 'connected':
      return 'Connected';
    case 'idle':
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting': {
      // `now` may be older than the state (the ticker has not run yet).
      const s = Math.ceil((c.retryAt - Math.max(now, c.since)) / 1000);
      return s >= 1 ? `Reconnecting in ${s} s` : 'Reconnecting…';
    }
    case 'offline':
      return 'Offline';
  }
}
