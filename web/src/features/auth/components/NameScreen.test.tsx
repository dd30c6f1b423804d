import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { alice } from '../../../test/fixtures';
import { NameScreen } from './NameScreen';

describe('NameScreen', () => {
  it('joins with the trimmed display name', async () => {
    const login = vi.fn().mockResolvedValue(alice);
    const onSignedIn = vi.fn();
    render(<NameScreen login={login} onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Display name' }), '  alice ');
    await userEvent.click(screen.getByRole('button', { name: 'Join chat' }));
    expect(login).toHaveBeenCalledWith('alice');
    expect(onSignedIn).toHaveBeenCalledWith(alice);
  });

  it('does not submit an empty name', async () => {
    const login = vi.fn();
    render(<NameScreen login={login} onSignedIn={vi.fn()} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Display name' }), '   {Enter}');
    expect(login).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent(/enter a display name/i);
  });

  it('shows the server error', async () => {
    const login = vi.fn().mockRejectedValue(new Error('name is too long'));
    const onSignedIn = vi.fn();
    render(<NameScreen login={login} onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Display name' }), 'x{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('name is too long');
    expect(onSignedIn).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Join chat' })).toBeEnabled();
  });
});

describe('NameScreen accounts', () => {
  const account = { ...alice, guest: false, username: 'alice' };

  it('signs in with username and password (Enter or "Sign in")', async () => {
    const signIn = vi.fn().mockResolvedValue(account);
    const onSignedIn = vi.fn();
    render(<NameScreen onSignedIn={onSignedIn} signIn={signIn} signUp={vi.fn()} />);
    expect(screen.getByLabelText('Password')).toHaveAttribute('type', 'password');
    await userEvent.type(screen.getByRole('textbox', { name: 'Username' }), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret123{Enter}');
    expect(signIn).toHaveBeenCalledWith('alice', 'secret123');
    expect(onSignedIn).toHaveBeenCalledWith(account);
  });

  it('creates an account with "Create account"', async () => {
    const signUp = vi.fn().mockResolvedValue(account);
    const signIn = vi.fn();
    const onSignedIn = vi.fn();
    render(<NameScreen onSignedIn={onSignedIn} signIn={signIn} signUp={signUp} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Username' }), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret123');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(signUp).toHaveBeenCalledWith('alice', 'secret123');
    expect(signIn).not.toHaveBeenCalled();
    expect(onSignedIn).toHaveBeenCalledWith(account);
  });

  it('shows the server’s message in an alert', async () => {
    const signUp = vi.fn().mockRejectedValue(new Error('this username is taken'));
    const onSignedIn = vi.fn();
    render(<NameScreen onSignedIn={onSignedIn} signIn={vi.fn()} signUp={signUp} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Username' }), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret123');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('this username is taken');
    expect(onSignedIn).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('asks for both fields', async () => {
    const signIn = vi.fn();
    render(<NameScreen onSignedIn={vi.fn()} signIn={signIn} signUp={vi.fn()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(signIn).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent(/username and a password/);
  });
});
