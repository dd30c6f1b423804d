import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, welcomeFrame } from '../../../test/fake-websocket';
import { alice, bob, ev } from '../../../test/fixtures';
import type { EventsPage } from '../api/get-events';
import { ChatClient } from '../core/chat-client';
import { createChatStore, initialChatState } from '../core/chat-store';
import { ChatProvider } from './ChatProvider';
import { ChatRoom } from './ChatRoom';
import { ConnectionStatus } from './ConnectionStatus';

/** Finds the element whose whole text is `text`, names in `<bdi>` included. */
const wholeText =
  (text: string, tag = 'P') =>
  (_: string, element: Element | null) =>
    element?.tagName === tag && element.textContent === text;

const history: EventsPage = {
  events: [
    ev(1, { kind: 'join', author: alice, body: undefined }),
    ev(2, { author: alice, body: 'hello from alice' }),
    ev(3, { body: 'hi alice, bob here <b>not bold</b>' }),
  ],
  has_more: true,
};

function setup(
  fetchEvents = vi.fn(async (_room: string, _p: { before?: number }) => history),
  props: { canDeleteOthers?: boolean } = {},
) {
  const client = new ChatClient({
    store: createChatStore({ ...initialChatState, me: alice }),
    fetchEvents,
    socket: { url: 'ws://test/api/v1/ws', createSocket: (url) => new FakeWebSocket(url), backoff: () => 3000 },
  });
  render(
    <ChatProvider client={client}>
      <ConnectionStatus />
      <ChatRoom roomId="lobby" roomName="Lobby" {...props} />
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

/** The composer's textbox or Send button refuses input: aria-disabled (and read-only), never `disabled`,
 *  which would drop the focus of someone typing. */
function expectBlocked(el: HTMLElement) {
  expect(el).toHaveAttribute('aria-disabled', 'true');
  expect(el).not.toBeDisabled();
  if (el instanceof HTMLTextAreaElement) expect(el.readOnly).toBe(true);
}

function expectOpen(el: HTMLElement) {
  expect(el).not.toHaveAttribute('aria-disabled');
  expect(el).toBeEnabled();
  if (el instanceof HTMLTextAreaElement) expect(el.readOnly).toBe(false);
}

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
    expect(within(log).getByText(wholeText('alice joined'))).toBeInTheDocument();
  });

  it('isolates every name in <bdi> and badges guest authors', async () => {
    const rtl = { id: 7, name: 'eve\u202E', guest: true };
    setup(
      vi.fn(async () => ({
        events: [
          ev(1, { kind: 'join', author: rtl, body: undefined }),
          ev(2, { author: rtl, body: 'from a guest' }),
          ev(3, { author: { id: 8, name: 'olga' }, body: 'from an account' }),
        ],
        has_more: false,
      })),
    );
    const guest = (await screen.findByText('from a guest')).closest('article')!;
    expect(guest.querySelector('.author bdi')?.textContent).toBe('eve\u202E');
    expect(within(guest).getByText('guest')).toHaveClass('guest-badge');
    const account = screen.getByText('from an account').closest('article')!;
    expect(account.querySelector('.author bdi')?.textContent).toBe('olga');
    expect(within(account).queryByText('guest')).toBeNull();
    const notice = screen.getByText(wholeText('eve\u202E joined'));
    expect(notice.querySelector('bdi')?.textContent).toBe('eve\u202E');
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

  it('keeps the log busy while history loads and while it is first shown, and says "empty" only once loaded', async () => {
    let answer!: (page: EventsPage) => void;
    setup(vi.fn(() => new Promise<EventsPage>((resolve) => (answer = resolve))));
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(log).toHaveAttribute('aria-busy', 'true');
    expect(screen.queryByText('No messages yet. Say hello!')).toBeNull();

    await act(async () => answer(history));
    // The page is inserted while the log is busy: not read out message by message.
    expect(within(log).getAllByRole('article')).toHaveLength(2);
    expect(log).toHaveAttribute('aria-busy', 'true');
    await waitFor(() => expect(log).toHaveAttribute('aria-busy', 'false'));
    // Live messages then arrive in a log that is not busy.
    act(() => FakeWebSocket.latest().receive({ type: 'event', ...ev(4, { body: 'live one' }) }));
    expect(log).toHaveAttribute('aria-busy', 'false');
  });

  it('says "No messages yet" in an empty room once its history is read', async () => {
    let answer!: (page: EventsPage) => void;
    setup(vi.fn(() => new Promise<EventsPage>((resolve) => (answer = resolve))));
    expect(screen.queryByText('No messages yet. Say hello!')).toBeNull();
    await act(async () => answer({ events: [], has_more: false }));
    expect(screen.getByText('No messages yet. Say hello!')).toBeInTheDocument();
  });

  it('keeps the log busy while an older page loads and is inserted', async () => {
    let older!: (page: EventsPage) => void;
    setup(
      vi.fn((_room: string, p: { before?: number }) =>
        p.before === undefined ? Promise.resolve(history) : new Promise<EventsPage>((resolve) => (older = resolve)),
      ),
    );
    const log = screen.getByRole('log', { name: 'Messages' });
    await screen.findByText('hello from alice');
    await waitFor(() => expect(log).toHaveAttribute('aria-busy', 'false'));
    await userEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    expect(log).toHaveAttribute('aria-busy', 'true');
    await act(async () => older({ events: [ev(0, { seq: 0, body: 'the very first' })], has_more: false }));
    expect(within(log).getByText('the very first')).toBeInTheDocument();
    expect(log).toHaveAttribute('aria-busy', 'true');
    await waitFor(() => expect(log).toHaveAttribute('aria-busy', 'false'));
  });

  it('turns the own pending message into its confirmed one in place, so the log adds it once', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'only once{Enter}');
    const pending = screen.getByText('only once').closest('article')!;
    const text = screen.getByText('only once').firstChild;
    expect(pending).toHaveAttribute('data-pending', 'true');
    const [send] = ws.sentOfType('send');
    // The event first this time (the order is not fixed), then the ack.
    act(() => ws.receive({ type: 'event', ...ev(4, { author: alice, body: 'only once', nonce: send.nonce as string }) }));
    act(() => ws.receive({ type: 'ack', re: send.req, room: 'lobby', seq: 4, id: 104, ts: '2026-11-26T12:01:00Z' }));
    const confirmed = screen.getByText('only once').closest('article')!;
    expect(confirmed).not.toHaveAttribute('data-pending');
    expect(confirmed).toBe(pending);
    expect(screen.getByText('only once').firstChild).toBe(text);
    expect(screen.getAllByText('only once')).toHaveLength(1);
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
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting');
    expect(screen.getByRole('status').parentElement).toHaveTextContent('Reconnecting in 3 s');
  });

  it('announces a state once, through every retry: the countdown ticks outside the status region', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { ws } = setup();
      act(() => ws.drop(1006));
      const status = screen.getByRole('status');
      const before = status.innerHTML;
      await act(async () => {
        await vi.advanceTimersByTimeAsync(1100);
      });
      expect(status.parentElement).toHaveTextContent(/Reconnecting in [12] s/);
      expect(status.innerHTML).toBe(before);
      expect(status.textContent).toBe('Reconnecting');
      const countdown = status.parentElement!.querySelector('[aria-hidden="true"]');
      expect(countdown?.textContent).toMatch(/in [12] s/);
      expect(status.contains(countdown)).toBe(false);

      // Past one retry: the attempt and its failure change nothing it says.
      const changes: MutationRecord[] = [];
      const observer = new MutationObserver((records) => changes.push(...records));
      observer.observe(status, { subtree: true, childList: true, characterData: true });
      for (let retry = 0; retry < 3; retry++) {
        await act(async () => {
          await vi.advanceTimersByTimeAsync(3000);
        });
        expect(FakeWebSocket.instances).toHaveLength(retry + 2);
        expect(status.textContent).toBe('Reconnecting');
        act(() => FakeWebSocket.latest().drop(1006));
        await act(async () => {
          await vi.advanceTimersByTimeAsync(300);
        });
        expect(status.textContent).toBe('Reconnecting');
      }
      observer.disconnect();
      expect(changes).toEqual([]);
      const last = FakeWebSocket.latest();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3000);
      });
      act(() => {
        FakeWebSocket.latest().open();
        FakeWebSocket.latest().receive(welcomeFrame());
      });
      expect(FakeWebSocket.latest()).not.toBe(last);
      expect(status.textContent).toBe('Connected');
    } finally {
      vi.useRealTimers();
    }
  });

  it('says in the room that the user was removed from it, by whom, and offers to join again', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    act(() => {
      ws.receive({ type: 'event', ...ev(4, { kind: 'leave', author: alice, actor: { id: 9, name: 'olga' }, body: 'kicked' }) });
      ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'kicked' });
    });
    expect(screen.getByRole('alert')).toHaveTextContent('You were removed from #Lobby by olga.');
    await userEvent.click(screen.getByRole('button', { name: 'Join again' }));
    expect(ws.sentOfType('subscribe').at(-1)).toMatchObject({ room: 'lobby', since: 4 });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('disables the composer, saying why, while removed, and until joining again succeeds', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    const box = screen.getByRole('textbox', { name: 'Message' });
    const send = screen.getByRole('button', { name: 'Send' });
    await userEvent.type(box, 'draft');
    expectOpen(send);
    act(() => ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'kicked' }));
    expectBlocked(box);
    expectBlocked(send);
    expect(box).toHaveAccessibleDescription('You cannot post here until you join again.');
    expect(screen.getByText('You cannot post here until you join again.')).toBeVisible();

    await userEvent.click(screen.getByRole('button', { name: 'Join again' }));
    // Not before the server agrees: a ban placed meanwhile would refuse it.
    expectBlocked(box);
    expect(box).toHaveAccessibleDescription('Joining again…');
    const sub = ws.sentOfType('subscribe').at(-1)!;
    act(() => ws.receive({ type: 'subscribed', re: sub.req, room: 'lobby', head: 3, presence: [alice] }));
    expectOpen(box);
    expectOpen(send);
    expect(box).not.toHaveAccessibleDescription();
    expect(box).toHaveValue('draft');
    await userEvent.click(send);
    expect(ws.sentOfType('send')).toEqual([expect.objectContaining({ room: 'lobby', body: 'draft' })]);
  });

  it('keeps the focus in the composer when a removal blocks it while the user types', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(box, 'draft');
    expect(box).toHaveFocus();
    act(() => ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'kicked' }));
    expect(box).toHaveFocus();
    expectBlocked(box);
    await userEvent.type(box, ' more{Enter}');
    expect(box).toHaveValue('draft');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(ws.sentOfType('send')).toEqual([]);
  });

  it('keeps the composer disabled when joining again is refused', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    act(() => ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'left' }));
    await userEvent.click(screen.getByRole('button', { name: 'Join again' }));
    const sub = ws.sentOfType('subscribe').at(-1)!;
    act(() => ws.receive({ type: 'error', re: sub.req, code: 'forbidden', message: 'you are banned from this room' }));
    const box = screen.getByRole('textbox', { name: 'Message' });
    expectBlocked(box);
    expect(box).toHaveAccessibleDescription('You cannot post here.');
    expectBlocked(screen.getByRole('button', { name: 'Send' }));
  });

  it('offers no way back after a ban', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    act(() => ws.receive({ type: 'unsubscribed', room: 'lobby', reason: 'banned' }));
    expect(screen.getByRole('alert')).toHaveTextContent('You were banned from #Lobby.');
    expect(screen.queryByRole('button', { name: 'Join again' })).toBeNull();
    expectBlocked(screen.getByRole('textbox', { name: 'Message' }));
    expect(screen.getByText('You cannot post here: you were banned.')).toBeVisible();
  });

  it('shows a refused subscribe in the room', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    const [sub] = ws.sentOfType('subscribe');
    act(() => ws.receive({ type: 'error', re: sub.req, code: 'forbidden', message: 'you are banned from this room' }));
    expect(screen.getByRole('alert')).toHaveTextContent('You cannot follow #Lobby: you are banned from this room.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expectBlocked(screen.getByRole('textbox', { name: 'Message' }));
    expectBlocked(screen.getByRole('button', { name: 'Send' }));
  });
});

