// The message box: Enter sends, Shift+Enter inserts a newline; blank bodies are not sent.
// While the user may not post in the room it stays in place, disabled, saying why:
// aria-disabled and read-only rather than `disabled`, which would take the
// focus away from someone typing when a removal arrives.

import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';

type Props = {
  onSend: (body: string) => void;
  roomName: string;
  maxLength?: number;
  /** true while the user types, false when the box is cleared. */
  onTyping?: (active: boolean) => void;
  /** Why the user cannot post here now; the box and Send are (aria-)disabled while set. */
  disabledReason?: string | null;
};

export function Composer({ onSend, roomName, maxLength = 4000, onTyping, disabledReason }: Props) {
  const [body, setBody] = useState('');
  const id = useId();
  const reasonId = useId();
  const disabled = Boolean(disabledReason);

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
    }
  };

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
        aria-describedby={disabled ? reasonId : undefined}
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
    </form>
  );
}
