// The room's log: confirmed messages (by seq), then the user's pending ones.
// Scrolling to the top loads older history; the scroll position is kept when
// older messages are prepended, and follows new messages while at the bottom.
// User text is rendered as React text nodes only, never as HTML.
//
// The log is a live region: what is added to it is read out. So it is
// aria-busy while a page of history is on its way and until shortly after it
// is shown (the room's history, "load older"), and a pending message of the
// user's becomes its confirmed message in place (same element, keyed by its
// nonce) instead of leaving and arriving again.
//
// Rows come from core/timeline-rows: day separators and the "New messages"
// divider are separators named by aria-label; a run of one author's
// messages shows the name and avatar once. Scrolled away from the newest
// messages, "Jump to latest" says how many arrived since; sending a message
// brings the user back to it.

import {
  memo,
  useEffect,
  useId,
  useCallback,
  useLayoutEffect,
  useMemo,
  type CSSProperties,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  type UIEvent,
} from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { UserName } from '../../../components/UserName';
import type { DisplayItem, PendingMessage } from '../core/chat-store';
import { avatarHue, buildRows, fullTime, initials, shortTime } from '../core/timeline-rows';
import { MessageBody } from '../markdown/MessageBody';

type Me = { id: number; name: string; username?: string } | null;

type Props = {
  items: DisplayItem[];
  pending: PendingMessage[];
  me: Me;
  /** The room's history has been read (until then the log is busy, and not "empty"). */
  loaded?: boolean;
  hasMore: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (nonce: string) => void;
  onDiscard: (nonce: string) => void;
  /** The user moderates the room: may delete anyone's message. */
  canDeleteOthers?: boolean;
  onEdit?: (id: number, body: string) => Promise<void>;
  onDelete?: (id: number) => Promise<void>;
  /** Told when the user scrolls away from or back to the newest messages. */
  onFollowingChange?: (following: boolean) => void;
  /** The room's read position when it was opened: "New messages" goes after it. */
  readAtOpen?: number;
  /** Bumped to edit the user's last message (Up in an empty composer). */
  editLast?: number;
  /** A message to bring into view and mark (a search hit), if it is loaded. */
  highlightSeq?: number;
};

const TOP_THRESHOLD_PX = 40;
const BOTTOM_THRESHOLD_PX = 80;
/**
 * How long the log stays aria-busy after a page of history is shown: the
 * page is inserted while it is busy, so it is not read out message by message
 * (a screen reader takes the changes of a busy region as one, or skips them).
 */
export const HISTORY_SETTLE_MS = 300;
/** A row's height before it is measured. */
const estimateSize = () => 64;
/**
 * Rows rendered beyond the view on each side: enough that a page of history
 * (50) scrolled to is already there, few enough that 10,000 loaded messages
 * stay well under 2,000 elements in the page.
 */
const OVERSCAN_ROWS = 60;

type MessageRow = Extract<DisplayItem, { kind: 'message' }>;

/** A message of mine is keyed by its nonce, pending or confirmed: one element throughout. */
function rowKey(item: MessageRow, me: Me): string {
  return item.nonce !== undefined && me !== null && item.author.id === me.id ? `n:${item.nonce}` : item.key;
}

/**
 * Whether the log is busy: while `loading`, and for HISTORY_SETTLE_MS after
 * it ends, so that the render that shows the page still has aria-busy set.
 */
function useBusy(loading: boolean): boolean {
  const [was, setWas] = useState(loading);
  const [round, setRound] = useState(0);
  const [settled, setSettled] = useState(0);
  if (loading !== was) {
    // Adjusting state while rendering: the same commit that shows the page
    // marks the log busy.
    setWas(loading);
    if (!loading) setRound(round + 1);
  }
  useEffect(() => {
    if (round === settled) return;
    const t = setTimeout(() => setSettled(round), HISTORY_SETTLE_MS);
    return () => clearTimeout(t);
  }, [round, settled]);
  return loading || round !== settled;
}

/** How many messages arrived after `seq` (counted from the end: the few newest). */
function countAfter(items: DisplayItem[], seq: number): number {
  let n = 0;
  for (let i = items.length - 1; i >= 0 && items[i].seq > seq; i--) if (items[i].kind === 'message') n++;
  return n;
}

