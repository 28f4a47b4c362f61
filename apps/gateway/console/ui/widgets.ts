/** Pieces several pages share: result messages, a secret shown once with a copy button, JSON blocks. */
import { RoomkeyError } from './api';
import { button, h, replaceChildren } from './dom';

/** A live region for a page's results: screen readers announce what lands in it. */
export function resultArea(): HTMLElement {
  return h('div', { className: 'result', attrs: { role: 'status', 'aria-live': 'polite' } });
}

export function showError(area: HTMLElement, error: unknown): void {
  const text = error instanceof RoomkeyError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  replaceChildren(area, h('p', { className: 'error' }, text));
}

export function showMessage(area: HTMLElement, ...content: Array<Node | string>): void {
  replaceChildren(area, h('p', { className: 'ok' }, ...content));
}

/** Runs `action`, disabling `control` meanwhile; errors land in `area` in the contract's words. */
export async function attempt(area: HTMLElement, control: HTMLButtonElement | null, action: () => Promise<unknown>): Promise<void> {
  if (control) control.disabled = true;
  try {
    await action();
  } catch (error) {
    showError(area, error);
  } finally {
    if (control) control.disabled = false;
  }
}

export function copyButton(label: string, text: () => string): HTMLButtonElement {
  const copy = button(label, async () => {
    try {
      await navigator.clipboard.writeText(text());
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Select the text and press Ctrl+C';
    }
    setTimeout(() => (copy.textContent = label), 2000);
  });
  return copy;
}

/** A secret the server shows once: read-only, with a copy button and a warning that it will not be shown again. */
export function secretOnce(label: string, secret: string): HTMLElement {
  const output = h('input', { type: 'text', readOnly: true, value: secret, className: 'secret', attrs: { 'aria-label': label } });
  return h(
    'div',
    { className: 'secret-once' },
    h('p', {}, h('strong', {}, `${label}: `), 'shown once. Copy it now; roomkey never shows it again.'),
    h('div', { className: 'row' }, output, copyButton(`Copy ${label.toLowerCase()}`, () => secret)),
  );
}

export function jsonBlock(label: string, value: unknown): HTMLElement {
  return h('figure', { className: 'json' }, h('figcaption', {}, label), h('pre', { tabIndex: 0 }, JSON.stringify(value, null, 2)));
}

export const splitList = (text: string) => text.split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
export const lines = (text: string) => text.split('\n').map((item) => item.trim()).filter(Boolean);
