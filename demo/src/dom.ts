/**
 * Small DOM helpers. Untrusted strings (CSV content, file and series names)
 * only ever reach the DOM through textContent.
 */

/** The element `sel` of the page (the dashboard's markup is static: a miss is a bug). */
export function $<T extends HTMLElement = HTMLElement>(sel: string): T {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`demo: the page has no ${sel}`);
  return el;
}

/** A new element with its text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = '',
  className?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** A table row of text cells. */
export function row(cells: readonly string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) tr.append(el('td', c));
  return tr;
}

/** `2014-02-07 14:55` (UTC). */
export const fmtTime = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

export const setStatus = (msg: string): void => {
  $('#status').textContent = msg;
};

/** The error's message, whatever was thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
