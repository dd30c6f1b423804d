import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../../../test/fake-fetch';
import type { Ban } from '../api/get-bans';
import type { Member } from '../api/get-members';
import { useMembers } from '../hooks/use-members';
import { MembersPanel } from './MembersPanel';

const member = (id: number, name: string, role: Member['role'], extra: Partial<Member['user']> = {}): Member => ({
  user: { id, name, guest: false, username: name, ...extra },
  role,
});

const olga = { id: 1, name: 'olga', guest: false, username: 'olga' };
const max = { id: 2, name: 'max', guest: false, username: 'max' };

const everyone: Member[] = [
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

/** Kick and Ban ask first: says yes. */
const confirm = (verb: string) =>
  userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: verb }));

describe('MembersPanel', () => {
  it('lists members with roles and no moderation for a plain member, never asking for the bans', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }) });
    render(<Harness me={{ id: 3 }} />);
    const list = await screen.findByRole('list', { name: 'Members' });
    await within(list).findByText('olga');
    expect(within(list).getAllByRole('listitem')).toHaveLength(4);
    expect(screen.queryByRole('button', { name: /^Kick/ })).toBeNull();
    expect(screen.queryByRole('textbox', { name: 'Invite username' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Banned' })).toBeNull();
    expect(calls.map((c) => c.path)).not.toContain('/api/v1/rooms/rust/bans');
  });

  it('lets a moderator kick and ban only members of lower standing, naming them by id', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'GET /api/v1/rooms/rust/bans': () => ({ json: { bans: [] } }),
      'POST /api/v1/rooms/rust/kick': () => ({ json: {} }),
      'POST /api/v1/rooms/rust/ban': () => ({ json: {} }),
    });
    render(<Harness me={{ id: 2 }} />);
    await screen.findByText('olga');
    expect(screen.queryByRole('button', { name: 'Kick olga' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Kick max' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Kick mia' }));
    await confirm('Kick');
    await userEvent.click(screen.getByRole('button', { name: 'Ban Gus' }));
    await confirm('Ban');
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
      'GET /api/v1/rooms/rust/bans': () => ({ json: { bans: [] } }),
      'POST /api/v1/rooms/rust/kick': () => ({ json: {} }),
      'POST /api/v1/rooms/rust/ban': () => ({ json: {} }),
    });
    render(<Harness me={{ id: 1 }} />);
    const items = await screen.findAllByRole('listitem');
    await userEvent.click(within(items[3]).getByRole('button', { name: 'Kick Bob' }));
    await confirm('Kick');
    await userEvent.click(within(items[2]).getByRole('button', { name: 'Ban Bob' }));
    await confirm('Ban');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ id: 7 }, { id: 6 }]);
  });

  it("shows a moderator the room's bans and who placed them, lifts one by id and reads the list again", async () => {
    // Neither is a member any more; the guest has no username to name them by.
    let bans: Ban[] = [
      { user: { id: 7, name: 'Gus', guest: true }, by: max },
      { user: { id: 8, name: 'zed', guest: false, username: 'zed' }, by: olga },
    ];
    const { calls } = fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'GET /api/v1/rooms/rust/bans': () => ({ json: { bans } }),
      'POST /api/v1/rooms/rust/unban': (body) => {
        bans = bans.filter((b) => b.user.id !== (body as { id: number }).id);
        return { json: {} };
      },
    });
    render(<Harness me={{ id: 2 }} />);
    const list = await screen.findByRole('list', { name: 'Banned' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^Gus \(guest\) banned by max/),
      expect.stringMatching(/^zed banned by olga/),
    ]);
    // The owner's ban is not for a moderator to lift (the server would refuse).
    expect(within(items[1]).queryByRole('button')).toBeNull();
    await userEvent.click(within(items[0]).getByRole('button', { name: 'Lift ban on Gus' }));
    expect(await screen.findByText('The ban on Gus was lifted.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/rooms/rust/unban', { id: 7 }],
    ]);
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(within(list).getByText('zed')).toBeInTheDocument();
  });

  it('shows a ban placed from the panel in the list of bans', async () => {
    let members = everyone;
    let bans: Ban[] = [];
    fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members } }),
      'GET /api/v1/rooms/rust/bans': () => ({ json: { bans } }),
      'POST /api/v1/rooms/rust/ban': () => {
        members = everyone.filter((m) => m.user.id !== 4);
        bans = [{ user: everyone[3].user, by: everyone[1].user }];
        return { json: {} };
      },
    });
    render(<Harness me={{ id: 2 }} />);
    expect(await screen.findByText('No one is banned here.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Ban Gus' }));
    await confirm('Ban');
    const list = await screen.findByRole('list', { name: 'Banned' });
    expect(within(list).getByRole('listitem')).toHaveTextContent('Gus (guest) banned by max');
    expect(within(list).getByRole('button', { name: 'Lift ban on Gus' })).toBeInTheDocument();
    expect(screen.queryByText('No one is banned here.')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Ban Gus' })).toBeNull();
  });

  it('reads the bans again when lifting one fails, e.g. lifted elsewhere meanwhile', async () => {
    let bans: Ban[] = [{ user: { id: 8, name: 'zed', guest: false, username: 'zed' }, by: max }];
    fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'GET /api/v1/rooms/rust/bans': () => ({ json: { bans } }),
      'POST /api/v1/rooms/rust/unban': () => {
        bans = [];
        return { status: 404, json: { error: { code: 'not_found', message: 'this user is not banned here' } } };
      },
    });
    render(<Harness me={{ id: 2 }} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Lift ban on zed' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('this user is not banned here');
    expect(await screen.findByText('No one is banned here.')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Banned' })).toBeNull();
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

  it('offers to lift only own bans and those placed by someone now of lower standing', async () => {
    // kim moderated once and left: no standing now.
    const kim = { id: 9, name: 'kim', guest: false, username: 'kim' };
    const bans: Ban[] = [
      { user: { id: 7, name: 'Gus', guest: true }, by: kim },
      { user: { id: 8, name: 'zed', guest: false, username: 'zed' }, by: max },
      { user: { id: 10, name: 'ann', guest: false, username: 'ann' }, by: { ...kim, id: 11, name: 'root', admin: true } },
    ];
    fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'GET /api/v1/rooms/rust/bans': () => ({ json: { bans } }),
    });
    const lifts = () => screen.getAllByRole('button', { name: /^Lift ban on/ }).map((b) => b.getAttribute('aria-label'));
    const { unmount } = render(<Harness me={{ id: 2 }} />);
    await screen.findByRole('list', { name: 'Banned' });
    await waitFor(() => expect(lifts()).toEqual(['Lift ban on Gus', 'Lift ban on zed']));
    unmount();
    render(<Harness me={{ id: 1 }} />);
    await screen.findByRole('list', { name: 'Banned' });
    await waitFor(() => expect(lifts()).toEqual(['Lift ban on Gus', 'Lift ban on zed']));
  });

  it('lets an admin remove even the owner', async () => {
    fakeFetch({
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: everyone } }),
      'GET /api/v1/rooms/rust/bans': () => ({ json: { bans: [] } }),
    });
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
