/**
 * The replay: one series at a time is pushed, in event time, through the
 * runtime's detection pipeline (`rt.detect`): 1-hour windows on the bus, the
 * StreamingDetector in the package's anomaly worker, counters and series in
 * `rt.metrics`, `anomaly.<series>` events on the bus (which build the list
 * shown) and the sync outbox. The run (position, scores, the list, the
 * detection's snapshot) is saved in IndexedDB, so a reload, a crash or a
 * kiosk restart resumes where it was.
 */
import type { Detection, DetectionSnapshot, Runtime } from 'edgewise';
import type { AnomalyEvent } from 'edgewise/anomaly';
import type { KvStore } from 'edgewise/storage';
import type { WindowResult } from 'edgewise/stream';
import { type Dataset, indexAt } from './data';
import { $, messageOf, setStatus } from './dom';
import type { DashboardView, Flagged, ViewState } from './view';

interface RunState {
  position: number;
  scores: Float32Array;
  anomalies: Flagged[];
  detection: DetectionSnapshot | null;
}

const TICK_MS = 200;
/** Flagged records at most this many records apart are one entry of the list. */
const BURST = 12;

const freshRun = (n: number): RunState => ({
  position: 0,
  scores: new Float32Array(n).fill(Number.NaN),
  anomalies: [],
  detection: null,
});

export class Replay {
  ds: Dataset | undefined;
  #run: RunState = freshRun(0);
  #det: Detection | undefined;
  #playing = false;
  #threshold = 0.996;
  #speed: number | 'max' = 200;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Everything that touches the detection runs here, one at a time. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #batchSeconds;

