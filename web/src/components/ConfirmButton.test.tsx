import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ConfirmButton } from './ConfirmButton';

function setup() {
  const onConfirm = vi.fn();
  render(
    <ConfirmButton aria-label="Delete message" question="Delete this message?" confirmLabel="Delete" onConfirm={onConfirm}>
      Delete
    </ConfirmButton>,
  );
  return onConfirm;
}

describe('ConfirmButton', () => {
  it('asks first, and acts only on the confirming button', async () => {
    const onConfirm = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Delete message' }));
    expect(onConfirm).not.toHaveBeenCalled();
    const dialog = screen.getByRole('alertdialog', { name: 'Delete this message?' });
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: 'Delete', exact: true } as never));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(dialog).not.toBeInTheDocument();
  });

  it('closes on Escape and gives the focus back to its button', async () => {
    const onConfirm = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Delete message' }));
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByRole('button', { name: 'Delete message' })).toHaveFocus();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
