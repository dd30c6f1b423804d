import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Room } from '../types/api';
import { RoomSwitcher } from './RoomSwitcher';

const room = (id: string, name: string): Room => ({ id, name, topic: '', visibility: 'public', head: 1, member_count: 1 });

describe('RoomSwitcher', () => {
  it('filters rooms by name and opens the first match on Enter', async () => {
    const onOpen = vi.fn();
    render(<RoomSwitcher rooms={[room('lobby', 'Lobby'), room('rust', 'Rust talk'), room('go', 'Go')]} onOpen={onOpen} onClose={vi.fn()} />);
    const box = screen.getByRole('textbox', { name: 'Room name' });
    expect(box).toHaveFocus();
    await userEvent.type(box, 'ru');
    const list = screen.getByRole('list', { name: 'Matching rooms' });
    expect(within(list).getAllByRole('button').map((b) => b.textContent)).toEqual(['#Rust talk']);
    await userEvent.type(box, '{Enter}');
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 'rust' }));
  });
});
