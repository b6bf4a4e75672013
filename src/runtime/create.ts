/**
 * `createRuntime()`: the event bus, the metrics registry with its time-series
 * store, optional sync and the backend report, and `rt.detect()`, which wires
 * detection onto them (see `./detect.ts`).
 */
import { EdgewiseError } from '../errors';
import { EventBus } from '../events/bus';
import type { EventBusOptions } from '../events/types';
import type { GpuStatus } from '../gpu/device';
import { KERNEL_BACKEND } from '../kernels/runtime';
import { Metrics, type MetricsOptions } from '../metrics/metrics';
import type { Sync, SyncOptions } from '../sync/sync';
import type { SharedAnomalyWorker } from '../threads/anomaly/link';
import type { Detection, DetectOptions } from './detect';

export type { Detection, DetectionSnapshot, DetectOptions } from './detect';

/** Options of `createRuntime`; every field has a default. */
export interface RuntimeOptions {
  /** Where state persists: 'memory' (default) or 'indexeddb' (browsers). */
  storage?: 'memory' | 'indexeddb';
  /** Options of the metrics registry and its time-series store (`rt.metrics`). */
  metrics?: Omit<MetricsOptions, 'storage'>;
  /** Options of the runtime's event bus (`rt.bus`). */
  bus?: EventBusOptions;
  /**
   * WebGPU: 'auto' (default) uses it where it pays and falls back to WASM;
   * 'off' never touches it; 'require' rejects when no adapter is available.
   */
  gpu?: 'auto' | 'off' | 'require';
  /**
   * Offline-first sync (`rt.sync`). Without `endpoint` nothing leaves the device.
   * `metricsEveryMs` (default 10 s; 0 = never) appends a snapshot of `rt.metrics`
   * to the outbox at that interval; `events` (e.g. `['anomaly.*']`) forwards
   * those bus topics to the outbox as event records.
   */
  sync?: SyncOptions & { metricsEveryMs?: number; events?: readonly string[] };
}

/** What `createRuntime` returns: the bus, metrics, optional sync, and which backends run. */
export interface Runtime {
  /** Which implementation runs each part, e.g. `{ kernels: 'wasm-simd' }`. */
  readonly backends: {
    readonly kernels: typeof KERNEL_BACKEND;
    /** WebGPU adapter and limits, or why it is not used. */
    readonly gpu: GpuStatus & { mode: 'auto' | 'off' | 'require' };
  };
  /** The runtime's event bus. */
  readonly bus: EventBus;
  /** Metrics registry, time-series retention and exposition. */
  readonly metrics: Metrics;
  /** The sync outbox and sender, when `sync` was configured. */
  readonly sync: Sync | undefined;
  /**
   * Detection on one series: records pushed to the handle go through an
   * optional event-time window stage (results on `rt.bus`), a streaming
   * detector (on this thread or in the package's anomaly worker), the
   * metrics (`<prefix>_records_total`, `<prefix>_anomalies_total`, and the
   * `<prefix>_value` / `<prefix>_anomaly_score` time series in `rt.metrics`'
   * store), `anomaly.<series>` events ({@link AnomalyEvent}) on `rt.bus`, and
   * the sync outbox when `sync` is configured. See {@link DetectOptions}.
   * One open detection per series: another `detect` of it rejects with
   * `ALREADY_REGISTERED` until the first is closed.
   *
   * @example
   * ```ts
   * const temp = await rt.detect('sensor.temp', { threshold: 0.99 });
   * rt.bus.on('anomaly.*', (e: AnomalyEvent) => console.log(e.series, e.timestamp, e.score));
   * const scores = await temp.pushBatch(values, timestamps);
   * await temp.close();
   * ```
   */
  detect(series: string, options?: DetectOptions): Promise<Detection>;
  /** Closes every detection still open, stops sync, the bus and the metrics store. */
  dispose(): Promise<void>;
}

