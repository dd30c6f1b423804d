import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { DisplayItem } from '../core/chat-store';
import { MessageList } from './MessageList';

const me = { id: 1, name: 'alice', username: 'alice' };

function msg(seq: number, authorId: number, body: string, ts = new Date().toISOString()): DisplayItem {
  return {
    kind: 'message',
    key: `s${seq}`,
    seq,
    id: 100 + seq,
    ts,
    author: { id: authorId, name: authorId === 1 ? 'alice' : 'Bob Stone' },
    body,
    edited: false,
    deleted: false,
  };
}

function list(items: DisplayItem[], extra: Partial<Parameters<typeof MessageList>[0]> = {}) {
  return (
    <MessageList
      items={items}
      pending={[]}
      me={me}
      hasMore={false}
      loadingOlder={false}
      onLoadOlder={vi.fn()}
      onRetry={vi.fn()}
      onDiscard={vi.fn()}
      onEdit={vi.fn(async () => {})}
      onDelete={vi.fn(async () => {})}
      {...extra}
    />
  );
}

describe('MessageList', () => {
  it('names day separators and the New messages divider for assistive technology', () => {
    const items = [msg(1, 2, 'old', '2026-01-05T10:00:00Z'), msg(2, 1, 'mine'), msg(3, 2, 'new one')];
    render(list(items, { readAtOpen: 1 }));
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(within(log).getByRole('separator', { name: 'Today' })).toBeInTheDocument();
    expect(within(log).getByRole('separator', { name: /January/ })).toBeInTheDocument();
    expect(within(log).getByRole('separator', { name: 'New messages' })).toBeInTheDocument();
  });

  it('groups one author under one avatar with initials, still naming them to screen readers', () => {
    const t = new Date();
    const items = [msg(1, 2, 'one', t.toISOString()), msg(2, 2, 'two', new Date(t.getTime() + 60_000).toISOString())];
    render(list(items));
    const [first, second] = screen.getAllByRole('article');
    expect(first.querySelector('.avatar')).toHaveTextContent('BS');
    expect(second.querySelector('.avatar')).toBeNull();
    expect(second).toHaveClass('continued');
    expect(second).toHaveTextContent('Bob Stone');
    expect(second.querySelector('time')).toHaveAttribute('title', expect.stringMatching(/ at \d\d:\d\d$/));
  });

  it('opens the editor of the last own message when asked (Up in the composer)', () => {
    const items = [msg(1, 1, 'first mine'), msg(2, 2, 'theirs'), msg(3, 1, 'last mine')];
    const { rerender } = render(list(items, { editLast: 0 }));
    expect(screen.queryByRole('textbox', { name: 'Edit text' })).toBeNull();
    rerender(list(items, { editLast: 1 }));
    expect(screen.getByRole('textbox', { name: 'Edit text' })).toHaveValue('last mine');
  });

  it('shows Jump to latest with the count of messages that arrived while scrolled up', async () => {
    const items = [msg(1, 2, 'a'), msg(2, 2, 'b')];
    const onFollowingChange = vi.fn();
    const { rerender } = render(list(items, { onFollowingChange }));
    const log = screen.getByRole('log', { name: 'Messages' });
    Object.defineProperty(log, 'scrollHeight', { configurable: true, value: 5000 });
    act(() => {
      log.scrollTop = 100;
      log.dispatchEvent(new Event('scroll'));
    });
    expect(onFollowingChange).toHaveBeenLastCalledWith(false);
    const jump = screen.getByRole('button', { name: 'Jump to latest' });
    rerender(list([...items, msg(3, 2, 'c'), msg(4, 2, 'd')], { onFollowingChange }));
    expect(jump).toHaveTextContent('Jump to latest (2 new)');
    await userEvent.click(jump);
    expect(onFollowingChange).toHaveBeenLastCalledWith(true);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });

  it('asks before deleting', async () => {
    const onDelete = vi.fn(async () => {});
    render(list([msg(1, 1, 'mine')], { onDelete }));
    await userEvent.click(screen.getByRole('button', { name: 'Delete message' }));
    expect(onDelete).not.toHaveBeenCalled();
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(onDelete).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Delete message' }));
    await userEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }));
    expect(onDelete).toHaveBeenCalledWith(101);
  });
});
