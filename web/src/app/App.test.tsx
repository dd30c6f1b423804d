import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../test/fake-websocket';
import { fakeFetch } from '../test/fake-fetch';
import { alice } from '../test/fixtures';
import { App } from './App';

const common = {
  'GET /api/v1/rooms/lobby/members': () => ({ json: { members: [] } }),
  'GET /api/v1/rooms': () => ({ json: { rooms: [] } }),
  'GET /api/v1/rooms/public': () => ({ json: { rooms: [] } }),
  'GET /api/v1/rooms/lobby/events': () => ({ json: { events: [], has_more: false } }),
};

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
});
afterEach(() => vi.unstubAllGlobals());

describe('App', () => {
  it('asks for a display name when there is no session, then opens the chat', async () => {
    const { calls } = fakeFetch({
      ...common,
      'GET /api/v1/me': () => ({ status: 401, json: { error: { code: 'unauthorized', message: 'no session' } } }),
      'POST /api/v1/auth/guest': (body) => ({
        status: 201,
        json: { user: { ...alice, name: (body as { name: string }).name }, token: 't' },
      }),
    });
    render(<App />);
    await userEvent.type(await screen.findByRole('textbox', { name: 'Display name' }), 'alice');
    await userEvent.click(screen.getByRole('button', { name: 'Join chat' }));
    expect(calls.find((c) => c.path === '/api/v1/auth/guest')?.body).toEqual({ name: 'alice' });
    expect(await screen.findByRole('log', { name: 'Messages' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Rooms' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/v1/rooms/lobby/events?limit=50')).toBe(true);
  });

  it('skips the name screen when /me answers 200, and connects', async () => {
    fakeFetch({ ...common, 'GET /api/v1/me': () => ({ json: alice }) });
    render(<App />);
    expect(await screen.findByRole('log', { name: 'Messages' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Display name' })).toBeNull();
    expect(screen.getByText('alice')).toBeInTheDocument();
    const ws = await waitFor(() => FakeWebSocket.latest());
    expect(ws.url).toBe(`ws://${window.location.host}/api/v1/ws`);
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    expect(screen.getByRole('status')).toHaveTextContent('Connected');
    expect(screen.getAllByRole('status')).toHaveLength(1);
  });

  it('goes to the sign-in screen when the server closes the socket with 1008 (session revoked)', async () => {
    let signedIn = true;
    fakeFetch({
      ...common,
      'GET /api/v1/me': () =>
        signedIn ? { json: alice } : { status: 401, json: { error: { code: 'unauthorized', message: 'no' } } },
    });
    render(<App />);
    await screen.findByRole('log', { name: 'Messages' });
    const ws = await waitFor(() => FakeWebSocket.latest());
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    signedIn = false;
    act(() => ws.drop(1008, 'session revoked'));
    expect(await screen.findByRole('textbox', { name: 'Display name' })).toBeInTheDocument();
    expect(screen.getByText('You were signed out.')).toBeInTheDocument();
  });

  it('reconnects after a 1008 when /me still answers the user', async () => {
    fakeFetch({ ...common, 'GET /api/v1/me': () => ({ json: alice }) });
    render(<App />);
    await screen.findByRole('log', { name: 'Messages' });
    const ws = await waitFor(() => FakeWebSocket.latest());
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    act(() => ws.drop(1008, 'session ended'));
    // The backoff's first wait is below 0.5 s.
    await waitFor(() => expect(FakeWebSocket.instances.length).toBe(2), { timeout: 2000 });
    expect(screen.queryByRole('textbox', { name: 'Display name' })).toBeNull();
    expect(screen.getByRole('status')).not.toHaveTextContent('Offline');
  });

  it('stays signed in and says so when signing out fails', async () => {
    let fail = true;
    fakeFetch({
      ...common,
      'GET /api/v1/me': () => ({ json: alice }),
      'POST /api/v1/auth/logout': () =>
        fail ? { status: 503, json: { error: { code: 'unavailable', message: 'try later' } } } : { json: {} },
    });
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not sign out: try later');
    expect(screen.getByRole('log', { name: 'Messages' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Display name' })).toBeNull();
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('textbox', { name: 'Display name' })).toBeInTheDocument();
  });

  it('connects again as the account after a guest registers, own messages still own', async () => {
    const account = { ...alice, guest: false, username: 'alice' };
    fakeFetch({
      ...common,
      'GET /api/v1/me': () => ({ json: alice }),
      'GET /api/v1/sessions': () => ({ json: { sessions: [] } }),
      'GET /api/v1/tokens': () => ({ json: { tokens: [] } }),
      'GET /api/v1/rooms/lobby/events': () => ({
        json: { events: [{ room: 'lobby', seq: 1, id: 1, ts: '2026-11-26T12:00:00.000Z', kind: 'message', author: { id: alice.id, name: alice.name }, body: 'as a guest' }], has_more: false },
      }),
      'POST /api/v1/auth/register': () => ({ status: 201, json: { user: account, token: 't' } }),
    });
    render(<App />);
    const ws = await waitFor(() => FakeWebSocket.latest());
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    await screen.findByText('as a guest');
    await userEvent.click(screen.getByRole('button', { name: 'Account' }));
    const panel = screen.getByRole('region', { name: 'Account' });
    await userEvent.type(within(panel).getByRole('textbox', { name: 'Username' }), 'alice');
    await userEvent.type(within(panel).getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(within(panel).getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(FakeWebSocket.instances.length).toBe(2));
    const ws2 = FakeWebSocket.latest();
    act(() => {
      ws2.open();
      ws2.receive(welcomeFrame(account));
    });
    expect(ws2.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 1 })]);
    expect(screen.getByText('as a guest').closest('article')).toHaveAttribute('data-own', 'true');
  });

  it('says in the lobby that the user was removed from it, and joins again on request', async () => {
    fakeFetch({ ...common, 'GET /api/v1/me': () => ({ json: alice }) });
    render(<App />);
    await screen.findByRole('log', { name: 'Messages' });
    const ws = await waitFor(() => FakeWebSocket.latest());
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    await waitFor(() => expect(ws.sentOfType('subscribe')).toHaveLength(1));
    act(() => ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'kicked' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You were removed from #Lobby.');
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    await userEvent.click(screen.getByRole('button', { name: 'Join again' }));
    expect(ws.sentOfType('subscribe')).toHaveLength(2);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('leaves a room the user was kicked from for the lobby, with a notice', async () => {
    const rust = { id: 'rust', name: 'Rust', topic: '', visibility: 'public', head: 3, member_count: 2, unread: 0, last_read: 3 };
    fakeFetch({
      ...common,
      'GET /api/v1/me': () => ({ json: alice }),
      'GET /api/v1/rooms': () => ({ json: { rooms: [rust] } }),
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: [] } }),
      'GET /api/v1/rooms/rust/events': () => ({ json: { events: [], has_more: false } }),
    });
    render(<App />);
    const nav = await screen.findByRole('navigation', { name: 'Rooms' });
    const ws = await waitFor(() => FakeWebSocket.latest());
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    await userEvent.click(await within(nav).findByRole('button', { name: 'Rust' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Rust' })).toBeInTheDocument();
    act(() => ws.receive({ type: 'unsubscribed', room: 'rust', reason: 'kicked' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Lobby' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('You were removed from #Rust.');
  });

  it.each([
    ['before', true],
    ['after', false],
  ])('shows no removal notice when the user leaves a room here (its "left" arriving %s the answer)', async (_when, frameFirst) => {
    const rust = { id: 'rust', name: 'Rust', topic: '', visibility: 'public', head: 3, member_count: 2, unread: 0, last_read: 3 };
    let joined = [rust];
    const live: { ws?: FakeWebSocket } = {};
    const left = { type: 'unsubscribed', room: 'rust', reason: 'left' };
    fakeFetch({
      ...common,
      'GET /api/v1/me': () => ({ json: alice }),
      'GET /api/v1/rooms': () => ({ json: { rooms: joined } }),
      'GET /api/v1/rooms/rust/members': () => ({ json: { members: [] } }),
      'GET /api/v1/rooms/rust/events': () => ({ json: { events: [], has_more: false } }),
      'POST /api/v1/rooms/rust/leave': () => {
        joined = [];
        if (frameFirst) live.ws?.receive(left);
        return { json: {} };
      },
    });
    render(<App />);
    const nav = await screen.findByRole('navigation', { name: 'Rooms' });
    const ws = await waitFor(() => FakeWebSocket.latest());
    live.ws = ws;
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    await userEvent.click(await within(nav).findByRole('button', { name: 'Rust' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Rust' })).toBeInTheDocument();
    await userEvent.click(within(nav).getByRole('button', { name: 'Leave room' }));
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Leave' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Lobby' })).toBeInTheDocument();
    if (!frameFirst) act(() => ws.receive(left));
    await act(async () => {});
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByText(/You left/)).toBeNull();

    // Left from another tab later on: that is news.
    await userEvent.click(within(nav).getByRole('button', { name: 'Lobby' }));
    act(() => ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'left' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You left #Lobby.');
  });

  it('opens the Account panel from the header', async () => {
    fakeFetch({
      ...common,
      'GET /api/v1/me': () => ({ json: alice }),
      'GET /api/v1/sessions': () => ({ json: { sessions: [] } }),
    });
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Account' }));
    expect(screen.getByRole('region', { name: 'Account' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Create account' })).toBeInTheDocument();
    expect(screen.getAllByRole('status')).toHaveLength(1);
  });
});
