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
          onMore={() => void search.more()}
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
    await userEvent.type(screen.getByRole('textbox', { name: 'Search' }), 'borrow');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    const region = await screen.findByRole('region', { name: 'Search results' });
    const result = await within(region).findByRole('button', { name: 'bob in #Rust' });
    expect(result).toHaveAccessibleDescription('borrow <b>checker</b>');
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

  it('badges guest authors and isolates their names', async () => {
    const hit = ev(5, { room: 'rust', author: { id: 9, name: 'mallory\u202E', guest: true }, body: 'hi' });
    fakeFetch({ 'GET /api/v1/search': () => ({ json: { results: [hit], has_more: false } }) });
    render(<Harness onOpen={vi.fn()} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Search' }), 'hi');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    const region = await screen.findByRole('region', { name: 'Search results' });
    const result = await within(region).findByRole('button', { name: 'mallory\u202E in #Rust' });
    expect(result.querySelector('.author bdi')?.textContent).toBe('mallory\u202E');
    expect(within(result).getByText('guest')).toHaveClass('guest-badge');
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
    await userEvent.type(screen.getByRole('textbox', { name: 'Search' }), 'x{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('q must be 1-256 characters');
    expect(calls[0].path).toBe('/api/v1/search?q=x&room=rust');
  });

  it('fetches the next page with "More results" and appends it', async () => {
    const hits = Array.from({ length: 45 }, (_, i) => ev(i + 1, { room: 'rust', body: `needle ${i + 1}` }));
    const { calls } = fakeFetch({
      'GET /api/v1/search': (_body, url) => {
        const offset = Number(url.searchParams.get('offset') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 20);
        return { json: { results: hits.slice(offset, offset + limit), has_more: offset + limit < hits.length } };
      },
    });
    render(<Harness onOpen={vi.fn()} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Search' }), 'needle{Enter}');
    const region = await screen.findByRole('region', { name: 'Search results' });
    expect(await within(region).findByText('20+ results for “needle”')).toBeInTheDocument();
    await userEvent.click(within(region).getByRole('button', { name: 'More results' }));
    expect(await within(region).findByText('40+ results for “needle”')).toBeInTheDocument();
    await userEvent.click(within(region).getByRole('button', { name: 'More results' }));
    expect(await within(region).findByText('45 results for “needle”')).toBeInTheDocument();
    expect(within(region).queryByRole('button', { name: 'More results' })).toBeNull();
    const bodies = within(region)
      .getAllByRole('button', { name: 'bob in #Rust' })
      .map((b) => b.querySelector('.body')?.textContent);
    expect(bodies).toEqual(hits.map((h) => h.body));
    expect(calls.map((c) => c.path)).toEqual([
      '/api/v1/search?q=needle',
      '/api/v1/search?q=needle&offset=20',
      '/api/v1/search?q=needle&offset=40',
    ]);
  });

  it('keeps the results when the next page fails, and lists a hit only once', async () => {
    let fail = true;
    const first = [ev(1, { body: 'a' }), ev(2, { body: 'b' })];
    fakeFetch({
      'GET /api/v1/search': (_body, url) => {
        if (!url.searchParams.get('offset')) return { json: { results: first, has_more: true } };
        if (fail) return { status: 503, json: { error: { code: 'unavailable', message: 'store unavailable' } } };
        // A new message outranked the first page: its last hit comes again.
        return { json: { results: [ev(2, { body: 'b' }), ev(3, { body: 'c' })], has_more: false } };
      },
    });
    render(<Harness onOpen={vi.fn()} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Search' }), 'x{Enter}');
    const region = await screen.findByRole('region', { name: 'Search results' });
    await userEvent.click(await within(region).findByRole('button', { name: 'More results' }));
    expect(await within(region).findByRole('alert')).toHaveTextContent('store unavailable');
    expect(within(region).getAllByRole('listitem')).toHaveLength(2);
    fail = false;
    await userEvent.click(within(region).getByRole('button', { name: 'More results' }));
    expect(await within(region).findByText('3 results for “x”')).toBeInTheDocument();
    expect(within(region).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['bob in #lobbya', 'bob in #lobbyb', 'bob in #lobbyc']);
  });
});
