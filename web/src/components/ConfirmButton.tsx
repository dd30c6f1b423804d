// A button whose action needs a second yes: it opens a small alertdialog next
// to it ("Delete this message?" Delete / Cancel). Escape or Cancel closes it
// and gives the focus back to the button; the dialog takes the focus on Cancel,
// so that a stray Enter never confirms a destructive action.

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

type Props = {
  /** The button's visible text. */
  children: ReactNode;
  /** The button's accessible name, when it differs from its text. */
  'aria-label'?: string;
  'aria-describedby'?: string;
  className?: string;
  disabled?: boolean;
  /** What is asked: "Delete this message?" */
  question: string;
  /** The confirming button's text: "Delete". */
  confirmLabel: string;
  onConfirm: () => void;
};

export function ConfirmButton({ children, className, disabled, question, confirmLabel, onConfirm, ...rest }: Props) {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const questionId = useId();

  useEffect(() => {
    if (open) cancel.current?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    opener.current?.focus();
  };

  return (
    <span className="confirm-wrap">
      <button
        ref={opener}
        type="button"
        className={className}
        aria-label={rest['aria-label']}
        aria-describedby={rest['aria-describedby']}
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen(!open)}
      >
        {children}
      </button>
      {open && (
        <div
          role="alertdialog"
          aria-labelledby={questionId}
          className="confirm"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          <p id={questionId}>{question}</p>
          <div className="row">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setOpen(false);
                // Back on the button, as before asking: what the action does
                // to the button (a deleted message's tombstone) moves it on.
                opener.current?.focus();
                onConfirm();
              }}
            >
              {confirmLabel}
            </button>
            <button ref={cancel} type="button" className="secondary" onClick={close}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </span>
  );
}
