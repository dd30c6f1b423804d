// The sidebar: joined rooms and direct messages (with unread badges), a way
// to leave the open one (asked again first), public rooms to join, and two
// buttons that open dialogs: create a room (public or private), start a
// direct message. The forms are dialogs so that the sidebar spends its
// height on rooms, not on fields used once in a while.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { Dialog } from '../../../components/Dialog';
import { FormError } from '../../../components/FormError';
import { ApiError } from '../../../lib/api-client';
import type { Room, Visibility } from '../../../types/api';
import { createRoom, ROOM_ID_RE, slugify } from '../api/create-room';
import { unreadCount } from '../api/get-rooms';
import { joinRoom } from '../api/join-room';
import { leaveRoom } from '../api/leave-room';
import { startDm } from '../api/start-dm';
import { useRoomLists, type RoomLists } from '../hooks/use-room-lists';

export type RoomRef = { id: string; name: string; visibility?: Visibility };

type Props = {
  activeRoom: RoomRef;
  onOpenRoom: (room: RoomRef) => void;
  /** The newest seq read per room (from the chat), which clears badges before the next refresh. */
  readMarks?: Record<string, number>;
  /** The user is leaving `room` with "Leave room" (`active`), or that failed: the
   *  chat then tells no removal for it (the server ends its subscription with "left"). */
  onLeaving?: (room: string, active: boolean) => void;
  /** Rooms the user muted: their badge is quiet. */
  muted?: ReadonlySet<string>;
};

/** The sidebar with its own room lists. */
export function RoomList(props: Props) {
  const lists = useRoomLists();
  return <RoomListView {...props} lists={lists} />;
}

const toRef = (r: Room | RoomRef): RoomRef => ({ id: r.id, name: r.name || r.id, visibility: r.visibility });

/** Where leaving a room takes the user. It cannot be left itself: the client
 *  opens it on every start, and subscribing joins it again at once. */
const LOBBY: RoomRef = { id: 'lobby', name: 'Lobby', visibility: 'public' };

