/**
 * A tiny view helper: elements built with properties and children, never from HTML strings, so
 * nothing a server or a user typed can become markup (and the CSP forbids inline script anyway).
 */
type Child = Node | string | number | null | undefined | false;
/** Element properties to set (onclick, value, className…), plus attributes (aria-*, role…). */
export type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], 'style' | 'dataset'>> & {
  attrs?: Record<string, string>;
};

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props<K> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const { attrs, ...rest } = props;
  Object.assign(element, rest);
  for (const [name, value] of Object.entries(attrs ?? {})) element.setAttribute(name, value);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let nextId = 0;
/** A unique id for label/control pairs. */
export const uid = (prefix: string) => `${prefix}-${++nextId}`;

/** A labelled control: the label names it for screen readers and a click on it focuses it. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= uid('field');
  const hintElement = hint ? h('small', { id: `${control.id}-hint`, className: 'hint' }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { className: control instanceof HTMLInputElement && control.type === 'checkbox' ? 'field check' : 'field' }, h('label', { htmlFor: control.id }, label), control, hintElement);
}

export const input = (props: Props<'input'> = {}) => h('input', { type: 'text', ...props });

export function select(options: ReadonlyArray<string | { value: string; label: string }>, props: Props<'select'> = {}): HTMLSelectElement {
  const element = h('select', props);
  for (const option of options) {
    const { value, label } = typeof option === 'string' ? { value: option, label: option } : option;
    element.append(h('option', { value }, label));
  }
  if (props.value !== undefined) element.value = props.value;
  return element;
}

export const button = (label: string, onclick: (event: MouseEvent) => unknown, props: Props<'button'> = {}) =>
  h('button', { type: 'button', onclick: (event: MouseEvent) => void onclick(event), ...props }, label);

/** A table with a caption (its accessible name), header cells scoped to their columns. */
export function table(caption: string, headers: string[], rows: Child[][], props: Props<'table'> = {}): HTMLElement {
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      props,
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell)))))),
    ),
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
