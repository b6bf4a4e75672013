// The one module script a host page adds to embed an Edgewise widget.
import { defineSparkline, type EdgewiseSparkline } from 'edgewise/widgets';

defineSparkline();
const el = document.querySelector<EdgewiseSparkline>('#latency')!;

// The page's own events: checkout latencies, normally ~120 ms, with a rare
// incident. Fed with a CustomEvent, the way any page would.
let i = 0;
const next = (): number => {
  i++;
  const base = 120 + 15 * Math.sin(i / 9) + ((i * 7919) % 13) - 6;
  return i % 400 === 250 ? base + 400 : base;
};
const fast = new URLSearchParams(location.search).get('fast') === '1';
if (fast) {
  for (let k = 0; k < 300; k++)
    el.dispatchEvent(new CustomEvent('edgewise-value', { detail: next() }));
  document.body.dataset.fed = '300';
} else {
  setInterval(() => el.dispatchEvent(new CustomEvent('edgewise-value', { detail: next() })), 100);
}
