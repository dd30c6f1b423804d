// The results of a search: author, room and text of each hit (as text only);
// choosing one opens its room.

import { useId } from 'react';
import { UserName } from '../../../components/UserName';
import type { SearchHit } from '../api/search-messages';
import type { SearchState } from '../hooks/use-search';
import { Highlighted } from './Highlighted';

type Props = {
  state: SearchState;
  roomName: (id: string) => string;
  onOpen: (hit: SearchHit) => void;
  onClose: () => void;
  /** Fetches the next page; without it only the first page is shown. */
  onMore?: () => void;
};

export function SearchResults({ state, roomName, onOpen, onClose, onMore }: Props) {
  const titleId = useId();
  return (
    <section className="side-panel" role="region" aria-labelledby={titleId}>
      <div className="panel-header">
        <h2 id={titleId}>Search results</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {state.loading
          ? `Searching for “${state.query}”…`
          : state.error && state.results.length === 0
            ? ''
            : `${state.results.length}${state.hasMore ? '+' : ''} result${state.results.length === 1 ? '' : 's'} for “${state.query}”${state.room ? ` in #${roomName(state.room)}` : ''}`}
      </p>
      {state.error && (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      )}
      <ul className="search-results">
        {state.results.map((hit) => {
          const key = `${hit.room}-${hit.seq}`;
          return (
            <li key={key}>
              {/* Named by author and room, the text as its description: a
                  message body in a button's name would make every role query
                  for a word it contains ("Send", "Message") ambiguous. */}
              <button
                type="button"
                className="search-hit"
                aria-label={`${hit.author.name} in #${roomName(hit.room)}`}
                aria-describedby={`${titleId}-${key}-body`}
                onClick={() => onOpen(hit)}
              >
                <span className="meta">
                  <span className="author">
                    <UserName name={hit.author.name} guest={hit.author.guest} />
                  </span>
                  <span className="muted">
                    {' '}
                    in #<bdi>{roomName(hit.room)}</bdi>
                  </span>
                </span>
                <span className="body" id={`${titleId}-${key}-body`}>
                  <Highlighted text={hit.body ?? ''} query={state.query ?? ''} />
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {onMore && state.hasMore && !state.loading && (
        <button type="button" className="secondary" disabled={state.loadingMore} onClick={onMore}>
          {state.loadingMore ? 'Loading more results…' : 'More results'}
        </button>
      )}
    </section>
  );
}
