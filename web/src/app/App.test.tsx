import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../test/fake-websocket';
import { fakeFetch } from '../test/fake-fetch';
import { alice } from '../test/fixtures';
import { App } from './App';

const common = {
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
    const ws = FakeWebSocket.latest();
    expect(ws.url).toBe(`ws://${window.location.host}/api/v1/ws`);
    act(() => {
      ws.open();
      ws.receive(welcomeFrame());
    });
    expect(screen.getByRole('status')).toHaveTextContent('Connected');
    expect(screen.getAllByRole('status')).toHaveLength(1);
  });
});
