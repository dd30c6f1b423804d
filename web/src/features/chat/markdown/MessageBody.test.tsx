import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageBody } from './MessageBody';

describe('MessageBody', () => {
  it('renders the Markdown subset as elements', () => {
    const { container } = render(
      <MessageBody text={'**bold** *it* ~~gone~~ `code`\n\n> quoted\n\n- one\n- two\n\n```\nlet x = 1;\n```'} />,
    );
    expect(container.querySelector('strong')).toHaveTextContent('bold');
    expect(container.querySelector('em')).toHaveTextContent('it');
    expect(container.querySelector('del')).toHaveTextContent('gone');
    expect(container.querySelector('p code')).toHaveTextContent('code');
    expect(container.querySelector('blockquote')).toHaveTextContent('quoted');
    expect(container.querySelectorAll('li')).toHaveLength(2);
    expect(container.querySelector('pre code')).toHaveTextContent('let x = 1;');
  });

  it('makes links and bare URLs open in a new tab without referrer or opener', () => {
    render(<MessageBody text={'see [docs](https://example.com/docs) and https://example.org/x'} />);
    const links = screen.getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/docs', 'https://example.org/x']);
    for (const a of links) {
      expect(a).toHaveAttribute('target', '_blank');
      expect(a).toHaveAttribute('rel', 'noopener noreferrer');
    }
  });

  it('never makes a javascript: or data: link', () => {
    render(<MessageBody text={'[x](javascript:alert(1)) [y](data:text/html,hi)'} />);
    expect(screen.queryAllByRole('link')).toHaveLength(0);
    expect(screen.getByText('x')).toBeInTheDocument();
  });

  it('shows script and markup payloads as text, never as elements', () => {
    const { container } = render(
      <MessageBody text={'<script>alert(1)</script> <img src=x onerror=alert(2)> <b>bold?</b>'} />,
    );
    expect(container.querySelector('script, img, b')).toBeNull();
    expect(container).toHaveTextContent('<script>alert(1)</script> <img src=x onerror=alert(2)> <b>bold?</b>');
    render(<MessageBody text={'`<script>alert(1)</script>`'} />);
    expect(screen.getByText('<script>alert(1)</script>')).toBeInTheDocument();
  });

  it('highlights @mentions, the own one strongly, but not in code or links', () => {
    const { container } = render(<MessageBody text={'hi @bob and @alice, mail a@b.c `@carol`'} me="alice" />);
    const mentions = Array.from(container.querySelectorAll('.mention')).map((m) => [m.textContent, m.classList.contains('mention-me')]);
    expect(mentions).toEqual([
      ['@bob', false],
      ['@alice', true],
    ]);
  });

  it('keeps single line breaks', () => {
    const { container } = render(<MessageBody text={'line one\nline two'} />);
    expect(container.querySelector('p')?.textContent).toBe('line one\nline two');
  });
});
