// The words of the connection indicator.

import type { ConnectionState } from './chat-store';

/**
 * The state in words, the same for as long as the state lasts: this is what
 * the status region announces, so it must not change every second, nor on
 * every retry (the socket reports each attempt after a drop as
 * `reconnecting`, due now).
 */
export function connectionLabel(c: ConnectionState): string {
  switch (c.kind) {
    case 'connected':
      return 'Connected';
    case 'idle':
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting';
    case 'offline':
      return 'Offline';
  }
}

/** Messages the user sent that wait for the connection, said after the state: "Offline — 2 messages waiting". */
export function waitingText(c: ConnectionState, waiting: number): string {
  if (c.kind === 'connected' || waiting === 0) return '';
  return ` — ${waiting} ${waiting === 1 ? 'message' : 'messages'} waiting`;
}

/** What follows the label on screen: the countdown to the next attempt. */
export function connectionDetail(c: ConnectionState, now: number): string {
  if (c.kind !== 'reconnecting') return '';
  // `now` may be older than the state (the ticker has not run yet).
  const s = Math.ceil((c.retryAt - Math.max(now, c.since)) / 1000);
  return s >= 1 ? ` in ${s} s` : '…';
}

/** The indicator's full visible text. */
export function connectionText(c: ConnectionState, now: number): string {
  return connectionLabel(c) + connectionDetail(c, now);
}