export function MessageList({
  items,
  pending,
  me,
  loaded = true,
  hasMore,
  loadingOlder,
  onLoadOlder,
  onRetry,
  onDiscard,
  canDeleteOthers = false,
  onEdit,
  onDelete,
  onFollowingChange,
  readAtOpen,
  editLast = 0,
  highlightSeq,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  /** The newest seq when the user scrolled away from the bottom (null: following). */
  const [awayAt, setAwayAt] = useState<number | null>(null);
  const lastPending = useRef<string | undefined>(undefined);
  const prev = useRef<{ firstSeq: number | undefined; scrollHeight: number; scrollTop: number }>({
    firstSeq: undefined,
    scrollHeight: 0,
    scrollTop: 0,
  });

  const busy = useBusy(!loaded || loadingOlder);

  const firstSeq = items.length ? items[0].seq : undefined;
  const lastKey = pending.length
    ? pending[pending.length - 1].nonce
    : items.length
      ? items[items.length - 1].key
      : '';
  const newestSeq = items.length ? items[items.length - 1].seq : 0;
  const newestPending = pending.length ? pending[pending.length - 1].nonce : undefined;
  // Memoised, like everything the virtualiser reads: it re-renders this list
  // on every scrolled frame, and nothing here may cost O(loaded messages) then.
  const lastOwnId = useMemo(() => {
    for (let i = items.length - 1; i >= 0 && me !== null; i--) {
      const it = items[i];
      if (it.kind === 'message' && it.author.id === me.id && !it.deleted) return it.id;
    }
    return undefined;
  }, [items, me]);
  // A pending message whose event is shown already (it is settled by the
  // next state change) must not be shown twice, nor share its key.
  const pendingShown = useMemo(() => {
    if (pending.length === 0) return pending;
    const confirmed = new Set<string>();
    for (const item of items) {
      if (item.kind === 'message' && item.nonce !== undefined && rowKey(item, me) !== item.key) confirmed.add(item.nonce);
    }
    return pending.filter((p) => !confirmed.has(p.nonce));
  }, [items, pending, me]);
  // The day labels are relative to now; recomputed when the log changes, which is often enough.
  const rows = useMemo(
    () => buildRows(items, { now: new Date(), readAtOpen, meId: me?.id }),
    [items, readAtOpen, me?.id],
  );

  const scrollToBottom = () => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setAwayAt(null);
    onFollowingChange?.(true);
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const p = prev.current;
    if (newestPending !== undefined && newestPending !== lastPending.current) {
      // The user just sent a message: show it, wherever they had scrolled to.
      atBottom.current = true;
    }
    lastPending.current = newestPending;
    if (p.firstSeq !== undefined && firstSeq !== undefined && firstSeq < p.firstSeq) {
      // Older messages were prepended: keep the same messages in view.
      el.scrollTop = p.scrollTop + (el.scrollHeight - p.scrollHeight);
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    prev.current = { firstSeq, scrollHeight: el.scrollHeight, scrollTop: el.scrollTop };
  }, [firstSeq, lastKey, items.length, newestPending]);
  // Rows are measured after they render and the log's height changes with
  // them: while following, stay at the bottom through every such change.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atBottom.current && el.scrollHeight - el.scrollTop - el.clientHeight > 1) el.scrollTop = el.scrollHeight;
  });
  const [seenPending, setSeenPending] = useState(newestPending);
  if (newestPending !== seenPending) {
    // Following again after a send (the layout effect scrolls): no longer "away".
    setSeenPending(newestPending);
    if (newestPending !== undefined) setAwayAt(null);
  }

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    const following = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_THRESHOLD_PX;
    if (following !== atBottom.current) {
      onFollowingChange?.(following);
      setAwayAt(following ? null : newestSeq);
    }
    atBottom.current = following;
    prev.current = { ...prev.current, scrollHeight: el.scrollHeight, scrollTop: el.scrollTop };
    if (el.scrollTop <= TOP_THRESHOLD_PX && hasMore && !loadingOlder) onLoadOlder();
  };

  const unseen = awayAt === null ? 0 : countAfter(items, awayAt);

  const count = rows.length + pendingShown.length;
  // A new function would make the virtualiser measure every row again.
  const keyAt = useCallback(
    (i: number): string => {
      if (i >= rows.length) return `n:${pendingShown[i - rows.length].nonce}`;
      const row = rows[i];
      return row.kind === 'item' && row.item.kind === 'message' ? rowKey(row.item, me) : row.key;
    },
    [rows, pendingShown, me],
  );
  // The library keeps its own state and re-renders this component itself,
  // which the React Compiler cannot see through: this component is not memoised.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => ref.current,
    estimateSize,
    overscan: OVERSCAN_ROWS,
    getItemKey: keyAt,
    // Without layout (tests), as if the log were a phone's height.
    initialRect: { width: 360, height: 480 },
  });

  // A search hit: scrolled to once, when its row is there (history may still be loading).
  const highlightIndex = useMemo(
    () => (highlightSeq === undefined ? -1 : rows.findIndex((r) => r.kind === 'item' && r.item.seq === highlightSeq)),
    [rows, highlightSeq],
  );
  const highlighted = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (highlightIndex < 0 || highlighted.current === highlightSeq) return;
    highlighted.current = highlightSeq;
    atBottom.current = false;
    virtualizer.scrollToIndex(highlightIndex, { align: 'center' });
  }, [highlightIndex, highlightSeq, virtualizer]);

  const renderRow = (i: number): ReactNode => {
    if (i >= rows.length) {
      return (
        <MessageItem
          pending={pendingShown[i - rows.length]}
          me={me}
          own
          canEdit={false}
          canDelete={false}
          onRetry={onRetry}
          onDiscard={onDiscard}
        />
      );
    }
    const row = rows[i];
    if (row.kind === 'day') {
      return (
        <div role="separator" aria-label={row.label} className="day-separator">
          <span aria-hidden="true">{row.label}</span>
        </div>
      );
    }
    if (row.kind === 'unread') {
      return (
        <div role="separator" aria-label="New messages" className="unread-divider">
          <span aria-hidden="true">New messages</span>
        </div>
      );
    }
    const item = row.item;
    if (item.kind === 'system') {
      return (
        <p className="system-event" data-seq={item.seq}>
          {item.parts.map((part, j) => (typeof part === 'string' ? part : <bdi key={j}>{part.name}</bdi>))}
        </p>
      );
    }
    const mine = me !== null && item.author.id === me.id;
    return (
      <MessageItem
        item={item}
        me={me}
        continued={row.continued}
        own={mine}
        canEdit={mine}
        canDelete={mine || canDeleteOthers}
        onEdit={onEdit}
        onDelete={onDelete}
        editSignal={item.id === lastOwnId ? editLast : 0}
        highlighted={item.seq === highlightSeq}
      />
    );
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
        aria-busy={busy}
        onScroll={onScroll}
        tabIndex={0}
      >
        {loaded && items.length === 0 && pending.length === 0 && (
          <p className="empty">No messages yet. Say hello!</p>
        )}
        {/* Only the rows near the view are in the page (a room may have
            thousands loaded); each is measured as it renders. A pending
            message and its confirmed item have the same key: one element. */}
        <div className="log-rows" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((v) => (
            <div
              key={v.key}
              data-index={v.index}
              ref={virtualizer.measureElement}
              className="log-row"
              style={{ transform: `translateY(${v.start}px)` }}
            >
              {renderRow(v.index)}
            </div>
          ))}
        </div>
      </div>
      {awayAt !== null && (
        <button type="button" className="jump-latest" onClick={scrollToBottom}>
          Jump to latest{unseen > 0 ? ` (${unseen} new)` : ''}
        </button>
      )}
    </div>
  );
}

