import { render, screen, within } from '@testing-library/react';
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

  it('lets a moderator kick and ban only members of lower standing, guests by display name', async () => {
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
      ['/api/v1/rooms/rust/kick', { user: 'mia' }],
      ['/api/v1/rooms/rust/ban', { user: 'Gus' }],
    ]);
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
