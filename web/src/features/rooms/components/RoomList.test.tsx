import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../../../test/fake-fetch';
import type { Room } from '../../../types/api';
import { slugify } from '../api/create-room';
import { useState } from 'react';
import { RoomList, type RoomRef } from './RoomList';

const room = (id: string, name = id): Room => ({
  id,
  name,
  topic: '',
  visibility: 'public',
  head: 0,
  member_count: 1,
});

afterEach(() => vi.unstubAllGlobals());

/** "Leave" asks first: says yes. */
const confirmLeave = () =>
  userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Leave' }));

describe('RoomList', () => {
  it('lists joined and public rooms in a navigation named Rooms', async () => {
    fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [room('lobby', 'Lobby')] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [room('lobby', 'Lobby'), room('rust', 'Rust')] } }),
    });
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={vi.fn()} />);
    const nav = screen.getByRole('navigation', { name: 'Rooms' });
    expect(await within(nav).findByRole('button', { name: 'Rust' })).toBeInTheDocument();
    expect(within(nav).getByRole('button', { name: 'Lobby' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getAllByRole('button', { name: 'Lobby' })).toHaveLength(1);
  });

  it('joins a public room and opens it', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [room('rust', 'Rust')] } }),
      'POST /api/v1/rooms/rust/join': () => ({ json: room('rust', 'Rust') }),
    });
    const onOpenRoom = vi.fn();
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={onOpenRoom} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Rust' }));
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/rooms/rust/join')).toBe(true);
    expect(onOpenRoom).toHaveBeenCalledWith({ id: 'rust', name: 'Rust' });
  });

  it('creates a public room from the New room box', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
      'POST /api/v1/rooms': (body) => ({ status: 201, json: { ...room('rust-talk'), name: (body as Room).name } }),
    });
    const onOpenRoom = vi.fn();
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={onOpenRoom} />);
    await userEvent.click(screen.getByRole('button', { name: 'New room' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'New room' }), 'Rust Talk');
    await userEvent.click(screen.getByRole('button', { name: 'Create room' }));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      id: 'rust-talk',
      name: 'Rust Talk',
      visibility: 'public',
    });
    expect(onOpenRoom).toHaveBeenCalledWith(expect.objectContaining({ id: 'rust-talk', name: 'Rust Talk' }));
  });

  it('reports a conflict', async () => {
    fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
      'POST /api/v1/rooms': () => ({ status: 409, json: { error: { code: 'conflict', message: 'exists' } } }),
    });
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={vi.fn()} />);
    await userEvent.click(screen.getByRole('button', { name: 'New room' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'New room' }), 'lobby{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('already exists');
  });
});

describe('slugify', () => {
  it('makes valid room ids', () => {
    expect(slugify('Rust Talk!')).toBe('rust-talk');
    expect(slugify('  Café au lait ')).toBe('cafe-au-lait');
    expect(slugify('my_room-2')).toBe('my_room-2');
    expect(slugify('!!!')).toBe('');
  });
});