/** Whether the focus is inside `within` or nowhere (on the page itself, its element removed). */
function focusLost(within: HTMLElement | null): boolean {
  const active = document.activeElement;
  return !active || active === document.body || (within !== null && within.contains(active));
}

type ItemProps = {
  me: Me;
  /** Same author as the message before, shortly after: no name and avatar. */
  continued?: boolean;
  /** Changes to a positive number to open this message's editor. */
  editSignal?: number;
  /** The search hit the user opened. */
  highlighted?: boolean;
  own: boolean;
  canEdit: boolean;
  canDelete: boolean;
  onEdit?: (id: number, body: string) => Promise<void>;
  onDelete?: (id: number) => Promise<void>;
} & (
  | { item: MessageRow; pending?: undefined; onRetry?: undefined; onDiscard?: undefined }
  | {
      item?: undefined;
      /** Sent by the user, not confirmed yet. */
      pending: PendingMessage;
      onRetry: (nonce: string) => void;
      onDiscard: (nonce: string) => void;
    }
);

/**
 * One message: confirmed (`item`), or the user's own `pending` one. Both are
 * the same <article>, so that a pending message turning into its confirmed
 * item is changed in place (its text stays the same node), not removed and
 * added again: the log's live region then reads it out once.
 */
const MessageItem = memo(function MessageItem({
  item,
  pending,
  me,
  continued = false,
  editSignal = 0,
  highlighted = false,
  onRetry,
  onDiscard,
  own,
  canEdit,
  canDelete,
  onEdit,
  onDelete,
}: ItemProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [seenSignal, setSeenSignal] = useState(editSignal);
  if (editSignal !== seenSignal) {
    // Adjusting state while rendering: Up in the composer opens this editor.
    setSeenSignal(editSignal);
    if (editSignal > 0 && item && !item.deleted) {
      setDraft(item.body);
      setEditing(true);
    }
  }
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editId = useId();
  const articleRef = useRef<HTMLElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  /** The editor closed with the focus in it: the Edit button takes it back. */
  const focusEditButton = useRef(false);
  /** The user deleted this message here: its tombstone takes the focus the Delete button had. */
  const focusTombstone = useRef(false);
  const deleted = item?.deleted ?? false;

  // The element that had the focus is gone from the page: without this the
  // focus would fall back to the page itself, far from where the user was.
  useEffect(() => {
    if (editing || busy || !focusEditButton.current) return;
    focusEditButton.current = false;
    if (focusLost(formRef.current)) editButtonRef.current?.focus();
  }, [editing, busy]);
  useEffect(() => {
    if (!deleted || !focusTombstone.current) return;
    focusTombstone.current = false;
    if (focusLost(null)) articleRef.current?.focus();
  }, [deleted]);

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

  if (pending) {
    const p = pending;
    return (
      <article
        className={`message own pending${p.state === 'failed' ? ' failed' : ''}`}
        data-own="true"
        data-pending="true"
      >
        {/* The avatar's place in the confirmed message (none on own ones):
            the children line up, so the text stays the same node. */}
        {null}
        <div className="meta">
          <span className="author">
            <UserName name={me?.name ?? 'You'} />
          </span>
          <span className="state">{p.state === 'pending' ? 'Sending…' : 'Not sent'}</span>
        </div>
        <MessageBody text={p.body} me={me?.username} />
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
    );
  }

  /** Leaves edit mode; the focus goes back to the Edit button if it was in the editor (or lost). */
  const closeEditor = () => {
    focusEditButton.current = focusLost(formRef.current);
    setEditing(false);
  };

  const save = (e?: FormEvent) => {
    e?.preventDefault();
    if (!onEdit) return;
    const body = draft;
    if (body.trim() === '') return;
    if (body === item.body) {
      closeEditor();
      return;
    }
    void run(() => onEdit(item.id, body), closeEditor);
  };

  const remove = (id: number, onDelete: (id: number) => Promise<void>) => {
    focusTombstone.current = true;
    void run(async () => {
      try {
        await onDelete(id);
      } catch (e) {
        focusTombstone.current = false;
        throw e;
      }
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closeEditor();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      save();
    }
  };

  const classes = ['message', own ? 'own' : 'other'];
  if (item.deleted) classes.push('deleted');
  if (continued) classes.push('continued');
  if (highlighted) classes.push('highlighted');
  return (
    <article
      ref={articleRef}
      className={classes.join(' ')}
      data-own={own ? 'true' : 'false'}
      data-seq={item.seq}
      data-deleted={item.deleted ? 'true' : undefined}
      // A tombstone may take the focus from its Delete button (not in the tab order).
      tabIndex={item.deleted ? -1 : undefined}
    >
      {!own && !continued && (
        <span className="avatar" aria-hidden="true" style={{ '--hue': avatarHue(item.author.id) } as CSSProperties}>
          {initials(item.author.name)}
        </span>
      )}
      <div className="meta">
        {/* A continued message still names its author to a screen reader. */}
        <span className={continued ? 'author visually-hidden' : 'author'}>
          <UserName name={item.author.name} guest={item.author.guest} />
        </span>
        <time dateTime={item.ts} title={fullTime(item.ts)}>
          {shortTime(item.ts)}
        </time>
        {item.edited && <span className="edited">(edited)</span>}
      </div>
      {item.deleted ? (
        <p className="body tombstone">Message deleted</p>
      ) : editing ? (
        <form ref={formRef} className="edit-form" onSubmit={save}>
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
            <button type="button" className="secondary" onClick={closeEditor}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <MessageBody text={item.body} me={me?.username} />
      )}
      {!item.deleted && !editing && ((canEdit && onEdit) || (canDelete && onDelete)) && (
        <div className="message-actions">
          {canEdit && onEdit && (
            <button
              ref={editButtonRef}
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
            <ConfirmButton
              className="link"
              aria-label="Delete message"
              disabled={busy}
              question="Delete this message for everyone?"
              confirmLabel="Delete"
              onConfirm={() => remove(item.id, onDelete)}
            >
              Delete
            </ConfirmButton>
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
});