/**
 * Creates a runtime: an event bus, a metrics registry with its time-series store, optional sync,
 * and the WebGPU status.
 *
 * @example
 * ```ts
 * const rt = await createRuntime({ storage: 'indexeddb' }); // 'memory' (default) in Node
 * rt.metrics.counter('events_total').inc();
 * await rt.dispose();
 * ```
 */
export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const mode = options.gpu ?? 'auto';
  if (mode !== 'auto' && mode !== 'off' && mode !== 'require') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `createRuntime: gpu must be 'auto', 'off' or 'require', got ${String(mode)}.`,
    );
  }
  const gpuStatus: GpuStatus =
    mode === 'off'
      ? { available: false, reason: "gpu: 'off'" }
      : // WebGPU code loads only when asked for: it is not part of the core bundle.
        await (await import('../gpu/device')).getGpuStatus();
  if (mode === 'require' && !gpuStatus.available) {
    throw new EdgewiseError(
      'GPU_UNAVAILABLE',
      `createRuntime: gpu 'require' but WebGPU is unavailable: ${gpuStatus.reason}`,
    );
  }
  const bus = new EventBus(options.bus);
  const metrics = await Metrics.create({
    ...options.metrics,
    storage: options.storage ?? 'memory',
  });
  // Sync loads only when configured (`edgewise/sync` exports its API): not in the core bundle.
  const sync = options.sync
    ? await (await import('../sync/sync')).Sync.create(options.sync)
    : undefined;
  if (sync && options.sync?.events?.length) sync.forwardEvents(bus, options.sync.events);
  const every = options.sync?.metricsEveryMs ?? 10_000;
  const syncTimer =
    sync && every > 0
      ? setInterval(() => {
          // Never throws into the host: a failed snapshot is reported on the bus's
          // error topic and the next tick tries again.
          sync.appendMetrics(metrics).catch((error: unknown) => {
            try {
              bus.emitSync(options.bus?.errorTopic ?? 'error', { source: 'sync', error });
            } catch {
              // The error topic is backed up (a full 'block' subscriber): the next tick reports again.
            }
          });
        }, every)
      : undefined;
  const detections = new Set<Detection>();
  /** Series with an open (or opening) detection. */
  const open = new Set<string>();
  let anomalyWorker: SharedAnomalyWorker | undefined;
  let disposed = false;
  const rt: Runtime = {
    backends: { kernels: KERNEL_BACKEND, gpu: { ...gpuStatus, mode } },
    bus,
    metrics,
    sync,
    async detect(series, detectOptions) {
      if (disposed) {
        throw new EdgewiseError('DISPOSED', 'Runtime.detect: the runtime was disposed.');
      }
      if (open.has(series)) {
        throw new EdgewiseError(
          'ALREADY_REGISTERED',
          `Runtime.detect: '${series}' already has an open detection; close() it first.`,
        );
      }
      open.add(series);
      let d: Detection;
      try {
        // Detection (stream processor, detectors) loads on first use: not in the core bundle.
        const [{ attachDetection }, { SharedAnomalyWorker }] = await Promise.all([
          import('./detect'),
          import('../threads/anomaly/link'),
        ]);
        anomalyWorker ??= new SharedAnomalyWorker();
        d = await attachDetection(
          rt,
          series,
          detectOptions,
          () => {
            detections.delete(d);
            open.delete(series);
          },
          anomalyWorker,
        );
      } catch (e) {
        open.delete(series);
        throw e;
      }
      if (disposed) {
        await d.close(); // the runtime was disposed meanwhile
        throw new EdgewiseError('DISPOSED', 'Runtime.detect: the runtime was disposed.');
      }
      detections.add(d);
      return d;
    },
    async dispose() {
      disposed = true;
      await Promise.all([...detections].map((d) => d.close()));
      anomalyWorker?.close();
      if (syncTimer) clearInterval(syncTimer);
      await sync?.close();
      bus.dispose();
      await metrics.close();
    },
  };
  return rt;
}
