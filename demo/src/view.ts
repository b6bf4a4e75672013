/**
 * The dashboard's live view: the chart (values, scores, flagged points,
 * labelled windows), the anomaly list and the table of window results.
 */
import type { WindowResult } from 'edgewise/stream';
import { SeriesChart } from './chart';
import { type Dataset, inBand } from './data';
import { $, el, fmtTime, row, setStatus } from './dom';

/** One entry of the anomaly list: a burst of flagged records, at its first record. */
export interface Flagged {
  index: number;
  timestamp: number;
  value: number;
  score: number;
  /** The member detector that scored highest. */
  top: string;
}

/** What the view shows of a replay. */
export interface ViewState {
  ds: Dataset;
  /** Records replayed. */
  position: number;
  /** Score of each record replayed (NaN: not yet). */
  scores: Float32Array;
  /** Newest first. */
  anomalies: Flagged[];
  threshold: number;
  playing: boolean;
}

const WINDOWS_SHOWN = 8;

export class DashboardView {
  readonly #chart = new SeriesChart($('#chart'));
  readonly #windows: WindowResult[] = [];

  /** A new series: its labelled windows, an empty window table, the form's defaults. */
  reset(ds: Dataset): void {
    this.#chart.setBands(ds.bands.map(([a, b]) => [a / 1000, b / 1000]));
    this.#windows.length = 0;
    this.#renderWindows();
    const n = ds.values.length;
    $<HTMLInputElement>('#a-to').value = String(Math.min(1000, n >> 1));
    $<HTMLInputElement>('#b-from').value = String(Math.max(0, n - 1000));
    $<HTMLInputElement>('#b-to').value = String(n);
  }

  render(s: ViewState): void {
    this.#redraw(s);
    this.#renderAnomalies(s);
  }

  /** A window result of the series being replayed. */
  addWindow(w: WindowResult): void {
    this.#windows.unshift(w);
    if (this.#windows.length > WINDOWS_SHOWN) this.#windows.length = WINDOWS_SHOWN;
    this.#renderWindows();
  }

  #redraw({ ds, position: n, scores, threshold, playing }: ViewState): void {
    const x = new Array<number>(n);
    const value = new Array<number | null>(n);
    const score = new Array<number | null>(n);
    const flagged = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      x[i] = ds.timestamps[i] / 1000;
      value[i] = ds.values[i];
      const s = scores[i];
      score[i] = Number.isNaN(s) ? null : s;
      flagged[i] = s >= threshold ? ds.values[i] : null;
    }
    this.#chart.setData({ x, value, score, flagged });
    document.body.dataset.position = String(n);
    if (!playing && n === 0) return;
    setStatus(
      `${ds.label}: ${n.toLocaleString('en')} of ${ds.values.length.toLocaleString('en')} records${playing ? '' : ' (paused)'}`,
    );
  }

  #renderAnomalies({ ds, anomalies, threshold, position }: ViewState): void {
    const shown = anomalies.filter((a) => a.score >= threshold);
    $('#anomalies').replaceChildren(
      ...shown.slice(0, 30).map((a) => {
        const li = el(
          'li',
          `${fmtTime(a.timestamp)} UTC — value ${a.value.toPrecision(5)}, score ${a.score.toFixed(4)} (${a.top})`,
        );
        li.dataset.timestamp = String(a.timestamp);
        if (inBand(ds, a.timestamp)) li.append(' ', el('span', 'in a labelled window', 'tag'));
        return li;
      }),
    );
    $('#anom-summary').textContent = shown.length
      ? `${shown.length} flagged at score ≥ ${threshold} over ${position.toLocaleString('en')} records.`
      : `None yet (${position.toLocaleString('en')} records scored).`;
    document.body.dataset.anomalies = String(shown.length);
  }

  #renderWindows(): void {
    $('#windows').replaceChildren(
      ...this.#windows.map((w) =>
        row([
          fmtTime(w.end),
          String(w.count),
          w.mean.toPrecision(5),
          (w.quantiles?.[0] ?? Number.NaN).toPrecision(5),
          w.max.toPrecision(5),
        ]),
      ),
    );
  }
}
