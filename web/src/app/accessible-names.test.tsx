// Outside acceptance tests find controls with Playwright role queries, which
// match names as case-insensitive substrings unless `exact: true`. Each of
// those queries must find exactly one element in every state of the screen:
// a second match (say "Search messages" for "Message") fails them.

import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../test/fake-websocket';
import { fakeFetch } from '../test/fake-fetch';
import { alice, bob, ev } from '../test/fixtures';
import type { Room } from '../types/api';
import { App } from './App';

/** Playwright's default name matching: a case-insensitive substring. */
const loose = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');

const CHAT_QUERIES: [string, string | null][] = [
  ['textbox', 'Message'],
  ['button', 'Send'],
  ['navigation', 'Rooms'],
  ['log', 'Messages'],
  ['status', null],
];

function expectEachOnce(queries: [string, string | null][]) {
  for (const [role, name] of queries) {
    const found = screen.queryAllByRole(role as never, name === null ? {} : { name: loose(name) });
    expect(
      found.map((el) => el.outerHTML.slice(0, 80)),
      `getByRole('${role}'${name === null ? '' : `, { name: '${name}' }`})`,
    ).toHaveLength(1);
  }
}

const club: Room = {
  id: 'club',
  name: 'Club',
  topic: '',
  visibility: 'private',
  head: 3,
  member_count: 3,
  unread: 0,
  last_read: 3,
};

// Texts that contain the names queried for, where users can put them.
const lobbyEvents = [
  ev(1, { author: { id: bob.id, name: bob.name }, body: 'Send me the message, please' }),
  ev(2, { author: { id: alice.id, name: alice.name }, body: 'hello from alice' }),
];

const routes = {
  'GET /api/v1/me': () => ({ json: alice }),
  'GET /api/v1/rooms': () => ({ json: { rooms: [club] } }),
  'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
  'GET /api/v1/rooms/lobby/events': () => ({ json: { events: lobbyEvents, has_more: true } }),
  'GET /api/v1/rooms/club/events': () => ({ json: { events: [], has_more: false } }),
  'GET /api/v1/rooms/lobby/members': () => ({ json: { members: [] } }),
  'GET /api/v1/rooms/club/members': () => ({
    json: {
      members: [
        { user: alice, role: 'owner' },
        { user: bob, role: 'member' },
        { user: { id: 3, name: 'Messenger', guest: true }, role: 'member' },
      ],
    },
  }),
  'GET /api/v1/search': () => ({
    json: { results: [ev(1, { body: 'Send me the message, please' })], has_more: true },
  }),
  'GET /api/v1/sessions': () => ({ json: { sessions: [] } }),
};

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
});
afterEach(() => vi.unstubAllGlobals());

async function chatScreen() {
  fakeFetch(routes);
  render(<App />);
  await screen.findByText('hello from alice');
  const ws = await waitFor(() => FakeWebSocket.latest());
  act(() => {
    ws.open();
    ws.receive(welcomeFrame());
  });
  return ws;
}

describe('accessible names an outside test relies on', () => {
  it('are unique on the chat screen with search results, an edit and a failed message open', async () => {
    const ws = await chatScreen();
    expectEachOnce(CHAT_QUERIES);

    await userEvent.type(within(screen.getByRole('search')).getByRole('textbox'), 'send message{Enter}');
    const results = await screen.findByRole('region', { name: 'Search results' });
    await within(results).findByRole('button', { name: 'More results' });

    const mine = screen.getByText('hello from alice').closest('article')!;
    await userEvent.click(within(mine).getByRole('button', { name: 'Edit message' }));
    expect(within(mine).getByRole('textbox')).toHaveFocus();

    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'refused{Enter}');
    const [send] = await waitFor(() => {
      const frames = ws.sentOfType('send');
      expect(frames).toHaveLength(1);
      return frames;
    });
    act(() => ws.receive({ type: 'error', re: send.req, code: 'forbidden', message: 'not allowed' }));
    await screen.findByText('Not sent');

    expectEachOnce(CHAT_QUERIES);
  });

  it('are unique with the Members panel of a room the user owns, and with the Account panel', async () => {
    await chatScreen();
    const nav = screen.getByRole('navigation', { name: 'Rooms' });
    await userEvent.click(await within(nav).findByRole('button', { name: 'Club' }));
    await screen.findByRole('heading', { level: 2, name: 'Club' });
    await userEvent.click(screen.getByRole('button', { name: 'Members' }));
    await screen.findByRole('button', { name: 'Kick Messenger' });
    expect(screen.getByRole('textbox', { name: 'Invite username' })).toBeInTheDocument();
    expectEachOnce(CHAT_QUERIES);

    await userEvent.click(screen.getByRole('button', { name: 'Account' }));
    await screen.findByRole('region', { name: 'Account' });
    expectEachOnce(CHAT_QUERIES);
  });

  it('are unique on the sign-in screen', async () => {
    fakeFetch({ 'GET /api/v1/me': () => ({ status: 401, json: { error: { code: 'unauthorized', message: 'no' } } }) });
    render(<App />);
    await screen.findByRole('textbox', { name: 'Display name' });
    expectEachOnce([
      ['textbox', 'Display name'],
      ['button', 'Join chat'],
    ]);
  });
});
