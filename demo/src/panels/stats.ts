/** "Compare two windows": descriptive statistics of two record ranges and Welch's t-test. */
import { describe, welchTTest } from 'edgewise/stats';
import type { Dataset } from '../data';
import { $, el } from '../dom';

export function mountStatsPanel(current: () => Dataset | undefined): void {
  $<HTMLFormElement>('#stats-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ds = current();
    if (!ds) return;
    const n = ds.values.length;
    const num = (id: string): number =>
      Math.max(0, Math.min(n, Math.floor(Number($<HTMLInputElement>(id).value))));
    const a = ds.values.subarray(num('#a-from'), num('#a-to'));
    const b = ds.values.subarray(num('#b-from'), num('#b-to'));
    const out = $('#stats-test');
    if (a.length < 2 || b.length < 2) {
      out.textContent = 'Each window needs at least 2 records.';
      return;
    }
    const da = describe(a);
    const db = describe(b);
    const rows: [string, number, number][] = [
      ['n', da.n, db.n],
      ['mean', da.mean, db.mean],
      ['std', da.std, db.std],
      ['median', da.median, db.median],
      ['min', da.min, db.min],
      ['max', da.max, db.max],
      ['skewness', da.skewness, db.skewness],
    ];
    const table = $<HTMLTableElement>('#stats-table');
    table.tBodies[0].replaceChildren(
      ...rows.map(([k, x, y]) => {
        const tr = document.createElement('tr');
        const th = el('th', k);
        th.scope = 'row';
        tr.append(th);
        for (const v of [x, y]) {
          tr.append(el('td', Number.isInteger(v) ? String(v) : v.toPrecision(6)));
        }
        return tr;
      }),
    );
    table.hidden = false;
    const t = welchTTest(a, b);
    out.textContent =
      `Welch t = ${t.statistic.toFixed(3)}, df = ${t.df?.toFixed(1)}, p = ${t.pValue.toPrecision(3)}` +
      (t.effectSize !== undefined ? `, effect size (Cohen's d) = ${t.effectSize.toFixed(3)}` : '') +
      (t.pValue < 0.05
        ? ' — the means differ at the 5% level.'
        : ' — no significant difference at the 5% level.');
    out.dataset.pvalue = String(t.pValue);
  });
}
