import type { TypingEntry } from './chat-store';

/** "Ann is typing…", "Ann and Bo are typing…", "Several people are typing…". */
export function typingText(entries: TypingEntry[]): string {
  const names = entries.map((t) => t.user.name);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}
