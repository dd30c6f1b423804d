import { describe, expect, it } from 'vitest';
import type { DisplayItem } from './chat-store';
import { avatarHue, buildRows, dayLabel, fullTime, initials } from './timeline-rows';

function msg(seq: number, ts: string, authorId = 2): DisplayItem {
  return {
    kind: 'message',
    key: `s${seq}`,
    seq,
    id: 100 + seq,
    ts,
    author: { id: authorId, name: `user${authorId}` },
    body: `m${seq}`,
    edited: false,
    deleted: false,
  };
}

const now = new Date(2026, 11, 7, 15, 0);

describe('dayLabel', () => {
  it('names today, yesterday, and older days in words', () => {
    expect(dayLabel(new Date(2026, 11, 7, 1, 0), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 11, 6, 23, 0), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 10, 30, 9, 5), now)).toBe('Monday 30 November');
    expect(dayLabel(new Date(2025, 10, 30, 9, 5), now)).toBe('Sunday 30 November 2025');
  });
});

describe('buildRows', () => {
  it('puts a separator before each day and groups one author within five minutes', () => {
    const items = [
      msg(1, new Date(2026, 10, 30, 9, 5).toISOString()),
      msg(2, new Date(2026, 10, 30, 9, 8).toISOString()),
      msg(3, new Date(2026, 10, 30, 9, 14).toISOString()),
      msg(4, new Date(2026, 10, 30, 9, 15).toISOString(), 3),
      msg(5, new Date(2026, 11, 7, 9, 0).toISOString(), 3),
    ];
    const rows = buildRows(items, { now });
    expect(rows.map((r) => (r.kind === 'day' ? r.label : r.kind === 'item' ? `${r.item.seq}${r.continued ? '+' : ''}` : r.kind))).toEqual([
      'Monday 30 November',
      '1',
      '2+',
      '3',
      '4',
      'Today',
      '5',
    ]);
  });

  it('puts the New messages divider before the first unread message of someone else, once', () => {
    const t = new Date(2026, 11, 7, 9, 0).toISOString();
    const items = [msg(1, t), msg(2, t, 1), msg(3, t), msg(4, t)];
    const kinds = buildRows(items, { now, readAtOpen: 1, meId: 1 }).map((r) => (r.kind === 'item' ? r.item.seq : r.kind));
    expect(kinds).toEqual(['day', 1, 2, 'unread', 3, 4]);
    // A message after the divider starts a new group.
    const rows = buildRows(items, { now, readAtOpen: 1, meId: 1 });
    expect(rows.find((r) => r.kind === 'item' && r.item.seq === 3)).toMatchObject({ continued: false });
    expect(buildRows(items, { now, readAtOpen: 4, meId: 1 }).some((r) => r.kind === 'unread')).toBe(false);
    expect(buildRows(items, { now }).some((r) => r.kind === 'unread')).toBe(false);
  });
});

describe('avatars and times', () => {
  it('takes initials and a stable colour per user', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('bob')).toBe('B');
    expect(initials('  ')).toBe('?');
    expect(avatarHue(7)).toBe(avatarHue(7));
    expect(avatarHue(7)).not.toBe(avatarHue(8));
  });

  it('says the full date and time in words', () => {
    expect(fullTime(new Date(2026, 10, 30, 9, 5).toISOString())).toBe('Monday 30 November 2026 at 09:05');
  });
});
