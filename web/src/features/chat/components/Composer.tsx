// The message box: Enter sends, Shift+Enter inserts a newline; blank bodies are not sent.
// While the user may not post in the room it stays in place, disabled, saying why:
// aria-disabled and read-only rather than `disabled`, which would take the
// focus away from someone typing when a removal arrives.
//
// The box grows with its text up to a limit (CSS field-sizing), says how
// many characters are left once few are, keeps its draft per room in the
// browser (a reload or a room switch does not lose it), and Up in an empty
// box edits the user's last message, as in most chat clients.

import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { readLocal, writeLocal } from '../../../lib/local-value';

type Props = {
  onSend: (body: string) => void;
  roomName: string;
  maxLength?: number;
  /** true while the user types, false when the box is cleared. */
  onTyping?: (active: boolean) => void;
  /** Why the user cannot post here now; the box and Send are (aria-)disabled while set. */
  disabledReason?: string | null;
  /** Where the draft is kept (per user and room); none: not kept. */
  draftKey?: string;
  /** Up in the empty box: edit the last own message. */
  onEditLast?: () => void;
};

/** The count of characters left shows from this share of the limit on. */
const NEAR_LIMIT = 0.9;

export function Composer({
  onSend,
  roomName,
  maxLength = 4000,
  onTyping,
  disabledReason,
  draftKey,
  onEditLast,
}: Props) {
  const storeKey = draftKey === undefined ? undefined : `draft:${draftKey}`;
  const [body, setBodyState] = useState(() => (storeKey ? (readLocal(storeKey) ?? '') : ''));
  const id = useId();
  const reasonId = useId();
  const leftId = useId();
  const disabled = Boolean(disabledReason);
  // Characters as the server counts them (code points), not UTF-16 units.
  const used = [...body].length;
  const left = maxLength - used;
  const nearLimit = used >= maxLength * NEAR_LIMIT;

  const setBody = (value: string) => {
    setBodyState(value);
    if (storeKey) writeLocal(storeKey, value);
  };

  const submit = () => {
    if (disabled || body.trim() === '') return;
    onSend(body);
    setBody('');
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'ArrowUp' && body === '' && onEditLast && !disabled) {
      e.preventDefault();
      onEditLast();
    }
  };

  const describedBy = [disabled ? reasonId : null, nearLimit ? leftId : null].filter(Boolean).join(' ');
  return (
    <form className="composer" onSubmit={onSubmit}>
      {disabled && (
        <p id={reasonId} className="composer-note">
          {disabledReason}
        </p>
      )}
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        rows={1}
        value={body}
        readOnly={disabled}
        aria-disabled={disabled || undefined}
        aria-describedby={describedBy || undefined}
        maxLength={maxLength}
        placeholder={`Message ${roomName}`}
        onChange={(e) => {
          setBody(e.target.value);
          onTyping?.(e.target.value.trim() !== '');
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit" aria-disabled={disabled || undefined}>
        Send
      </button>
      {nearLimit && (
        <p id={leftId} className={left <= 0 ? 'chars-left at-limit' : 'chars-left'}>
          {left} {left === 1 ? 'character' : 'characters'} left
        </p>
      )}
    </form>
  );
}
