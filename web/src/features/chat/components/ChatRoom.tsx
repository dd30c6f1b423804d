// One open room: opens it on the client (history, then subscribe), shows its
// log and the composer.

import { useEffect, useMemo, type ReactNode } from 'react';
import { emptyTimeline, toDisplayItems, type TypingEntry } from '../core/chat-store';
import { typingText } from '../core/typing-text';
import { useChatClient, useChatState } from '../hooks/chat-context';
import { Composer } from './Composer';
import { MessageList } from './MessageList';

type Props = {
  roomId: string;
  roomName: string;
  /** The user moderates this room (owner, moderator or admin): may edit and delete any message. */
  /** Whether the user may edit and delete a message by this other author. */
  canChangeOthers?: (authorId: number) => boolean;
  /** Extra controls for the room header (e.g. the Members button). */
  headerActions?: ReactNode;
  /** A direct-message room (named after the other person). */
  direct?: boolean;
};

const NO_TYPING: TypingEntry[] = [];

export function ChatRoom({ roomId, roomName, canChangeOthers, headerActions, direct = false }: Props) {
  const client = useChatClient();
  const timeline = useChatState((s) => s.timelines[roomId] ?? emptyTimeline);
  const allPending = useChatState((s) => s.pending);
  const me = useChatState((s) => s.me);
  const limits = useChatState((s) => s.limits);
  const online = useChatState((s) => s.presence[roomId]);
  const typing = useChatState((s) => s.typing[roomId] ?? NO_TYPING);

  useEffect(() => {
    void client.openRoom(roomId);
  }, [client, roomId]);

  const items = useMemo(() => toDisplayItems(timeline.events), [timeline.events]);
  const pending = useMemo(() => allPending.filter((p) => p.room === roomId), [allPending, roomId]);

  return (
    <section className="room" aria-labelledby="room-title">
      <div className="room-header">
        <h2 id="room-title">
          <span aria-hidden="true">{direct ? '@' : '#'}</span>
          {roomName}
        </h2>
        {online && online.length > 0 && (
          <details className="presence">
            <summary>{online.length} online</summary>
            <ul role="list" aria-label="Online" className="online-list">
              {online.map((u) => (
                <li key={u.id}>{u.name}</li>
              ))}
            </ul>
          </details>
        )}
        {headerActions && <div className="room-actions">{headerActions}</div>}
      </div>
      {timeline.error && (
        <div className="banner" role="alert">
          {timeline.error}{' '}
          {!timeline.loaded && (
            <button type="button" onClick={() => void client.loadHistory(roomId)}>
              Try again
            </button>
          )}
        </div>
      )}
      {!timeline.loaded && !timeline.error && <p className="loading">Loading messages…</p>}
      <MessageList
        items={items}
        pending={pending}
        me={me}
        hasMore={timeline.hasMore}
        loadingOlder={timeline.loadingOlder}
        onLoadOlder={() => void client.loadOlder(roomId)}
        onRetry={(nonce) => client.retry(nonce)}
        onDiscard={(nonce) => client.discard(nonce)}
        canChangeOthers={canChangeOthers}
        onEdit={(id, body) => client.editMessage(roomId, id, body)}
        onDelete={(id) => client.deleteMessage(roomId, id)}
      />
      <p className="typing" aria-live="polite" aria-atomic="true">
        {typingText(typing)}
      </p>
      <Composer
        roomName={roomName}
        maxLength={limits?.max_body_chars}
        onSend={(body) => client.send(body)}
        onTyping={(active) => client.setTyping(active)}
      />
    </section>
  );
}

