/**
 * The only way the page makes elements: every string becomes a text node or an attribute value,
 * never markup, so a header or body holding `<script>` shows as text. (No HTML parsing of strings anywhere:
 * test/inspector/page-source.test.ts checks.)
 */

export type Child = Node | string | number | undefined | null | false;

export interface Attrs {
  class?: string;
  title?: string;
  /** Only https: links (Learn pages) are kept. */
  href?: string;
  type?: string;
  [data: `data-${string}`]: string;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    if (name === 'href') {
      if (!/^https:\/\//i.test(value)) continue;
      node.setAttribute('rel', 'noreferrer noopener');
      node.setAttribute('target', '_blank');
    }
    node.setAttribute(name, value);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    // A saved log may hold any JSON where text belongs: what is not a node is shown as text.
    parent.appendChild(child instanceof Node ? child : document.createTextNode(textOf(child)));
  }
}

function textOf(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page element #${id} is missing`);
  return node as T;
}
