import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Composer } from './Composer';

describe('Composer', () => {
  it('keeps a draft per room in the browser', async () => {
    const { unmount } = render(<Composer onSend={vi.fn()} roomName="Rust" draftKey="1:rust" />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'half a thought');
    unmount();
    const go = render(<Composer onSend={vi.fn()} roomName="Go" draftKey="1:go" />);
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('');
    go.unmount();
    render(<Composer onSend={vi.fn()} roomName="Rust" draftKey="1:rust" />);
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('half a thought');
  });

  it('forgets the draft once sent', async () => {
    const onSend = vi.fn();
    const { unmount } = render(<Composer onSend={onSend} roomName="Rust" draftKey="1:rust" />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'sent{Enter}');
    expect(onSend).toHaveBeenCalledWith('sent');
    unmount();
    render(<Composer onSend={onSend} roomName="Rust" draftKey="1:rust" />);
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('');
  });

  it('asks to edit the last message on Up in an empty box only', async () => {
    const onEditLast = vi.fn();
    render(<Composer onSend={vi.fn()} roomName="Rust" onEditLast={onEditLast} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(box, 'x{ArrowUp}');
    expect(onEditLast).not.toHaveBeenCalled();
    await userEvent.clear(box);
    await userEvent.type(box, '{ArrowUp}');
    expect(onEditLast).toHaveBeenCalledTimes(1);
  });

  it('says how many characters are left near the limit, described on the box', async () => {
    render(<Composer onSend={vi.fn()} roomName="Rust" maxLength={20} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(box, '0123456789');
    expect(screen.queryByText(/characters? left/)).toBeNull();
    await userEvent.type(box, '012345678');
    expect(screen.getByText('1 character left')).toBeInTheDocument();
    expect(box).toHaveAccessibleDescription('1 character left');
  });
});
