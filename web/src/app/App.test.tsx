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
