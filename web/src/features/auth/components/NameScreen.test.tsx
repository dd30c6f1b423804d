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
