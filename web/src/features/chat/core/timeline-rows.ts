// What the log shows, row by row: day separators, the "New messages" divider
// at the read position the room was opened with, and messages marked as the
// continuation of a group (same author, within GROUP_WINDOW_MS, same day),
// which the view shows without name and avatar. No React, so it is tested on
// its own and the view can hand the rows to a virtualiser.

import type { DisplayItem } from './chat-store';

export const GROUP_WINDOW_MS = 5 * 60_000;

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'unread'; key: 'unread' }
  | { kind: 'item'; key: string; item: DisplayItem; continued: boolean };

// en-GB words, joined by hand: "Monday 30 November [2025]" (Intl puts a comma
// before a year); the interface is English throughout.
const WEEKDAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long' });
const MONTH = new Intl.DateTimeFormat('en-GB', { month: 'long' });

function dayWords(d: Date, withYear: boolean): string {
  const words = `${WEEKDAY.format(d)} ${d.getDate()} ${MONTH.format(d)}`;
  return withYear ? `${words} ${d.getFullYear()}` : words;
}

function dayKey(d: Date): string {
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday", "Monday 30 November" (with the year when it is not this year's). */
export function dayLabel(ts: Date, now: Date): string {
  if (dayKey(ts) === dayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(ts) === dayKey(yesterday)) return 'Yesterday';
  return dayWords(ts, ts.getFullYear() !== now.getFullYear());
}

/** The full date and time in words, for the title of a message's time. */
export function fullTime(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return `${dayWords(d, true)} at ${d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
}

export function shortTime(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

type Options = {
  now: Date;
  /** The room's read position when it was opened: the divider goes before the first later message of someone else. */
  readAtOpen?: number;
  meId?: number;
};

export function buildRows(items: DisplayItem[], { now, readAtOpen, meId }: Options): Row[] {
  const rows: Row[] = [];
  let lastDay = '';
  let prev: DisplayItem | undefined;
  let divided = readAtOpen === undefined;
  for (const item of items) {
    const d = new Date(item.ts);
    const valid = !Number.isNaN(d.getTime());
    const day = valid ? dayKey(d) : lastDay;
    let newDay = false;
    if (valid && day !== lastDay) {
      rows.push({ kind: 'day', key: `day:${day}`, label: dayLabel(d, now) });
      lastDay = day;
      newDay = true;
    }
    let newGroup = false;
    if (!divided && item.kind === 'message' && item.seq > (readAtOpen ?? 0) && item.author.id !== meId) {
      rows.push({ kind: 'unread', key: 'unread' });
      divided = true;
      newGroup = true;
    }
    const continued =
      !newDay &&
      !newGroup &&
      item.kind === 'message' &&
      prev?.kind === 'message' &&
      prev.author.id === item.author.id &&
      d.getTime() - new Date(prev.ts).getTime() < GROUP_WINDOW_MS;
    rows.push({ kind: 'item', key: item.key, item, continued });
    prev = item;
  }
  return rows;
}

/** Initials of a name for its avatar: "Ada Lovelace" → "AL", "bob" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/[\s._-]+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => [...w][0] ?? '').join('').toUpperCase() || '?';
}

/** A hue derived from the user id: the same person has the same colour everywhere. */
export function avatarHue(userId: number): number {
  // Knuth's multiplicative hash spreads neighbouring ids around the circle.
  return Math.abs(Math.imul(userId, 2654435761)) % 360;
}
