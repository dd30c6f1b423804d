// The header's search form.

import { useId, useState, type FormEvent } from 'react';
import { MAX_QUERY_CHARS } from '../api/search-messages';

type Props = {
  onSearch: (q: string, thisRoomOnly: boolean) => void;
};

export function SearchBox({ onSearch }: Props) {
  const [q, setQ] = useState('');
  const [here, setHere] = useState(false);
  const ids = { q: useId(), here: useId() };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) onSearch(q, here);
  };

  return (
    <form className="search-box" role="search" onSubmit={onSubmit}>
      {/* Not "Search messages": Playwright matches names by substring, and
          the composer must be the only textbox a query for "Message" finds. */}
      <label htmlFor={ids.q} className="visually-hidden">
        Search
      </label>
      <input
        id={ids.q}
        type="text"
        enterKeyHint="search"
        value={q}
        maxLength={MAX_QUERY_CHARS}
        placeholder="Search messages"
        onChange={(e) => setQ(e.target.value)}
      />
      <span className="check">
        <input id={ids.here} type="checkbox" checked={here} onChange={(e) => setHere(e.target.checked)} />
        <label htmlFor={ids.here}>This room</label>
      </span>
      <button type="submit">Search</button>
    </form>
  );
}