describe('RoomList direct messages, badges and private rooms', () => {
  const withUnread = (r: Room, unread: number, head = 10, last_read = 0): Room => ({ ...r, unread, head, last_read });

  it('lists DMs under "Direct messages", named after the other person', async () => {
    fakeFetch({
      'GET /api/v1/rooms': () => ({
        json: { rooms: [room('lobby', 'Lobby'), { ...room('dm-1-2', 'bob'), visibility: 'dm' }] },
      }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [room('lobby', 'Lobby')] } }),
    });
    const onOpenRoom = vi.fn();
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={onOpenRoom} />);
    const dms = await screen.findByRole('list', { name: 'Direct messages' });
    await userEvent.click(within(dms).getByRole('button', { name: 'bob' }));
    expect(onOpenRoom).toHaveBeenCalledWith({ id: 'dm-1-2', name: 'bob', visibility: 'dm' });
    expect(within(screen.getByRole('list', { name: 'Your rooms' })).queryByRole('button', { name: 'bob' })).toBeNull();
  });

  it('starts a DM by username and opens it', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
      'POST /api/v1/dm/bob': () => ({ json: { ...room('dm-1-2', 'Bob B'), visibility: 'dm' } }),
    });
    const onOpenRoom = vi.fn();
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={onOpenRoom} />);
    await userEvent.click(screen.getByRole('button', { name: 'Message a user' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'DM username' }), 'bob');
    await userEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/dm/bob')).toBe(true);
    expect(onOpenRoom).toHaveBeenCalledWith({ id: 'dm-1-2', name: 'Bob B', visibility: 'dm' });
  });

  it('reports an unknown username', async () => {
    fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
      'POST /api/v1/dm/nobody': () => ({ status: 404, json: { error: { code: 'not_found', message: 'no such user' } } }),
    });
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={vi.fn()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Message a user' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'DM username' }), 'nobody{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('no account named “nobody”');
  });

  it('shows unread counts in the accessible name, except for the open room and rooms read since', async () => {
    fakeFetch({
      'GET /api/v1/rooms': () => ({
        json: {
          rooms: [
            withUnread(room('lobby', 'Lobby'), 4),
            withUnread(room('rust', 'Rust'), 3),
            withUnread(room('go', 'Go'), 2, 10, 0),
          ],
        },
      }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
    });
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={vi.fn()} readMarks={{ go: 10 }} />);
    const nav = screen.getByRole('navigation', { name: 'Rooms' });
    expect(await within(nav).findByRole('button', { name: 'Rust, 3 unread' })).toBeInTheDocument();
    expect(within(nav).getByRole('button', { name: 'Lobby' })).toBeInTheDocument();
    expect(within(nav).getByRole('button', { name: 'Go' })).toBeInTheDocument();
  });

  it('keeps the count of a muted room, quietly, and says it is muted', async () => {
    fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [withUnread(room('lobby', 'Lobby'), 0), withUnread(room('rust', 'Rust'), 3)] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
    });
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={vi.fn()} muted={new Set(['rust'])} />);
    const rust = await screen.findByRole('button', { name: 'Rust, 3 unread, muted' });
    expect(rust.querySelector('.badge')).toHaveClass('quiet');
  });

  it('creates a private room when "Private" is checked', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
      'POST /api/v1/rooms': () => ({ status: 201, json: { ...room('secret'), visibility: 'private' } }),
    });
    const onOpenRoom = vi.fn();
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={onOpenRoom} />);
    await userEvent.click(screen.getByRole('button', { name: 'New room' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'New room' }), 'Secret');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Private' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create room' }));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ id: 'secret', name: 'Secret', visibility: 'private' });
    expect(onOpenRoom).toHaveBeenCalledWith({ id: 'secret', name: 'secret', visibility: 'private' });
  });
});

