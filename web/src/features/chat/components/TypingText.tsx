// "Ann is typing…", "Ann and Bo are typing…", "Several people are typing…",
// each name isolated in <bdi> so that a right-to-left or bidi-laden name
// cannot reorder the sentence around it.

import type { TypingEntry } from '../core/chat-store';

export function TypingText({ entries }: { entries: TypingEntry[] }) {
  const names = entries.map((t) => <bdi key={t.user.id}>{t.user.name}</bdi>);
  if (names.length === 0) return null;
  if (names.length === 1) return <>{names[0]} is typing…</>;
  if (names.length === 2) {
    return (
      <>
        {names[0]} and {names[1]} are typing…
      </>
    );
  }
  return <>Several people are typing…</>;
}
