import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Highlighted } from './Highlighted';

describe('Highlighted', () => {
  it('marks each searched word, case-insensitively, as text', () => {
    const { container } = render(<Highlighted text="Release notes: <b>release</b> soon" query="release (b" />);
    expect(Array.from(container.querySelectorAll('mark')).map((m) => m.textContent)).toEqual([
      'Release',
      'b',
      'release',
      'b',
    ]);
    expect(container.querySelector('b')).toBeNull();
    expect(container).toHaveTextContent('Release notes: <b>release</b> soon');
  });
});
