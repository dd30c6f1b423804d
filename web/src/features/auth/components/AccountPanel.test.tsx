import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../../../test/fake-fetch';
import { alice } from '../../../test/fixtures';
import { AccountPanel } from './AccountPanel';

const sessions = [
  { id: 1, name: '', created_at: '2026-11-26T12:00:00.000Z', current: true },
  { id: 3, name: '', created_at: '2026-11-25T12:00:00.000Z', current: false },
];

afterEach(() => vi.unstubAllGlobals());

describe('AccountPanel', () => {
  it('lists sessions and revokes one', async () => {
    let list = sessions;
    const { calls } = fakeFetch({
      'GET /api/v1/sessions': () => ({ json: { sessions: list } }),
      'DELETE /api/v1/sessions/3': () => {
        list = sessions.slice(0, 1);
        return { json: {} };
      },
    });
    render(<AccountPanel user={alice} onUserChanged={vi.fn()} />);
    const list1 = await screen.findByRole('list', { name: 'Sessions' });
    expect(await within(list1).findAllByRole('listitem')).toHaveLength(2);
    expect(within(list1).getByText(/this browser/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Revoke session 3' }));
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/sessions/3')).toBe(true);
    expect(await within(list1).findAllByRole('listitem')).toHaveLength(1);
  });

  it('lets a guest create an account (the server converts the guest)', async () => {
    const upgraded = { ...alice, guest: false, username: 'alice' };
    const { calls } = fakeFetch({
      'GET /api/v1/sessions': () => ({ json: { sessions } }),
      'POST /api/v1/auth/register': () => ({ status: 201, json: { user: upgraded, token: 't' } }),
    });
    const onUserChanged = vi.fn();
    render(<AccountPanel user={alice} onUserChanged={onUserChanged} />);
    expect(screen.queryByRole('heading', { name: 'Access tokens' })).toBeNull();
    await userEvent.type(screen.getByRole('textbox', { name: 'Username' }), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret123');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ username: 'alice', password: 'secret123' });
    expect(onUserChanged).toHaveBeenCalledWith(upgraded);
  });

  it('manages access tokens of an account; a new token is shown once', async () => {
    let tokens: { id: number; name: string; created_at: string; current: boolean }[] = [];
    const { calls } = fakeFetch({
      'GET /api/v1/sessions': () => ({ json: { sessions } }),
      'GET /api/v1/tokens': () => ({ json: { tokens } }),
      'POST /api/v1/tokens': (body) => {
        tokens = [{ id: 9, name: (body as { name: string }).name, created_at: '2026-11-26T12:00:00.000Z', current: false }];
        return { status: 201, json: { id: 9, name: 'bot', token: 'SECRET-TOKEN' } };
      },
      'DELETE /api/v1/tokens/9': () => {
        tokens = [];
        return { json: {} };
      },
    });
    render(<AccountPanel user={{ ...alice, guest: false, username: 'alice' }} onUserChanged={vi.fn()} />);
    expect(screen.queryByRole('textbox', { name: 'Username' })).toBeNull();
    expect(await screen.findByText('No tokens yet.')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('textbox', { name: 'Token name' }), 'bot');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const shown = await screen.findByRole('group', { name: 'New token' });
    expect(shown).toHaveTextContent('SECRET-TOKEN');
    expect(shown).toHaveTextContent(/copy it now/);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'bot' });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke token bot' }));
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/tokens/9')).toBe(true);
    expect(await screen.findByText('No tokens yet.')).toBeInTheDocument();
    expect(screen.queryByText('SECRET-TOKEN')).toBeNull();
  });
});
