/**
 * `<edgewise-sparkline>`: a small live chart for someone else's page. Feed it
 * with `el.push(value)` (or a `edgewise-value` CustomEvent with `detail` = a
 * number); it scores each value with a StreamingDetector (WebAssembly) and marks
 * anomalies. Its styles live in a shadow root (a constructable stylesheet, so a
 * strict CSP needs no 'unsafe-inline'): the page's CSS does not reach in and
 * the widget's does not leak out.
 *
 * ```html
 * <edgewise-sparkline label="Checkout latency (ms)" points="120"></edgewise-sparkline>
 * <script type="module">
 *   import { defineSparkline } from 'edgewise/widgets';
 *   defineSparkline();
 *   document.querySelector('edgewise-sparkline').push(42);
 * </script>
 * ```
 */
import { StreamingDetector } from '../anomaly/ensemble-stream';

const CSS = `
:host { display: inline-block; min-width: 200px; }
:host([hidden]) { display: none; }
/* all: initial cuts inheritance from the host page (its fonts and colours). */
.box { all: initial; display: block; font: 12px/1.3 system-ui, sans-serif; color: #1b1f24; background: #fff;
  border: 1px solid #d0d7de; border-radius: 8px; padding: 6px 8px; }
.box * { font: inherit; color: inherit; }
.head { display: flex; justify-content: space-between; gap: 8px; }
.box .label { font-weight: 600; }
.value { font-variant-numeric: tabular-nums; }
.box .alert { color: #b91c1c; font-weight: 600; }
canvas { display: block; width: 100%; height: 40px; margin-top: 4px; }
`;

let sheet: CSSStyleSheet | undefined;

/**
 * The `<edgewise-sparkline>` element: a sparkline of the last `points` values in a shadow root
 * (attributes `label`, `points`, `threshold`). Register it with `defineSparkline()`; feed it with
 * `push(value)` or an `edgewise-value` event.
 */
export class EdgewiseSparkline extends HTMLElement {
  static observedAttributes = ['label', 'points', 'threshold'];
  readonly #root: ShadowRoot;
  readonly #canvas: HTMLCanvasElement;
  readonly #label: HTMLSpanElement;
  readonly #value: HTMLSpanElement;
  readonly #status: HTMLDivElement;
  #values: number[] = [];
  #flags: boolean[] = [];
  #detector = new StreamingDetector();
  #anomalies = 0;
  #onEvent = (e: Event): void => {
    const v = (e as CustomEvent<number>).detail;
    if (typeof v === 'number') this.push(v);
  };

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    sheet ??= (() => {
      const s = new CSSStyleSheet();
      s.replaceSync(CSS);
      return s;
    })();
    this.#root.adoptedStyleSheets = [sheet];
    const head = document.createElement('div');
    head.className = 'head';
    this.#label = document.createElement('span');
    this.#label.className = 'label';
    this.#value = document.createElement('span');
    this.#value.className = 'value';
    head.append(this.#label, this.#value);
    this.#canvas = document.createElement('canvas');
    this.#canvas.setAttribute('role', 'img');
    this.#status = document.createElement('div');
    this.#status.setAttribute('role', 'status');
    const box = document.createElement('div');
    box.className = 'box';
    box.append(head, this.#canvas, this.#status);
    this.#root.append(box);
  }

  connectedCallback(): void {
    this.addEventListener('edgewise-value', this.#onEvent);
    this.#render();
  }

  disconnectedCallback(): void {
    this.removeEventListener('edgewise-value', this.#onEvent);
  }

  attributeChangedCallback(): void {
    this.#render();
  }

  get points(): number {
    const n = Number(this.getAttribute('points') ?? 120);
    return Number.isInteger(n) && n >= 2 && n <= 10_000 ? n : 120;
  }

  get threshold(): number {
    const t = Number(this.getAttribute('threshold') ?? 0.995);
    return t > 0 && t < 1 ? t : 0.995;
  }

  /** Anomalies flagged so far. */
  get anomalies(): number {
    return this.#anomalies;
  }

  /** Adds one value (non-finite values are ignored by the detector and not drawn). */
  push(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    const score = this.#detector.update(value);
    const flagged = score >= this.threshold;
    if (flagged) this.#anomalies++;
    this.#values.push(value);
    this.#flags.push(flagged);
    const extra = this.#values.length - this.points;
    if (extra > 0) {
      this.#values.splice(0, extra);
      this.#flags.splice(0, extra);
    }
    this.#render();
  }

  #render(): void {
    const label = this.getAttribute('label') ?? 'value';
    this.#label.textContent = label;
    this.#canvas.setAttribute('aria-label', `Sparkline of ${label}`);
    const last = this.#values[this.#values.length - 1];
    this.#value.textContent = last === undefined ? '–' : last.toPrecision(4);
    this.#status.textContent =
      this.#anomalies === 0
        ? 'normal'
        : `${this.#anomalies} ${this.#anomalies === 1 ? 'anomaly' : 'anomalies'}`;
    this.#status.className = this.#anomalies ? 'alert' : '';
    this.dataset.anomalies = String(this.#anomalies);
    const c = this.#canvas;
    // Fixed drawing resolution, scaled by CSS to the widget's width.
    const w = 400;
    const h = 80;
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    if (!ctx || this.#values.length < 2) return;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of this.#values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi - lo || 1;
    const n = this.points;
    const x = (i: number): number => (i / (n - 1)) * (w - 4) + 2;
    const y = (v: number): number => h - 2 - ((v - lo) / span) * (h - 4);
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = '#0b63b8';
    ctx.lineWidth = 2;
    ctx.beginPath();
    this.#values.forEach((v, i) => {
      if (i) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
    });
    ctx.stroke();
    ctx.fillStyle = '#b91c1c';
    this.#flags.forEach((f, i) => {
      if (f) ctx.fillRect(x(i) - 4, y(this.#values[i]) - 4, 8, 8);
    });
  }
}

/** Registers `<edgewise-sparkline>` (once). */
export function defineSparkline(name = 'edgewise-sparkline'): void {
  if (!customElements.get(name)) customElements.define(name, class extends EdgewiseSparkline {});
}
