// The room's log: confirmed messages (by seq), then the user's pending ones.
// Scrolling to the top loads older history; the scroll position is kept when
// older messages are prepended, and follows new messages while at the bottom.
// User text is rendered as React text nodes only, never as HTML.

import { useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type UIEvent } from 'react';
import type { DisplayItem, PendingMessage } from '../core/chat-store';

type Me = { id: number; name: string } | null;

type Props = {
  items: DisplayItem[];
  pending: PendingMessage[];
  me: Me;
  hasMore: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (nonce: string) => void;
  onDiscard: (nonce: string) => void;
  /** Whether the user may edit a message by this other author (a
   *  moderator, over authors of lower standing). */
  canEditOthers?: (authorId: number) => boolean;
  /** The user moderates the room: may delete anyone's message. */
  canDeleteOthers?: boolean;
  onEdit?: (id: number, body: string) => Promise<void>;
  onDelete?: (id: number) => Promise<void>;
  /** Told when the user scrolls away from or back to the newest messages. */
  onFollowingChange?: (following: boolean) => void;
};

const TOP_THRESHOLD_PX = 40;
const BOTTOM_THRESHOLD_PX = 80;

function formatTime(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function MessageList({
  items,
  pending,
  me,
  hasMore,
  loadingOlder,
  onLoadOlder,
  onRetry,
  onDiscard,
  canEditOthers,
  canDeleteOthers = false,
  onEdit,
  onDelete,
  onFollowingChange,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prev = useRef<{ firstSeq: number | undefined; scrollHeight: number; scrollTop: number }>({
    firstSeq: undefined,
    scrollHeight: 0,
    scrollTop: 0,
  });

  const firstSeq = items.length ? items[0].seq : undefined;
  const lastKey = pending.length
    ? pending[pending.length - 1].nonce
    : items.length
      ? items[items.length - 1].key
      : '';

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const p = prev.current;
    if (p.firstSeq !== undefined && firstSeq !== undefined && firstSeq < p.firstSeq) {
      // Older messages were prepended: keep the same messages in view.
      el.scrollTop = p.scrollTop + (el.scrollHeight - p.scrollHeight);
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    prev.current = { firstSeq, scrollHeight: el.scrollHeight, scrollTop: el.scrollTop };
  }, [firstSeq, lastKey, items.length]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    const following = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_THRESHOLD_PX;
    if (following !== atBottom.current) onFollowingChange?.(following);
    atBottom.current = following;
    prev.current = { ...prev.current, scrollHeight: el.scrollHeight, scrollTop: el.scrollTop };
    if (el.scrollTop <= TOP_THRESHOLD_PX && hasMore && !loadingOlder) onLoadOlder();
  };

  return (
    <div className="messages">
      {hasMore && (
        <div className="load-older">
          <button type="button" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
        </div>
      )}
      <div
        ref={ref}
        className="message-log"
        role="log"
        aria-label="Messages"
        aria-live="polite"
        onScroll={onScroll}
        tabIndex={0}
      >
        {items.length === 0 && pending.length === 0 && (
          <p className="empty">No messages yet. Say hello!</p>
        )}
        {items.map((item) =>
          item.kind === 'system' ? (
            <p key={item.key} className="system-event" data-seq={item.seq}>
              {item.text}
            </p>
          ) : (
            <MessageItem
              key={item.key}
              item={item}
              own={me !== null && item.author.id === me.id}
              canEdit={(me !== null && item.author.id === me.id) || (canEditOthers?.(item.author.id) ?? false)}
              canDelete={(me !== null && item.author.id === me.id) || canDeleteOthers}
              onEdit={onEdit}
              onDelete={onDelete}
            />
          ),
        )}
        {pending.map((p) => (
          <article
            key={p.nonce}
            className={`message own pending${p.state === 'failed' ? ' failed' : ''}`}
            data-own="true"
            data-pending="true"
            aria-busy={p.state === 'pending'}
          >
            <div className="meta">
              <span className="author">{me?.name ?? 'You'}</span>
              <span className="state">{p.state === 'pending' ? 'Sending…' : 'Not sent'}</span>
            </div>
            <p className="body">{p.body}</p>
            {p.state === 'failed' && (
              <div className="failed-actions">
                <span className="error">{p.error}</span>
                <button type="button" onClick={() => onRetry(p.nonce)}>
                  Retry
                </button>
                <button type="button" onClick={() => onDiscard(p.nonce)}>
                  Discard
                </button>
              </div>
            )}
          </article>
        ))}
      </div>
    </div>
  );
}

type ItemProps = {
  item: Extract<DisplayItem, { kind: 'message' }>;
  own: boolean;
  canEdit: boolean;
  canDelete: boolean;
  onEdit?: (id: number, body: string) => Promise<void>;
  onDelete?: (id: number) => Promise<void>;
};

function MessageItem({ item, own, canEdit, canDelete, onEdit, onDelete }: ItemProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editId = useId();

  const run = async (action: () => Promise<void>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      after?.();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'That did not work.');
    } finally {
      setBusy(false);
    }
  };

  const save = (e?: FormEvent) => {
    e?.preventDefault();
    if (!onEdit) return;
    const body = draft;
    if (body.trim() === '') return;
    if (body === item.body) {
      setEditing(false);
      return;
    }
    void run(() => onEdit(item.id, body), () => setEditing(false));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      setEditing(false);
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      save();
    }
  };

  const classes = ['message', own ? 'own' : 'other'];
  if (item.deleted) classes.push('deleted');
  return (
    <article
      className={classes.join(' ')}
      data-own={own ? 'true' : 'false'}
      data-seq={item.seq}
      data-deleted={item.deleted ? 'true' : undefined}
    >
      <div className="meta">
        <span className="author">{item.author.name}</span>
        <time dateTime={item.ts} title={item.ts}>
          {formatTime(item.ts)}
        </time>
        {item.edited && <span className="edited">(edited)</span>}
      </div>
      {item.deleted ? (
        <p className="body tombstone">Message deleted</p>
      ) : editing ? (
        <form className="edit-form" onSubmit={save}>
          {/* Not "Edit message text": Playwright matches names by substring, and
              the composer must be the only textbox a query for "Message" finds. */}
          <label htmlFor={editId} className="visually-hidden">
            Edit text
          </label>
          <textarea
            id={editId}
            value={draft}
            rows={2}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <div className="message-actions">
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="body">{item.body}</p>
      )}
      {!item.deleted && !editing && ((canEdit && onEdit) || (canDelete && onDelete)) && (
        <div className="message-actions">
          {canEdit && onEdit && (
            <button
              type="button"
              className="link"
              aria-label="Edit message"
              disabled={busy}
              onClick={() => {
                setDraft(item.body);
                setError(null);
                setEditing(true);
              }}
            >
              Edit
            </button>
          )}
          {canDelete && onDelete && (
            <button
              type="button"
              className="link"
              aria-label="Delete message"
              disabled={busy}
              onClick={() => void run(() => onDelete(item.id))}
            >
              Delete
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