describe('RoomList leaving', () => {
  it('leaves the open room and goes to the lobby', async () => {
    let joined = [room('lobby', 'Lobby'), room('rust', 'Rust')];
    const { calls } = fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: joined } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [room('lobby', 'Lobby'), room('rust', 'Rust')] } }),
      'POST /api/v1/rooms/rust/leave': () => {
        joined = [room('lobby', 'Lobby')];
        return { json: {} };
      },
    });
    const onOpenRoom = vi.fn();
    function Harness() {
      const [active, setActive] = useState<RoomRef>({ id: 'rust', name: 'Rust' });
      return (
        <RoomList
          activeRoom={active}
          onOpenRoom={(r) => {
            onOpenRoom(r);
            setActive(r);
          }}
        />
      );
    }
    render(<Harness />);
    const leave = await screen.findByRole('button', { name: 'Leave room' });
    expect(leave).toHaveAccessibleDescription('Leave #Rust.');
    await userEvent.click(leave);
    await confirmLeave();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/v1/rooms/rust/leave']);
    expect(onOpenRoom).toHaveBeenCalledWith({ id: 'lobby', name: 'Lobby', visibility: 'public' });
    // Refreshed: rust is no longer one of "Your rooms" but a public room to join.
    const publicRooms = await screen.findByRole('list', { name: 'Public rooms' });
    expect(within(publicRooms).getByRole('button', { name: 'Rust' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Leave room' })).toBeNull();
  });

  it('offers no leaving in the lobby, which the client would join again at once', async () => {
    fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [room('lobby', 'Lobby')] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [room('lobby', 'Lobby')] } }),
    });
    render(<RoomList activeRoom={{ id: 'lobby', name: 'Lobby' }} onOpenRoom={vi.fn()} />);
    await screen.findByRole('button', { name: 'Lobby' });
    expect(screen.queryByRole('button', { name: /^Leave/ })).toBeNull();
  });

  it('leaves a direct message as a conversation, and warns that a private room needs a new invitation', async () => {
    const dm = { ...room('dm-1-2', 'bob'), visibility: 'dm' as const };
    const secret = { ...room('secret', 'Secret'), visibility: 'private' as const };
    const { calls } = fakeFetch({
      'GET /api/v1/rooms': () => ({ json: { rooms: [room('lobby', 'Lobby'), dm, secret] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [room('lobby', 'Lobby')] } }),
      'POST /api/v1/rooms/dm-1-2/leave': () => ({ json: {} }),
    });
    const { rerender } = render(<RoomList activeRoom={{ id: 'secret', name: 'Secret' }} onOpenRoom={vi.fn()} />);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Leave room' })).toHaveAccessibleDescription(
        'Leave #Secret; coming back needs a new invitation.',
      ),
    );
    const onOpenRoom = vi.fn();
    rerender(<RoomList activeRoom={{ id: 'dm-1-2', name: 'bob', visibility: 'dm' }} onOpenRoom={onOpenRoom} />);
    await userEvent.click(screen.getByRole('button', { name: 'Leave conversation' }));
    await confirmLeave();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/v1/rooms/dm-1-2/leave']);
    expect(onOpenRoom).toHaveBeenCalledWith({ id: 'lobby', name: 'Lobby', visibility: 'public' });
  });

  it('stays where the user went meanwhile, and shows a refusal', async () => {
    let answer!: (r: { status?: number; json?: unknown }) => void;
    const held = new Promise<{ status?: number; json?: unknown }>((resolve) => (answer = resolve));
    const base = {
      'GET /api/v1/rooms': () => ({ json: { rooms: [room('lobby', 'Lobby'), room('rust', 'Rust'), room('go', 'Go')] } }),
      'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
    };
    const { fn } = fakeFetch(base);
    const plain = fn.getMockImplementation()!;
    fn.mockImplementation(async (input, init) => {
      if (String(input).endsWith('/rooms/rust/leave')) {
        const { status = 200, json } = await held;
        return new Response(JSON.stringify(json), { status, headers: { 'Content-Type': 'application/json' } });
      }
      return plain(input, init);
    });
    const onOpenRoom = vi.fn();
    const onLeaving = vi.fn();
    const { rerender } = render(
      <RoomList activeRoom={{ id: 'rust', name: 'Rust' }} onOpenRoom={onOpenRoom} onLeaving={onLeaving} />,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Leave room' }));
    await confirmLeave();
    // Told before the server is asked: its "left" may reach the socket before the answer.
    expect(onLeaving).toHaveBeenCalledWith('rust', true);
    // The server's "unsubscribed: left" reached the socket first and the app moved on.
    rerender(<RoomList activeRoom={{ id: 'go', name: 'Go' }} onOpenRoom={onOpenRoom} onLeaving={onLeaving} />);
    await act(async () => answer({ json: {} }));
    expect(onOpenRoom).not.toHaveBeenCalled();

    fn.mockImplementation(async (input, init) =>
      String(input).endsWith('/rooms/go/leave')
        ? new Response(JSON.stringify({ error: { code: 'unavailable', message: 'store unavailable' } }), {
            status: 503,
            headers: { 'Content-Type': 'application/json' },
          })
        : plain(input, init),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Leave room' }));
    await confirmLeave();
    expect(await screen.findByRole('alert')).toHaveTextContent('store unavailable');
    expect(onOpenRoom).not.toHaveBeenCalled();
    // Still a member: a later "left" (from another tab) is news again.
    expect(onLeaving.mock.calls).toEqual([
      ['rust', true],
      ['go', true],
      ['go', false],
    ]);
  });
});
