import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { UserName } from './UserName';

describe('UserName', () => {
  it('isolates the name in <bdi>, so bidi characters cannot reorder what follows', () => {
    const rlo = 'alice\u202E';
    const { container } = render(
      <p>
        <UserName name={rlo} />: hello
      </p>,
    );
    const bdi = container.querySelector('bdi');
    expect(bdi).not.toBeNull();
    expect(bdi?.textContent).toBe(rlo);
    // The text after the name is outside the isolate.
    expect(container.querySelector('p')?.lastChild?.textContent).toBe(': hello');
  });

  it('badges guests and only guests', () => {
    const { rerender } = render(<UserName name="alice" guest />);
    expect(screen.getByText('guest')).toHaveClass('guest-badge');
    rerender(<UserName name="alice" guest={false} />);
    expect(screen.queryByText('guest')).toBeNull();
  });
});
