// The sidebar: joined rooms, public rooms to join, and a form to create one.

import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api-client';
import type { Room } from '../../../types/api';
import { createRoom, ROOM_ID_RE, slugify } from '../api/create-room';
import { joinRoom } from '../api/join-room';
import { useRoomLists } from '../hooks/use-room-lists';

export type RoomRef = { id: string; name: string };

type Props = {
  activeRoom: RoomRef;
  onOpenRoom: (room: RoomRef) => void;
};

export function RoomList({ activeRoom, onOpenRoom }: Props) {
  const { joined, publicRooms, error: listError, refresh } = useRoomLists();
  const [newRoom, setNewRoom] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Opening a public room joins it on the server: refresh the lists after a switch.
  useEffect(() => {
    const t = setTimeout(() => void refresh(), 500);
    return () => clearTimeout(t);
  }, [activeRoom.id, refresh]);

  const joinedList: RoomRef[] = joined.some((r) => r.id === activeRoom.id)
    ? joined
    : [activeRoom, ...joined];
  const joinedIds = new Set(joinedList.map((r) => r.id));
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
      const room = await createRoom(id, name);
      setNewRoom('');
      onOpenRoom({ id: room.id, name: room.name || room.id });
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

  const item = (room: RoomRef, onClick: () => void) => (
    <li key={room.id}>
      <button
        type="button"
        className="room-link"
        aria-current={room.id === activeRoom.id ? 'page' : undefined}
        onClick={onClick}
      >
        <span aria-hidden="true" className="hash">
          #
        </span>
        {room.name || room.id}
      </button>
    </li>
  );

  return (
    <nav className="sidebar" aria-label="Rooms">
      <h2 id="joined-rooms">Your rooms</h2>
      <ul aria-labelledby="joined-rooms" className="room-list">
        {joinedList.map((r) => item(r, () => onOpenRoom({ id: r.id, name: r.name || r.id })))}
      </ul>

      {others.length > 0 && (
        <>
          <h2 id="public-rooms">Public rooms</h2>
          <ul aria-labelledby="public-rooms" className="room-list">
            {others.map((r) => item(r, () => void open(r, true)))}
          </ul>
        </>
      )}

      <form className="new-room" onSubmit={onCreate}>
        <label htmlFor="new-room">New room</label>
        <div className="row">
          <input
            id="new-room"
            value={newRoom}
            maxLength={64}
            placeholder="e.g. rust"
            onChange={(e) => setNewRoom(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Create room
          </button>
        </div>
      </form>
      {(error ?? listError) && (
        <p className="form-error" role="alert">
          {error ?? listError}
        </p>
      )}
    </nav>
  );
}
