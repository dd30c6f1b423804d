import { describe, expect, it } from 'vitest';
import { documentTitle, faviconHref, hashForRoom, roomFromHash } from './room-url';

describe('room addresses', () => {
  it('round-trips room ids through the hash', () => {
    expect(hashForRoom('rust-talk')).toBe('#/room/rust-talk');
    expect(roomFromHash(hashForRoom('dm-1-2'))).toBe('dm-1-2');
    expect(roomFromHash(hashForRoom('a b/ü'))).toBe('a b/ü');
  });

  it('ignores hashes that name no room', () => {
    expect(roomFromHash('')).toBeNull();
    expect(roomFromHash('#/room/')).toBeNull();
    expect(roomFromHash('#other')).toBeNull();
    expect(roomFromHash('#/room/%E0%A4%A')).toBeNull();
  });

  it('puts the unread total in the title', () => {
    expect(documentTitle(0)).toBe('webchat');
    expect(documentTitle(3)).toBe('(3) webchat');
    expect(documentTitle(5000)).toBe('(999+) webchat');
  });

  it('puts the unread total on the favicon', () => {
    expect(decodeURIComponent(faviconHref(0))).not.toContain('<text');
    expect(decodeURIComponent(faviconHref(3))).toContain('>3</text>');
    expect(decodeURIComponent(faviconHref(250))).toContain('>99+</text>');
  });
});