  constructor(
    private readonly rt: Runtime,
    private readonly kv: KvStore,
    private readonly view: DashboardView,
    private readonly kiosk: boolean,
  ) {
    this.#batchSeconds = rt.metrics.summary('edgewise_demo_batch_seconds', {
      help: 'Round trip of one batch through the detection pipeline',
      unit: 'seconds',
      quantiles: [0.5, 0.99],
    });
    rt.bus.on('anomaly.*', (e: AnomalyEvent) => this.#onAnomaly(e));
    rt.bus.on('stream.window', (w: WindowResult) => {
      if (w.key === this.ds?.id) view.addWindow(w);
    });
  }

  get playing(): boolean {
    return this.#playing;
  }
  get position(): number {
    return this.#run.position;
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(op);
    this.#queue = p.catch(() => {});
    return p;
  }

  /** Opens (or resumes) the detection of the current series. */
  async #attach(restore: DetectionSnapshot | null): Promise<Detection> {
    return this.rt.detect(this.ds!.id, {
      worker: true,
      threshold: this.#threshold,
      window: { type: 'tumbling', size: 3_600_000, quantiles: [0.99] },
      metricPrefix: 'edgewise_demo',
      // Replayed history is years older than the store's retention tiers.
      record: false,
      restore: restore ?? undefined,
    });
  }

  /** Switches to `ds`, resuming its saved run when there is one. */
  select(ds: Dataset): Promise<void> {
    this.pause();
    return this.#serial(async () => {
      await this.#det?.close();
      this.#det = undefined;
      this.ds = ds;
      const saved = await this.kv.get<RunState>(`run:${ds.id}`);
      const n = ds.values.length;
      this.#run = saved?.detection && saved.scores.length === n ? saved : freshRun(n);
      this.view.reset(ds);
      try {
        this.#det = await this.#attach(this.#run.detection);
      } catch (e) {
        // A snapshot from another version: keep the series and the scores, let
        // the detector learn again, and say so.
        this.#run.detection = null;
        this.#det = await this.#attach(null);
        setStatus(`Saved detector state not restored (${messageOf(e)}); it learns again.`);
      }
      this.render();
      await this.kv.set('ui', { dataset: ds.id });
    });
  }

  /** Starts the current series over. */
  async restart(): Promise<void> {
    this.pause();
    await this.kv.delete(`run:${this.ds!.id}`);
    await this.select(this.ds!);
  }

  /** A new alert threshold: the chart and list now, new events from the next batch on. */
  setThreshold(v: number): Promise<void> {
    this.#threshold = v;
    this.render();
    return this.#serial(async () => {
      if (!this.#det) return;
      const snap = await this.#det.snapshot();
      await this.#det.close();
      this.#det = await this.#attach(snap);
    });
  }

  setSpeed(v: number | 'max'): void {
    this.#speed = v;
    if (this.#playing) {
      this.pause();
      this.play();
    }
  }

  play(): void {
    if (this.#playing) return;
    this.#playing = true;
    $('#play').textContent = 'Pause';
    $('#play').setAttribute('aria-pressed', 'true');
    this.#timer = setInterval(() => void this.#tick(), this.#speed === 'max' ? 0 : TICK_MS);
    void this.kv.set('playing', true);
  }

  pause(): void {
    const was = this.#playing;
    this.#playing = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const b = document.querySelector('#play');
    if (b) {
      b.textContent = 'Play';
      b.setAttribute('aria-pressed', 'false');
    }
    if (was) void this.save();
    void this.kv.set('playing', false);
  }

  /** Saves the run with the detection's snapshot. */
  save(): Promise<void> {
    return this.#serial(async () => {
      if (!this.ds || !this.#det) return;
      this.#run.detection = await this.#det.snapshot();
      await this.kv.set(`run:${this.ds.id}`, this.#run);
    });
  }

  render(): void {
    if (!this.ds) return;
    const s: ViewState = {
      ds: this.ds,
      position: this.#run.position,
      scores: this.#run.scores,
      anomalies: this.#run.anomalies,
      threshold: this.#threshold,
      playing: this.#playing,
    };
    this.view.render(s);
  }

  #ticking = false;
  async #tick(): Promise<void> {
    if (this.#ticking || !this.#playing) return;
    this.#ticking = true;
    try {
      await this.#serial(() => this.#step());
    } catch (e) {
      this.pause();
      setStatus(`Replay stopped: ${messageOf(e)}`);
    } finally {
      this.#ticking = false;
    }
  }

  /** One batch of the replay. */
  async #step(): Promise<void> {
    const ds = this.ds!;
    const n = ds.values.length;
    if (this.#run.position >= n) {
      if (!this.kiosk) {
        this.pause();
        await this.#det?.flush();
        setStatus(
          `Finished ${ds.label}: ${n.toLocaleString('en')} records, ${this.#run.anomalies.length} anomalies.`,
        );
        return;
      }
      // Kiosk mode loops: the series again with a fresh detector (bounded memory).
      await this.#det?.close();
      this.#run = freshRun(n);
      this.view.reset(ds);
      this.#det = await this.#attach(null);
    }
    const s = this.#speed;
    const count = s === 'max' ? 4000 : Math.max(1, Math.round((s * TICK_MS) / 1000));
    const a = this.#run.position;
    const b = Math.min(n, a + count);
    const t0 = performance.now();
    const scores = await this.#det!.pushBatch(
      ds.values.subarray(a, b),
      ds.timestamps.subarray(a, b),
    );
    this.#batchSeconds.observe((performance.now() - t0) / 1000);
    this.#run.scores.set(scores, a);
    this.#run.position = b;
    await this.rt.bus.flush(); // the batch's anomaly events and windows are in
    this.render();
  }

  /** An anomaly event of the pipeline: a new entry of the list, or the peak of the last one. */
  #onAnomaly(e: AnomalyEvent): void {
    const ds = this.ds;
    if (!ds || e.series !== ds.id) return;
    const index = indexAt(ds, e.timestamp);
    const list = this.#run.anomalies;
    const last = list[0];
    if (last && index - last.index <= BURST) {
      if (e.score > last.score) last.score = e.score;
      return;
    }
    const top = Object.entries(e.contributions).sort((x, y) => y[1] - x[1])[0]?.[0] ?? '';
    list.unshift({ index, timestamp: e.timestamp, value: e.value, score: e.score, top });
    if (list.length > 200) list.length = 200;
  }
}
