import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../../../test/fake-fetch';
import { ev } from '../../../test/fixtures';
import type { SearchHit } from '../api/search-messages';
import { useSearch } from '../hooks/use-search';
import { SearchBox } from './SearchBox';
import { SearchResults } from './SearchResults';

function Harness({ onOpen }: { onOpen: (hit: SearchHit) => void }) {
  const search = useSearch();
  return (
    <>
      <SearchBox onSearch={(q, here) => void search.run(q, here ? 'rust' : undefined)} />
      {search.state.query !== null && (
        <SearchResults
          state={search.state}
          roomName={(id) => (id === 'rust' ? 'Rust' : id)}
          onOpen={onOpen}
          onClose={search.close}
        />
      )}
    </>
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('search', () => {
  it('searches, lists author, room and text (as text), and opens a result', async () => {
    const hit = ev(4, { room: 'rust', body: 'borrow <b>checker</b>' });
    const { calls } = fakeFetch({
      'GET /api/v1/search': () => ({ json: { results: [hit], has_more: false } }),
    });
    const onOpen = vi.fn();
    render(<Harness onOpen={onOpen} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Search messages' }), 'borrow');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    const region = await screen.findByRole('region', { name: 'Search results' });
    const result = await within(region).findByRole('button', { name: /borrow/ });
    expect(result).toHaveTextContent('bob');
    expect(result).toHaveTextContent('#Rust');
    expect(result).toHaveTextContent('borrow <b>checker</b>');
    expect(result.querySelector('b')).toBeNull();
    expect(calls[0].path).toBe('/api/v1/search?q=borrow');
    await userEvent.click(result);
    expect(onOpen).toHaveBeenCalledWith(hit);
    await userEvent.click(within(region).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Search results' })).toBeNull();
  });

  it('can search the open room only, and shows errors', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/search': () => ({
        status: 400,
        json: { error: { code: 'bad_request', message: 'q must be 1-256 characters' } },
      }),
    });
    render(<Harness onOpen={vi.fn()} />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'This room' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Search messages' }), 'x{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('q must be 1-256 characters');
    expect(calls[0].path).toBe('/api/v1/search?q=x&room=rust');
  });
});
