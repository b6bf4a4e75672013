// Stream-in-a-worker page: the main thread feeds a StreamProcessor running in
// a Web Worker through a bridged EventBus, and runs the same stream locally;
// test/browser/stream.browser.test.ts compares the two, and the anomaly events
// the worker's window detection sends back with the same detection run here.
import { type AnomalyEvent, detectOnWindows } from 'edgewise/anomaly';
import { bridgeBus, EventBus } from 'edgewise/events';
import {
  type HostAck,
  type HostedStreamOptions,
  type LateEvent,
  type StreamEvent,
  StreamProcessor,
  type WindowResult,
} from 'edgewise/stream';

declare global {
  interface Window {
    __streamtest?:
      | {
          worker: WindowResult[];
          local: WindowResult[];
          workerLate: number;
          localLate: number;
          events: number;
          ack: HostAck;
          anomalies: { worker: AnomalyEvent[]; local: AnomalyEvent[]; detectors: string[] };
        }
      | { error: string };
  }
}

function events(n: number): Array<[string, StreamEvent]> {
  let s = 12345;
  const out: Array<[string, StreamEvent]> = [];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const room = ['kitchen', 'hall', 'attic'][s % 3];
    // 1 event per 10 ms, up to 300 ms out of order; a few stragglers 5 s late
    const jitter = i % 97 === 0 ? 5_000 : s % 300;
    out.push([
      `sensor.temp.${room}`,
      { timestamp: i * 10 - jitter, value: (s % 1000) / 10, key: room },
    ]);
  }
  return out;
}

async function run(): Promise<void> {
  const worker = new Worker(new URL('../../src/threads/stream/worker.ts', import.meta.url), {
    type: 'module',
  });
  const bus = new EventBus();
  const stop = bridgeBus(bus, worker, { forward: ['sensor.#', 'stream.#'] });
  const fromWorker: WindowResult[] = [];
  let workerLate = 0;
  bus.on('stream.window', (r: WindowResult) => fromWorker.push(r));
  bus.on('stream.late', () => workerLate++);
  const acks: HostAck[] = [];
  let wake: () => void = () => {};
  bus.on('stream.ack', (a: HostAck) => {
    acks.push(a);
    wake();
  });
  const ackCount = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('worker did not acknowledge')), 20_000);
      wake = () => {
        if (acks.length >= n) {
          clearTimeout(t);
          resolve();
        }
      };
      wake();
    });
  const options: HostedStreamOptions = {
    window: { type: 'sliding', size: 1_000, slide: 250 },
    outOfOrderness: 200,
    allowedLateness: 500,
    inputs: ['sensor.#'],
  };
  bus.emit('stream.start', options);
  await ackCount(1);
  if (acks[0].error) throw new Error(acks[0].error);
  // Streaming detectors on the windows, inside the worker (serveWindowDetection).
  const detect = { field: 'mean', threshold: 0.9 } as const;
  const workerAnomalies: AnomalyEvent[] = [];
  bus.on('anomaly.#', (e: AnomalyEvent) => workerAnomalies.push(e));
  bus.emit('stream.detect', detect);
  await ackCount(2);
  if (acks[1].error) throw new Error(acks[1].error);
  const localBus = new EventBus();
  const localAnomalies: AnomalyEvent[] = [];
  localBus.on('anomaly.#', (e: AnomalyEvent) => localAnomalies.push(e));
  detectOnWindows(localBus, detect);

  const local: WindowResult[] = [];
  let localLate = 0;
  const { inputs: _inputs, ...localOptions } = options;
  const proc = new StreamProcessor({
    ...localOptions,
    onResult: (r) => {
      local.push(r);
      localBus.emitSync('stream.window', r);
    },
    onLate: (_l: LateEvent) => localLate++,
  });
  const evs = events(20_000);
  for (const [topic, e] of evs) {
    const wait = bus.emit(topic, e);
    if (wait) await wait;
    proc.push(e, 'sensor.#');
  }
  proc.flush();
  bus.emit('stream.flush');
  await ackCount(3);
  // The worker queues the anomaly events of the last windows after the flush
  // acknowledgement; its answer to a snapshot request comes after them.
  const state = new Promise<Record<string, unknown>>((resolve) =>
    bus.on('stream.detect.state', (s: Record<string, unknown>) => resolve(s)),
  );
  bus.emit('stream.detect.snapshot');
  const detectors = Object.keys(await state).sort();
  await bus.flush();
  stop();
  worker.terminate();
  window.__streamtest = {
    worker: fromWorker,
    local,
    workerLate,
    localLate,
    events: evs.length,
    ack: acks[2],
    anomalies: { worker: workerAnomalies, local: localAnomalies, detectors },
  };
}

const out = document.querySelector('#result')!;
run().then(
  () => {
    const r = window.__streamtest as { worker: WindowResult[] };
    out.textContent = `${r.worker.length} windows from the worker`;
    document.body.dataset.done = '1';
  },
  (e: unknown) => {
    window.__streamtest = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    out.textContent = String(e);
    document.body.dataset.done = '1';
  },
);
