// A message's text as the Markdown subset of the protocol (§6): bold,
// italic, strike, inline code, code blocks, block quotes, lists, links and
// bare URLs (http, https, mailto). react-markdown builds React elements from
// the syntax tree; raw HTML in a body becomes a text node of the tree
// (remarkHtmlAsText), so `<script>` shows as the text it is, and skipHtml
// stays on should any HTML node get through.

import { memo } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { remarkHtmlAsText, remarkMentions } from './remark-mentions';

const SAFE_URL = /^(https?:|mailto:)/i;

/** Only http, https and mailto links are links; anything else (javascript:, data:) is dropped. */
function safeUrl(url: string): string {
  return SAFE_URL.test(url.trim()) ? url : '';
}

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  // A message is not a document: headings and images of the full Markdown
  // are not in the subset; they show as plain text of the same content.
  h1: ({ children }) => <p>{children}</p>,
  h2: ({ children }) => <p>{children}</p>,
  h3: ({ children }) => <p>{children}</p>,
  h4: ({ children }) => <p>{children}</p>,
  h5: ({ children }) => <p>{children}</p>,
  h6: ({ children }) => <p>{children}</p>,
  img: ({ alt }) => <span>{alt}</span>,
  // A code block may be wider than the message: it scrolls, and can be
  // reached by keyboard to scroll it.
  pre: ({ children }) => <pre tabIndex={0}>{children}</pre>,
};

// GFM tables and task lists are not in the subset: their cells show as text.
const NOT_IN_SUBSET = ['table', 'thead', 'tbody', 'tr', 'th', 'td', 'input'];

type Props = { text: string; me?: string };

export const MessageBody = memo(function MessageBody({ text, me }: Props) {
  return (
    <div className="body markdown">
      <Markdown
        skipHtml
        remarkPlugins={[remarkGfm, remarkHtmlAsText, [remarkMentions, { me }]]}
        urlTransform={safeUrl}
        components={components}
        disallowedElements={NOT_IN_SUBSET}
        unwrapDisallowed
      >
        {text}
      </Markdown>
    </div>
  );
});