describe('ChatRoom edit and delete', () => {
  const article = (text: string) => screen.getByText(text).closest('article')!;
  const confirmDelete = () =>
    userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }));

  it('offers Edit and Delete on own messages only', async () => {
    setup();
    await screen.findByText('hello from alice');
    expect(within(article('hello from alice')).getByRole('button', { name: 'Edit message' })).toBeInTheDocument();
    expect(within(article('hello from alice')).getByRole('button', { name: 'Delete message' })).toBeInTheDocument();
    const other = screen.getByText(/bob here/).closest('article')!;
    expect(within(other).queryByRole('button', { name: 'Edit message' })).toBeNull();
    expect(within(other).queryByRole('button', { name: 'Delete message' })).toBeNull();
  });

  it('offers a moderator Delete but never Edit on the messages of others', async () => {
    setup(undefined, { canDeleteOthers: true });
    await screen.findByText('hello from alice');
    const other = screen.getByText(/bob here/).closest('article')!;
    expect(within(other).queryByRole('button', { name: 'Edit message' })).toBeNull();
    expect(within(other).getByRole('button', { name: 'Delete message' })).toBeInTheDocument();
  });

  it('sends an edit, and shows the edited text with "(edited)" when its event arrives', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.click(within(article('hello from alice')).getByRole('button', { name: 'Edit message' }));
    const box = screen.getByRole('textbox', { name: 'Edit text' });
    expect(box).toHaveValue('hello from alice');
    await userEvent.clear(box);
    await userEvent.type(box, 'hello, world{Enter}');
    const [edit] = ws.sentOfType('edit');
    expect(edit).toMatchObject({ type: 'edit', room: 'lobby', id: 102, body: 'hello, world' });
    act(() => {
      ws.receive({ type: 'ack', re: edit.req, room: 'lobby', seq: 4, id: 104, ts: 't' });
      ws.receive({ type: 'event', ...ev(4, { kind: 'edit', author: alice, target: 102, body: 'hello, world' }) });
    });
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Edit text' })).toBeNull());
    const edited = screen.getByText('hello, world', { selector: 'p' });
    expect(edited.closest('article')).toHaveTextContent('(edited)');
    expect(screen.queryByRole('textbox', { name: 'Edit text' })).toBeNull();
    expect(screen.queryByText('hello from alice')).toBeNull();
  });

  it('cancels an edit with Escape', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.click(within(article('hello from alice')).getByRole('button', { name: 'Edit message' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Edit text' }), ' more{Escape}');
    expect(screen.queryByRole('textbox', { name: 'Edit text' })).toBeNull();
    expect(ws.sentOfType('edit')).toHaveLength(0);
  });

  it('gives the focus back to the Edit button when an edit is cancelled, escaped or saved', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    const editButton = () => within(article('hello from alice')).getByRole('button', { name: 'Edit message' });

    await userEvent.click(editButton());
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(editButton()).toHaveFocus();

    await userEvent.click(editButton());
    await userEvent.type(screen.getByRole('textbox', { name: 'Edit text' }), '{Escape}');
    expect(editButton()).toHaveFocus();

    await userEvent.click(editButton());
    await userEvent.type(screen.getByRole('textbox', { name: 'Edit text' }), '!{Enter}');
    const [edit] = ws.sentOfType('edit');
    act(() => {
      ws.receive({ type: 'ack', re: edit.req, room: 'lobby', seq: 4, id: 104, ts: 't' });
      ws.receive({ type: 'event', ...ev(4, { kind: 'edit', author: alice, target: 102, body: 'hello from alice!' }) });
    });
    const saved = screen.getByText('hello from alice!').closest('article')!;
    await waitFor(() => expect(within(saved).getByRole('button', { name: 'Edit message' })).toHaveFocus());
  });

  it('does not take the focus back from where the user went while a save was under way', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.click(within(article('hello from alice')).getByRole('button', { name: 'Edit message' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Edit text' }), '!{Enter}');
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.click(box);
    const [edit] = ws.sentOfType('edit');
    act(() => ws.receive({ type: 'ack', re: edit.req, room: 'lobby', seq: 4, id: 104, ts: 't' }));
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Edit text' })).toBeNull());
    expect(box).toHaveFocus();
  });

  it('moves the focus to the tombstone of a message deleted with its Delete button', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    const button = within(article('hello from alice')).getByRole('button', { name: 'Delete message' });
    await userEvent.click(button);
    await confirmDelete();
    expect(button).toHaveFocus();
    const [del] = ws.sentOfType('delete');
    act(() => ws.receive({ type: 'ack', re: del.req, room: 'lobby', seq: 4, id: 104, ts: 't' }));
    act(() => ws.receive({ type: 'event', ...ev(4, { kind: 'delete', author: alice, target: 102, body: undefined }) }));
    const tomb = screen.getByText('Message deleted').closest('article')!;
    await waitFor(() => expect(tomb).toHaveFocus());
    expect(document.body).not.toHaveFocus();
  });

  it('sends a delete and turns the message into a tombstone without its text', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.click(within(article('hello from alice')).getByRole('button', { name: 'Delete message' }));
    await confirmDelete();
    const [del] = ws.sentOfType('delete');
    expect(del).toMatchObject({ type: 'delete', room: 'lobby', id: 102 });
    act(() => ws.receive({ type: 'event', ...ev(4, { kind: 'delete', author: alice, target: 102, body: undefined }) }));
    expect(screen.queryByText('hello from alice')).toBeNull();
    const tomb = screen.getByText('Message deleted').closest('article')!;
    expect(tomb).toHaveAttribute('data-deleted', 'true');
    expect(within(tomb).queryByRole('button')).toBeNull();
  });

  it('shows the server’s refusal', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.click(within(article('hello from alice')).getByRole('button', { name: 'Delete message' }));
    await confirmDelete();
    const [del] = ws.sentOfType('delete');
    act(() => ws.receive({ type: 'error', re: del.req, code: 'forbidden', message: 'you may not' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('you may not');
  });
});

describe('ChatRoom typing and presence', () => {
  it('sends typing while composing, and shows who else is typing', async () => {
    const { ws } = setup();
    await screen.findByText('hello from alice');
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'h');
    expect(ws.sentOfType('typing')).toEqual([{ type: 'typing', room: 'lobby', active: true }]);
    await userEvent.clear(screen.getByRole('textbox', { name: 'Message' }));
    expect(ws.sentOfType('typing').at(-1)).toEqual({ type: 'typing', room: 'lobby', active: false });

    act(() => ws.receive({ type: 'typing', room: 'lobby', user: bob, active: true }));
    const indicator = screen.getByText(wholeText('bob is typing…'));
    expect(indicator).toHaveAttribute('aria-live', 'polite');
    expect(indicator.querySelector('bdi')?.textContent).toBe('bob');
    act(() => ws.receive({ type: 'event', ...ev(4, { body: 'done typing' }) }));
    expect(screen.queryByText(wholeText('bob is typing…'))).toBeNull();
  });

  it('shows how many are online, with a list of them', async () => {
    const { ws } = setup();
    act(() => ws.receive({ type: 'subscribed', room: 'lobby', head: 3, presence: [alice, bob] }));
    expect(screen.getByText('2 online')).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Online', hidden: true });
    // Both are guests: badged as such.
    expect(within(list).getAllByRole('listitem', { hidden: true }).map((li) => li.textContent)).toEqual([
      'alice guest',
      'bob guest',
    ]);
    act(() => ws.receive({ type: 'presence', room: 'lobby', joined: [], left: [bob] }));
    expect(screen.getByText('1 online')).toBeInTheDocument();
  });
});
