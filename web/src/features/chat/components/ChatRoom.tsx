// One open room: opens it on the client (history, then subscribe), shows its
// log and the composer.

import { useEffect, useMemo } from 'react';
import { emptyTimeline, toDisplayItems } from '../core/chat-store';
import { useChatClient, useChatState } from '../hooks/chat-context';
import { Composer } from './Composer';
import { MessageList } from './MessageList';

type Props = { roomId: string; roomName: string };

export function ChatRoom({ roomId, roomName }: Props) {
  const client = useChatClient();
  const timeline = useChatState((s) => s.timelines[roomId] ?? emptyTimeline);
  const allPending = useChatState((s) => s.pending);
  const me = useChatState((s) => s.me);
  const limits = useChatState((s) => s.limits);
  const online = useChatState((s) => s.presence[roomId]);

  useEffect(() => {
    void client.openRoom(roomId);
  }, [client, roomId]);

  const items = useMemo(() => toDisplayItems(timeline.events), [timeline.events]);
  const pending = useMemo(() => allPending.filter((p) => p.room === roomId), [allPending, roomId]);

  return (
    <section className="room" aria-labelledby="room-title">
      <div className="room-header">
        <h2 id="room-title">
          <span aria-hidden="true">#</span>
          {roomName}
        </h2>
        {online && online.length > 0 && (
          <span className="presence" title={online.map((u) => u.name).join(', ')}>
            {online.length} online
          </span>
        )}
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
      />
      <Composer
        roomName={roomName}
        maxLength={limits?.max_body_chars}
        onSend={(body) => client.send(body)}
      />
    </section>
  );
}
