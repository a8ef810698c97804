// The one way the console puts anything on screen: elements built with the DOM API, text only
// ever as text nodes or attribute values. There is no innerHTML anywhere, so every string from
// the API (ids, notes, reasons, names) is shown as the characters it is, never parsed as markup.

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Attrs {
  readonly [name: string]: string | number | boolean | null | undefined | ((ev: Event) => void);
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      if (!name.startsWith('on')) throw new Error(`handler for ${name}`);
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'style' || name.startsWith('on')) {
      throw new Error(`attribute ${name} is not allowed (CSP)`);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table with a caption (screen readers announce it) and header cells with scope. */
export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
  empty = 'Nothing yet.',
) {
  if (rows.length === 0) return h('p', { class: 'empty' }, `${caption}: ${empty}`);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', null, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            null,
            r.map((c) => h('td', null, c)),
          ),
        ),
      ),
    ),
  );
}

export function badge(text: string, tone: 'ok' | 'bad' | 'warn' | 'neutral' = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function card(title: string, ...children: Child[]) {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', null, title), ...children);
}

/** Appends children, skipping the absent ones (null, false). */
export function put(el: Element, ...children: Child[]): void {
  append(el, children);
}
