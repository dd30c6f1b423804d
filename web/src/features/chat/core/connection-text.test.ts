import { describe, expect, it } from 'vitest';
import { connectionText, waitingText } from './connection-text';

describe('connectionText', () => {
  it('names each state', () => {
    expect(connectionText({ kind: 'connected' }, 0)).toBe('Connected');
    expect(connectionText({ kind: 'connecting' }, 0)).toBe('Connecting…');
    expect(connectionText({ kind: 'idle' }, 0)).toBe('Connecting…');
    expect(connectionText({ kind: 'offline', reason: 'x' }, 0)).toBe('Offline');
  });

  it('counts down the reconnect in whole seconds', () => {
    const c = { kind: 'reconnecting' as const, retryAt: 13_000, since: 10_000 };
    expect(connectionText(c, 0)).toBe('Reconnecting in 3 s');
    expect(connectionText(c, 10_000)).toBe('Reconnecting in 3 s');
    expect(connectionText(c, 10_500)).toBe('Reconnecting in 3 s');
    expect(connectionText(c, 11_000)).toBe('Reconnecting in 2 s');
    expect(connectionText(c, 12_999)).toBe('Reconnecting in 1 s');
    expect(connectionText(c, 13_000)).toBe('Reconnecting…');
  });

  it('says how many messages wait for the connection, only while there is none', () => {
    expect(waitingText({ kind: 'offline', reason: 'x' }, 2)).toBe(' — 2 messages waiting');
    expect(waitingText({ kind: 'reconnecting', retryAt: 1, since: 0 }, 1)).toBe(' — 1 message waiting');
    expect(waitingText({ kind: 'offline', reason: 'x' }, 0)).toBe('');
    expect(waitingText({ kind: 'connected' }, 3)).toBe('');
  });
});
