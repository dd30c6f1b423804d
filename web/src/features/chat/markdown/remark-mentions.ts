// Remark plugins of the message view. remarkMentions marks `@username` in text as a mention, so the view
// can highlight it (the user's own name strongly). It works on the Markdown
// tree, not on HTML: text inside code, inline code and links stays as it is,
// and nothing the user typed can become markup.

/** What a username may be (the server's rule): a letter, then letters, digits and '-'. */
export const MENTION_RE = /(^|[^\w@])@([a-z][a-z0-9-]{0,63})\b/gi;

type Node = { type: string; value?: string; children?: Node[]; data?: Record<string, unknown> };

function split(value: string, me: string | undefined): Node[] {
  const out: Node[] = [];
  let last = 0;
  for (const m of value.matchAll(MENTION_RE)) {
    const at = (m.index ?? 0) + m[1].length;
    if (at > last) out.push({ type: 'text', value: value.slice(last, at) });
    const name = m[2];
    const mine = me !== undefined && name.toLowerCase() === me.toLowerCase();
    out.push({
      type: 'mention',
      children: [{ type: 'text', value: `@${name}` }],
      data: { hName: 'span', hProperties: { className: mine ? ['mention', 'mention-me'] : ['mention'] } },
    });
    last = at + name.length + 1;
  }
  if (last === 0) return [{ type: 'text', value }];
  if (last < value.length) out.push({ type: 'text', value: value.slice(last) });
  return out;
}

function walk(node: Node, me: string | undefined): void {
  if (!node.children || node.type === 'link' || node.type === 'linkReference') return;
  node.children = node.children.flatMap((child) => {
    if (child.type === 'text' && child.value?.includes('@')) return split(child.value, me);
    walk(child, me);
    return [child];
  });
}

/** `me`: the user's own username, whose mentions stand out. */
export function remarkMentions(options?: { me?: string }) {
  return (tree: unknown) => walk(tree as Node, options?.me);
}

/**
 * Raw HTML in a body is shown as the text it is, as a chat user typed it
 * (`<b>hi</b>` reads "<b>hi</b>"): its nodes become text before anything
 * renders, so no element can ever come from it.
 */
export function remarkHtmlAsText() {
  const visit = (node: Node) => {
    if (node.type === 'html') node.type = 'text';
    node.children?.forEach(visit);
  };
  return (tree: unknown) => visit(tree as Node);
}
