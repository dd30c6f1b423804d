// One open room: opens it on the client (history, then subscribe), shows its
// log and the composer.

import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { emptyTimeline, toDisplayItems, type RoomEnded, type TypingEntry } from '../core/chat-store';
import { UserName } from '../../../components/UserName';
import { TypingText } from './TypingText';
import { useChatClient, useChatState } from '../hooks/chat-context';
import { Composer } from './Composer';
import { MessageList } from './MessageList';

type Props = {
  roomId: string;
  roomName: string;
  /** The user moderates this room (owner, moderator or admin): may delete
   *  anyone's message. */
  canDeleteOthers?: boolean;
  /** Extra controls for the room header (e.g. the Members button). */
  headerActions?: ReactNode;
  /** A direct-message room (named after the other person). */
  direct?: boolean;
  /** The room's newest seq as the room list knows it (see ChatClient.openRoom). */
  head?: number;
  /** The user's read position in the room as the room list knows it (for "New messages"). */
  lastRead?: number;
  topic?: string;
  /** A message to bring into view and mark (a search hit). */
  highlightSeq?: number;
  /** Shown before the room's name in the header (e.g. the button that opens the room list on a phone). */
  headerStart?: ReactNode;
};

const NO_TYPING: TypingEntry[] = [];

/** Why no more events arrive, in words; and whether subscribing again may work. */
function endedText(ended: RoomEnded, room: string): { text: string; action: string | null } {
  const by = ended.by ? ` by ${ended.by}` : '';
  switch (ended.reason) {
    case 'kicked':
      return { text: `You were removed from ${room}${by}.`, action: 'Join again' };
    case 'banned':
      return { text: `You were banned from ${room}${by}.`, action: null };
    case 'left':
      return { text: `You left ${room}.`, action: 'Join again' };
    case 'refused':
      // Not asked again by itself (banned, not a member: it would be refused
      // again), but the user may, e.g. once unbanned.
      return { text: `You cannot follow ${room}: ${ended.message ?? ended.code ?? 'refused'}.`, action: 'Try again' };
    default:
      return { text: `You are no longer in ${room}.`, action: 'Join again' };
  }
}

/** Why the user cannot post in the room now, if they cannot: the server
 *  would refuse (not a member, banned) until following it again succeeds. */
function composerBlock(ended: RoomEnded | undefined, rejoining: boolean | undefined): string | null {
  if (rejoining) return 'Joining again…';
  switch (ended?.reason) {
    case undefined:
      return null;
    case 'banned':
      return 'You cannot post here: you were banned.';
    case 'refused':
      return 'You cannot post here.';
    default:
      return 'You cannot post here until you join again.';
  }
}

export function ChatRoom({
  roomId,
  roomName,
  canDeleteOthers = false,
  headerActions,
  direct = false,
  head,
  lastRead,
  topic,
  headerStart,
  highlightSeq,
}: Props) {
  const client = useChatClient();
  const timeline = useChatState((s) => s.timelines[roomId] ?? emptyTimeline);
  const allPending = useChatState((s) => s.pending);
  const me = useChatState((s) => s.me);
  const limits = useChatState((s) => s.limits);
  const online = useChatState((s) => s.presence[roomId]);
  const typing = useChatState((s) => s.typing[roomId] ?? NO_TYPING);
  const [editLast, setEditLast] = useState(0);
  // The read position the room was opened with: the divider stays there
  // while the user reads on (and the read marker moves).
  const [readAtOpen, setReadAtOpen] = useState(lastRead);
  if (readAtOpen === undefined && lastRead !== undefined) setReadAtOpen(lastRead);

  useEffect(() => {
    // Only the first call for a room opens it: a later head changes nothing.
    void client.openRoom(roomId, { head });
  }, [client, roomId, head]);

  const items = useMemo(() => toDisplayItems(timeline.events), [timeline.events]);
  const pending = useMemo(() => allPending.filter((p) => p.room === roomId), [allPending, roomId]);
  // A room the user left here themself is on its way out of view: nothing to announce.
  const ended =
    timeline.ended && !timeline.ended.local ? endedText(timeline.ended, `${direct ? '@' : '#'}${roomName}`) : null;

  return (
    <section className="room" aria-labelledby="room-title">
      <div className="room-header">
        {headerStart}
        <div className="room-title">
          <h2 id="room-title">
            <span aria-hidden="true">{direct ? '@' : '#'}</span>
            <bdi>{roomName}</bdi>
          </h2>
          {topic && (
            <p className="room-topic" title={topic}>
              {topic}
            </p>
          )}
        </div>
        {online && online.length > 0 && (
          <details className="presence">
            <summary>{online.length} online</summary>
            <ul role="list" aria-label="Online" className="online-list">
              {online.map((u) => (
                <li key={u.id}>
                  <UserName name={u.name} guest={u.guest} />
                </li>
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
      {ended && (
        // Without this the room would look live while nothing arrives.
        <div className="banner" role="alert">
          {ended.text}{' '}
          {ended.action && (
            <button type="button" onClick={() => client.rejoin(roomId)}>
              {ended.action}
            </button>
          )}
        </div>
      )}
      {!timeline.loaded && !timeline.error && <p className="loading">Loading messages…</p>}
      <MessageList
        items={items}
        pending={pending}
        me={me}
        loaded={timeline.loaded}
        hasMore={timeline.hasMore}
        loadingOlder={timeline.loadingOlder}
        onLoadOlder={() => void client.loadOlder(roomId)}
        onRetry={(nonce) => client.retry(nonce)}
        onDiscard={(nonce) => client.discard(nonce)}
        canDeleteOthers={canDeleteOthers}
        onEdit={(id, body) => client.editMessage(roomId, id, body)}
        onDelete={(id) => client.deleteMessage(roomId, id)}
        onFollowingChange={(following) => client.setFollowing(roomId, following)}
        readAtOpen={readAtOpen}
        editLast={editLast}
        highlightSeq={highlightSeq}
      />
      <p className="typing" aria-live="polite" aria-atomic="true">
        <TypingText entries={typing} />
      </p>
      <Composer
        roomName={roomName}
        maxLength={limits?.max_body_chars}
        onSend={(body) => client.send(body)}
        onTyping={(active) => client.setTyping(active)}
        disabledReason={composerBlock(timeline.ended, timeline.rejoining)}
        draftKey={me ? `${me.id}:${roomId}` : undefined}
        onEditLast={() => setEditLast((n) => n + 1)}
      />
    </section>
  );
}

