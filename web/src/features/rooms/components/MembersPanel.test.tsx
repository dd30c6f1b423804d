import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../../../test/fake-fetch';
import type { Member } from '../api/get-members';
import { useMembers } from '../hooks/use-members';
import { MembersPanel } from './MembersPanel';

const member = (id: number, name: string, role: Member['role'], extra: Partial<Member['user']> = {}): Member => ({
  user: { id, name, guest: false, username: name, ...extra },
  role,
});

const everyone = [
  member(1, 'olga', 'owner'),
  member(2, 'max', 'moderator'),
  member(3, 'mia', 'member'),
  member(4, 'Gus', 'member', { guest: true, username: undefined }),
];

function Harness({ me, visibility = 'public' }: { me: { id: number; admin?: boolean }; visibility?: string }) {
  const members = useMembers('rust', me);
  return <MembersPanel room={{ id: 'rust', name: 'Rust', visibility }} me={me} members={members} />;
}

afterEach(() => vi.unstubAllGlobals());

describe('MembersPanel', () => {
  it('lists members with roles and no moderation for a plain member', async () => {
    fakeFetch({ 'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }) });
    render(<Harness me={{ id: 3 }} />);
    const list = await screen.findByRole('list', { name: 'Members' });
    await within(list).findByText('olga');
    expect(within(list).getAllByRole('listitem')).toHaveLength(4);
    expect(screen.queryByRole('button', { name: /^Kick/ })).toBeNull();
    expect(screen.queryByRole('textbox', { name: 'Invite username' })).toBeNull();
  });

  it('lets a moderator kick and ban only members of lower standing, naming them by id', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'POST /api/v1/rooms/rust/kick': () => ({ json: {} }),
      'POST /api/v1/rooms/rust/ban': () => ({ json: {} }),
    });
    render(<Harness me={{ id: 2 }} />);
    await screen.findByText('olga');
    expect(screen.queryByRole('button', { name: 'Kick olga' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Kick max' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Kick mia' }));
    await userEvent.click(screen.getByRole('button', { name: 'Ban Gus' }));
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/rooms/rust/kick', { id: 3 }],
      ['/api/v1/rooms/rust/ban', { id: 4 }],
    ]);
  });

  it('kicks the guest clicked, not an account or another guest of the same name', async () => {
    // A name would reach the account "bob" first, and the two guests "Bob" not at all (409).
    const crowd = [
      member(1, 'olga', 'owner'),
      member(5, 'bob', 'member'),
      member(6, 'Bob', 'member', { guest: true, username: undefined }),
      member(7, 'Bob', 'member', { guest: true, username: undefined }),
    ];
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: crowd } }),
      'POST /api/v1/rooms/rust/kick': () => ({ json: {} }),
      'POST /api/v1/rooms/rust/ban': () => ({ json: {} }),
    });
    render(<Harness me={{ id: 1 }} />);
    const items = await screen.findAllByRole('listitem');
    await userEvent.click(within(items[3]).getByRole('button', { name: 'Kick Bob' }));
    await userEvent.click(within(items[2]).getByRole('button', { name: 'Ban Bob' }));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ id: 7 }, { id: 6 }]);
  });

  it('lifts a ban it placed, by id, since the API lists no bans', async () => {
    let members = everyone;
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members } }),
      'POST /api/v1/rooms/rust/ban': () => {
        members = everyone.filter((m) => m.user.id !== 4);
        return { json: {} };
      },
      'POST /api/v1/rooms/rust/unban': () => ({ json: {} }),
    });
    render(<Harness me={{ id: 2 }} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Ban Gus' }));
    expect(await screen.findByText('Gus was banned.')).toBeInTheDocument();
    const bans = screen.getByRole('list', { name: 'Banned here' });
    await userEvent.click(within(bans).getByRole('button', { name: 'Lift ban on Gus' }));
    expect(await screen.findByText('The ban on Gus was lifted.')).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/api/v1/rooms/rust/unban').map((c) => c.body)).toEqual([{ id: 4 }]);
    expect(screen.queryByRole('list', { name: 'Banned here' })).toBeNull();
  });

  it('lifts a ban by username, and shows the refusal when there is none', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'POST /api/v1/rooms/rust/unban': (body) =>
        (body as { user: string }).user === 'zed'
          ? { json: {} }
          : { status: 404, json: { error: { code: 'not_found', message: 'this user is not banned here' } } },
    });
    render(<Harness me={{ id: 2 }} />);
    const box = await screen.findByRole('textbox', { name: 'Banned username' });
    await userEvent.type(box, ' zed {Enter}');
    expect(await screen.findByText('The ban on zed was lifted.')).toBeInTheDocument();
    await userEvent.type(box, 'amy');
    await userEvent.click(screen.getByRole('button', { name: 'Lift ban' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('this user is not banned here');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ user: 'zed' }, { user: 'amy' }]);
  });

  it('offers no unbanning to a plain member', async () => {
    fakeFetch({ 'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }) });
    render(<Harness me={{ id: 3 }} />);
    await screen.findByText('olga');
    expect(screen.queryByRole('textbox', { name: 'Banned username' })).toBeNull();
  });

  it('lets the owner make a member a moderator, by id; moderators may not', async () => {
    let members = everyone;
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members } }),
      'POST /api/v1/rooms/rust/moderators': () => {
        members = everyone.map((m) => (m.user.id === 3 ? { ...m, role: 'moderator' } : m));
        return { json: {} };
      },
    });
    const { unmount } = render(<Harness me={{ id: 1 }} />);
    await screen.findByText('olga');
    expect(screen.queryByRole('button', { name: 'Make max a moderator' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Make mia a moderator' }));
    expect(await screen.findByText('mia is now a moderator.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/rooms/rust/moderators', { id: 3 }],
    ]);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Make mia a moderator' })).toBeNull());
    unmount();

    members = everyone;
    render(<Harness me={{ id: 2 }} />);
    await screen.findByText('olga');
    expect(screen.queryByRole('button', { name: /a moderator$/ })).toBeNull();
  });

  it('lets an admin remove even the owner', async () => {
    fakeFetch({ 'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }) });
    render(<Harness me={{ id: 99, admin: true }} />);
    expect(await screen.findByRole('button', { name: 'Ban olga' })).toBeInTheDocument();
  });

  it('invites to a private room and shows refusals in an alert', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'POST /api/v1/rooms/rust/invite': (body) =>
        (body as { user: string }).user === 'zed'
          ? { json: { id: 'rust', name: 'Rust', topic: '', visibility: 'private', head: 1, member_count: 5 } }
          : { status: 404, json: { error: { code: 'not_found', message: 'no such user' } } },
    });
    render(<Harness me={{ id: 3 }} visibility="private" />);
    const box = await screen.findByRole('textbox', { name: 'Invite username' });
    await userEvent.type(box, 'zed');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText('zed was invited.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ user: 'zed' });
    await userEvent.type(box, 'nobody{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('no such user');
  });
});