export function RoomListView({
  activeRoom,
  onOpenRoom,
  readMarks,
  onLeaving,
  lists,
  muted,
}: Props & { lists: RoomLists }) {
  const { joined, publicRooms, error: listError, refresh } = lists;
  const [newRoom, setNewRoom] = useState('');
  const [isPrivate, setIsPrivate] = useState(false);
  const [dmUser, setDmUser] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dialog, setDialog] = useState<'none' | 'room' | 'dm'>('none');
  const closeDialog = () => {
    setDialog('none');
    setError(null);
  };
  const ids = { newRoom: useId(), private: useId(), dm: useId(), leave: useId() };
  // The open room when a leave answers: by then the socket may already have
  // sent the user elsewhere (the server ends the subscription with "left").
  const activeId = useRef(activeRoom.id);
  useEffect(() => {
    activeId.current = activeRoom.id;
  }, [activeRoom.id]);

  // Opening a public room joins it on the server: refresh the lists after a switch.
  useEffect(() => {
    const t = setTimeout(() => void refresh(), 500);
    return () => clearTimeout(t);
  }, [activeRoom.id, refresh]);

  const activeJoined = joined.some((r) => r.id === activeRoom.id);
  const all: (Room | RoomRef)[] = activeJoined ? joined : [activeRoom, ...joined];
  const rooms = all.filter((r) => r.visibility !== 'dm');
  const dms = all.filter((r) => r.visibility === 'dm');
  const joinedIds = new Set(all.map((r) => r.id));
  const others = publicRooms.filter((r) => !joinedIds.has(r.id));

  const open = async (room: Room, needsJoin: boolean) => {
    setError(null);
    if (needsJoin) {
      try {
        await joinRoom(room.id);
      } catch (e) {
        setError(e instanceof Error ? e.message : 'Could not join the room.');
        return;
      }
    }
    onOpenRoom({ id: room.id, name: room.name || room.id });
    void refresh();
  };

  const activeVisibility =
    joined.find((r) => r.id === activeRoom.id)?.visibility ??
    publicRooms.find((r) => r.id === activeRoom.id)?.visibility ??
    activeRoom.visibility;
  const direct = activeVisibility === 'dm';

  const onLeave = async () => {
    const room = activeRoom.id;
    setBusy(true);
    setError(null);
    onLeaving?.(room, true);
    try {
      await leaveRoom(room);
    } catch (e) {
      onLeaving?.(room, false);
      setError(e instanceof Error ? e.message : 'Could not leave the room.');
      setBusy(false);
      return;
    }
    if (activeId.current === room) onOpenRoom(LOBBY);
    await refresh(); // reports its own errors
    setBusy(false);
  };

  const onCreate = async (e: FormEvent) => {
    e.preventDefault();
    const name = newRoom.trim();
    const id = slugify(name);
    if (!name) return;
    if (!ROOM_ID_RE.test(id)) {
      setError('Room names need at least one letter or digit.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const room = isPrivate ? await createRoom(id, name, 'private') : await createRoom(id, name);
      setNewRoom('');
      setIsPrivate(false);
      setDialog('none');
      onOpenRoom(toRef(room));
      await refresh();
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'conflict'
          ? `A room with the id “${id}” already exists.`
          : err instanceof Error
            ? err.message
            : 'Could not create the room.',
      );
    } finally {
      setBusy(false);
    }
  };

  const onStartDm = async (e: FormEvent) => {
    e.preventDefault();
    const username = dmUser.trim();
    if (!username) return;
    setBusy(true);
    setError(null);
    try {
      const room = await startDm(username);
      setDmUser('');
      setDialog('none');
      onOpenRoom({ id: room.id, name: room.name || username, visibility: 'dm' });
      await refresh();
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'not_found'
          ? `There is no account named “${username}”.`
          : err instanceof Error
            ? err.message
            : 'Could not start the conversation.',
      );
    } finally {
      setBusy(false);
    }
  };

  const item = (room: Room | RoomRef, onClick: () => void, marker = '#') => {
    const unread = 'head' in room ? unreadCount(room, activeRoom.id, readMarks) : 0;
    const quiet = muted?.has(room.id) ?? false;
    return (
      <li key={room.id}>
        <button
          type="button"
          className="room-link"
          aria-current={room.id === activeRoom.id ? 'page' : undefined}
          aria-label={
            unread > 0 || quiet
              ? `${room.name || room.id}${unread > 0 ? `, ${unread} unread` : ''}${quiet ? ', muted' : ''}`
              : undefined
          }
          onClick={onClick}
        >
          <span aria-hidden="true" className="hash">
            {marker}
          </span>
          <span className="room-name">{room.name || room.id}</span>
          {unread > 0 && (
            <span className={quiet ? 'badge quiet' : 'badge'} aria-hidden="true">
              {unread > 99 ? '99+' : unread}
            </span>
          )}
        </button>
      </li>
    );
  };

  return (
    <nav className="sidebar" aria-label="Rooms">
      <h2 id="joined-rooms">Your rooms</h2>
      <ul aria-labelledby="joined-rooms" className="room-list">
        {rooms.map((r) => item(r, () => onOpenRoom(toRef(r))))}
      </ul>

      {dms.length > 0 && (
        <>
          <h2 id="direct-messages">Direct messages</h2>
          <ul aria-labelledby="direct-messages" className="room-list">
            {dms.map((r) => item(r, () => onOpenRoom(toRef(r)), '@'))}
          </ul>
        </>
      )}

      {activeRoom.id !== LOBBY.id && (
        <div className="leave-room">
          {/* The name leaves the room's name out: a query for the room's
              button by name must not find this one too. */}
          <ConfirmButton
            className="secondary small"
            aria-describedby={ids.leave}
            disabled={busy}
            question={direct ? `Leave the conversation with ${activeRoom.name}?` : `Leave #${activeRoom.name}?`}
            confirmLabel="Leave"
            onConfirm={() => void onLeave()}
          >
            {direct ? 'Leave conversation' : 'Leave room'}
          </ConfirmButton>
          <p id={ids.leave} className={direct || activeVisibility === 'private' ? 'muted hint' : 'visually-hidden'}>
            {direct
              ? `Leave the conversation with ${activeRoom.name}; starting it again brings you back.`
              : activeVisibility === 'private'
                ? `Leave #${activeRoom.name}; coming back needs a new invitation.`
                : `Leave #${activeRoom.name}.`}
          </p>
        </div>
      )}

      {others.length > 0 && (
        <>
          <h2 id="public-rooms">Public rooms</h2>
          <ul aria-labelledby="public-rooms" className="room-list">
            {others.map((r) => item(r, () => void open(r, true)))}
          </ul>
        </>
      )}

      <div className="sidebar-actions">
        <button type="button" className="secondary small" aria-haspopup="dialog" onClick={() => setDialog('room')}>
          New room
        </button>
        <button type="button" className="secondary small" aria-haspopup="dialog" onClick={() => setDialog('dm')}>
          Message a user
        </button>
      </div>
      {dialog === 'room' && (
        <Dialog title="New room" onClose={closeDialog}>
          <form className="new-room" onSubmit={onCreate}>
            <label htmlFor={ids.newRoom}>New room</label>
            <div className="row">
              <input
                id={ids.newRoom}
                value={newRoom}
                maxLength={64}
                placeholder="e.g. rust"
                onChange={(e) => setNewRoom(e.target.value)}
              />
              <div className="check">
                <input
                  id={ids.private}
                  type="checkbox"
                  checked={isPrivate}
                  onChange={(e) => setIsPrivate(e.target.checked)}
                />
                <label htmlFor={ids.private}>Private</label>
              </div>
              <button type="submit" disabled={busy}>
                Create room
              </button>
            </div>
          </form>
          <FormError message={error} />
        </Dialog>
      )}
      {dialog === 'dm' && (
        <Dialog title="Message a user" onClose={closeDialog}>
          <form className="new-room" onSubmit={onStartDm}>
            <label htmlFor={ids.dm}>DM username</label>
            <div className="row">
              <input
                id={ids.dm}
                value={dmUser}
                maxLength={64}
                autoComplete="off"
                placeholder="their username"
                onChange={(e) => setDmUser(e.target.value)}
              />
              <button type="submit" disabled={busy}>
                Start chat
              </button>
            </div>
          </form>
          <FormError message={error} />
        </Dialog>
      )}
      <FormError message={(dialog === 'none' && error) || listError} />
    </nav>
  );
}
