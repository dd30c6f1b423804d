// A result's text with the words searched for marked (<mark>), as React
// text: the query and the body stay text, whatever they contain. The server's
// own snippets (spec §5) are to replace this once it sends them.

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function Highlighted({ text, query }: { text: string; query: string }) {
  const terms = query
    .split(/\s+/u)
    .map((t) => t.replace(/^["'(]+|["')*]+$/g, ''))
    .filter((t) => t.length > 0);
  if (terms.length === 0) return <>{text}</>;
  const re = new RegExp(`(${terms.map(escape).join('|')})`, 'giu');
  // split with a capturing group: the odd pieces are the matches.
  return (
    <>
      {text.split(re).map((piece, i) => (i % 2 === 1 ? <mark key={i}>{piece}</mark> : piece))}
    </>
  );
}
