/** uPlot chart of a series, its anomaly score and flagged points, with labelled windows shaded. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartData {
  /** seconds */
  x: number[];
  value: (number | null)[];
  score: (number | null)[];
  flagged: (number | null)[];
}

/**
 * Calibrated scores are uniform on normal data, so the chart shows only the
 * upper tail (>= SCORE_FLOOR): quiet stretches stay clean and rising scores
 * stand out.
 */
export const SCORE_FLOOR = 0.9;

export class SeriesChart {
  readonly #plot: uPlot;
  #bands: [number, number][] = [];

  constructor(el: HTMLElement) {
    const css = getComputedStyle(document.documentElement);
    const color = (name: string, fallback: string): string =>
      css.getPropertyValue(name).trim() || fallback;
    const width = Math.max(280, el.clientWidth);
    this.#plot = new uPlot(
      {
        width,
        height: width < 600 ? 220 : 300,
        scales: { x: { time: true }, score: { range: [SCORE_FLOOR, 1] } },
        axes: [
          { stroke: color('--muted', '#555'), grid: { stroke: color('--grid', '#ddd') } },
          { stroke: color('--muted', '#555'), grid: { stroke: color('--grid', '#ddd') } },
          { scale: 'score', side: 1, stroke: color('--score', '#c2410c'), grid: { show: false } },
        ],
        series: [
          {},
          { label: 'value', stroke: color('--accent', '#0b6bcb'), width: 1 },
          {
            label: 'score',
            scale: 'score',
            stroke: color('--score', '#c2410c'),
            width: 1,
            spanGaps: false,
          },
          {
            label: 'flagged',
            stroke: color('--flag', '#b91c1c'),
            fill: color('--flag', '#b91c1c'),
            paths: () => null,
            points: { show: true, size: 7, fill: color('--flag', '#b91c1c') },
          },
        ],
        legend: { show: false },
        hooks: {
          drawClear: [
            (u: uPlot) => {
              const ctx = u.ctx;
              ctx.save();
              ctx.fillStyle = color('--band', 'rgba(234, 179, 8, 0.18)');
              for (const [a, b] of this.#bands) {
                const x0 = u.valToPos(a, 'x', true);
                const x1 = u.valToPos(b, 'x', true);
                ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
              }
              ctx.restore();
            },
          ],
        },
      },
      [[], [], [], []],
      el,
    );
    new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth);
      if (Math.abs(w - this.#plot.width) > 4)
        this.#plot.setSize({ width: w, height: w < 600 ? 220 : 300 });
    }).observe(el);
  }

  /** Labelled anomaly windows, in seconds. */
  setBands(bands: [number, number][]): void {
    this.#bands = bands;
    this.#plot.redraw(false);
  }

  setData(d: ChartData): void {
    const tail = d.score.map((s) => (s !== null && s >= SCORE_FLOOR ? s : null));
    this.#plot.setData([d.x, d.value, tail, d.flagged] as uPlot.AlignedData);
  }
}
