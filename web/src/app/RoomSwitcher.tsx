// Ctrl/Cmd+K: a dialog to jump to a room by typing part of its name. Enter
// opens the first match; the arrow keys are not needed, Tab reaches the list.

import { useId, useState } from 'react';
import { Dialog } from '../components/Dialog';
import type { Room } from '../types/api';

type Props = {
  rooms: Room[];
  onOpen: (room: Room) => void;
  onClose: () => void;
};

export function RoomSwitcher({ rooms, onOpen, onClose }: Props) {
  const [q, setQ] = useState('');
  const inputId = useId();
  const needle = q.trim().toLowerCase();
  const matches = rooms.filter((r) => (r.name || r.id).toLowerCase().includes(needle)).slice(0, 12);

  return (
    <Dialog title="Switch room" onClose={onClose}>
      <form
        className="panel-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (matches[0]) onOpen(matches[0]);
        }}
      >
        <label htmlFor={inputId}>Room name</label>
        <input id={inputId} value={q} autoComplete="off" onChange={(e) => setQ(e.target.value)} />
      </form>
      <ul className="room-list switcher-list" aria-label="Matching rooms">
        {matches.map((r) => (
          <li key={r.id}>
            <button type="button" className="room-link" onClick={() => onOpen(r)}>
              <span aria-hidden="true" className="hash">
                {r.visibility === 'dm' ? '@' : '#'}
              </span>
              <span className="room-name">{r.name || r.id}</span>
            </button>
          </li>
        ))}
        {matches.length === 0 && <li className="muted">No room matches.</li>}
      </ul>
    </Dialog>
  );
}
