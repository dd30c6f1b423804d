// The message box: Enter sends, Shift+Enter inserts a newline; blank bodies are not sent.

import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';

type Props = {
  onSend: (body: string) => void;
  roomName: string;
  maxLength?: number;
  /** true while the user types, false when the box is cleared. */
  onTyping?: (active: boolean) => void;
};

export function Composer({ onSend, roomName, maxLength = 4000, onTyping }: Props) {
  const [body, setBody] = useState('');
  const id = useId();

  const submit = () => {
    if (body.trim() === '') return;
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
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        rows={1}
        value={body}
        maxLength={maxLength}
        placeholder={`Message ${roomName}`}
        onChange={(e) => {
          setBody(e.target.value);
          onTyping?.(e.target.value.trim() !== '');
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit">Send</button>
    </form>
  );
}
