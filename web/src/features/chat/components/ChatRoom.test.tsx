import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../../../test/fake-websocket';
import { alice, ev } from '../../../test/fixtures';
import type { EventsPage } from '../api/get-events';
import { ChatClient } from '../core/chat-client';
import { createChatStore, initialChatState } from '../core/chat-store';
import { ChatProvider } from './ChatProvider';
import { ChatRoom } from './ChatRoom';
import { ConnectionStatus } from './ConnectionStatus';

const history: EventsPage = {
  events: [
    ev(1, { kind: 'join', author: alice, body: undefined }),
    ev(2, { author: alice, body: 'hello from alice' }),
    ev(3, { body: 'hi alice, bob here <b>not bold</b>' }),
  ],
  has_more: true,
};

function setup(fetchEvents = vi.fn(async (_room: string, _p: { before?: number }) => history)) {
  const client = new ChatClient({
    store: createChatStore({ ...initialChatState, me: alice }),
    fetchEvents,
    socket: { url: 'ws://test/api/v1/ws', createSocket: (url) => new FakeWebSocket(url), backoff: () => 3000 },
  });
  render(
    <ChatProvider client={client}>
      <ConnectionStatus />
      <ChatRoom roomId="lobby" roomName="Lobby" />
    </ChatProvider>,
  );
  const ws = FakeWebSocket.latest();
  act(() => {
    ws.open();
    ws.receive(welcomeFrame());
  });
  return { client, ws, fetchEvents };
}

beforeEach(() => FakeWebSocket.reset());

describe('ChatRoom', () => {
  it('shows the history in a polite log named Messages, one article per message', async () => {
    setup();
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(log).toHaveAttribute('aria-live', 'polite');
    await within(log).findByText('hello from alice');
    const articles = within(log).getAllByRole('article');
    expect(articles).toHaveLength(2);
    expect(articles[0]).toHaveTextContent('alice');
    expect(articles[0]).toHaveTextContent('hello from alice');
    expect(articles[1]).toHaveTextContent('bob');
    // User text stays text.
    expect(articles[1]).toHaveTextContent('<b>not bold</b>');
    expect(articles[1].querySelector('b')).toBeNull();
    expect(within(log).getByText('alice joined')).toBeInTheDocument();
  });

  it('marks own messages apart from others’', async () => {
    setup();
    const own = (await screen.findByText('hello from alice')).closest('article')!;
    const other = screen.getByText(/bob here/).closest('article')!;
    expect(own).toHaveAttribute('data-own', 'true');
    expect(own).toHaveClass('own');
    expect(other).toHaveAttribute('data-own', 'false');
    expect(other).toHaveClass('other');
    expect(other).not.toHaveClass('own');
  });

  it('subscribes after the history with since = newest seq', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    expect(ws.sentOfType('subscribe')).toEqual([expect.objectContaining({ room: 'lobby', since: 3 })]);
  });

  it('sends on Enter, keeps the message pending until the ack, and not on Shift+Enter or blank', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(box, '   {Enter}');
    expect(ws.sentOfType('send')).toHaveLength(0);
    await userEvent.clear(box);
    await userEvent.type(box, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(ws.sentOfType('send')).toHaveLength(0);
    await userEvent.type(box, '{Enter}');
    const [send] = ws.sentOfType('send');
    expect(send).toMatchObject({ room: 'lobby', body: 'line one\nline two' });
    expect(box).toHaveValue('');

    const pending = screen.getByText(/line one/).closest('article')!;
    expect(pending).toHaveAttribute('data-pending', 'true');
    expect(pending).toHaveAttribute('data-own', 'true');

    act(() => ws.receive({ type: 'ack', re: send.req, room: 'lobby', seq: 4, id: 104, ts: '2026-11-26T12:01:00Z' }));
    const confirmed = screen.getByText(/line one/).closest('article')!;
    expect(confirmed).not.toHaveAttribute('data-pending');
    expect(confirmed).toHaveAttribute('data-own', 'true');
    // The echo of the same event does not duplicate it.
    act(() => ws.receive({ type: 'event', ...ev(4, { author: alice, body: 'line one\nline two', nonce: send.nonce as string }) }));
    expect(screen.getAllByText(/line one/)).toHaveLength(1);
  });

  it('sends with the Send button', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'via button');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(ws.sentOfType('send')).toEqual([expect.objectContaining({ body: 'via button' })]);
  });

  it('shows live messages from others as they arrive', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    act(() => ws.receive({ type: 'event', ...ev(4, { body: 'live one' }) }));
    act(() => ws.receive({ type: 'event', ...ev(5, { body: 'live two' }) }));
    const articles = within(screen.getByRole('log', { name: 'Messages' })).getAllByRole('article');
    expect(articles.map((a) => a.querySelector('.body')?.textContent)).toEqual([
      'hello from alice',
      'hi alice, bob here <b>not bold</b>',
      'live one',
      'live two',
    ]);
  });

  it('offers "Load older messages" when there is more history', async () => {
    const fetchEvents = vi.fn(async (_room: string, p: { before?: number }) =>
      p.before === undefined ? history : { events: [ev(0, { seq: 0, body: 'the very first' })], has_more: false },
    );
    setup(fetchEvents);
    await userEvent.click(await screen.findByRole('button', { name: 'Load older messages' }));
    expect(fetchEvents).toHaveBeenLastCalledWith('lobby', { before: 1 });
    expect(await screen.findByText('the very first')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load older messages' })).toBeNull();
  });

  it('shows the connection state in the status element', async () => {
    const { ws } = setup();
    expect(screen.getByRole('status')).toHaveTextContent('Connected');
    act(() => ws.drop(1006));
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting in 3 s');
  });
});
