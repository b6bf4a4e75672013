/**
 * The demo's worker service: one StreamingDetector per series (score-then-
 * learn, snapshots for resume) and chunked CSV parsing with progress. Everything heavy is loaded
 * with import() after the worker has called expose().
 */
import type { DetectorSnapshot } from '../../../src/anomaly/streaming';
import type { ParsedSeries } from '../../../src/stream/csv';

export interface Progress {
  fraction: number;
  phase: string;
}

export interface UpdateResult {
  scores: Float64Array;
  /** Member scores of the last record, by member name. */
  contributions: Record<string, number>;
}

export interface DemoService {
  info(): Promise<{
    kernels: string;
    gpu: { available: boolean; reason?: string; adapter?: string };
  }>;
  reset(series: string): Promise<void>;
  update(series: string, values: Float64Array, timestamps: Float64Array): Promise<UpdateResult>;
  snapshot(series: string): Promise<DetectorSnapshot | null>;
  restore(series: string, snapshot: DetectorSnapshot): Promise<void>;
  parseCsv(text: string, onProgress: (p: Progress) => void): Promise<ParsedSeries>;
}

const yieldToEvents = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export function createDemoService(): DemoService {
  const detectors = new Map<
    string,
    import('../../../src/anomaly/ensemble-stream').StreamingDetector
  >();
  // Workers have no top-level await (the demo's worker build, like the
  // package's, swaps src/kernels/wasm.ts): load the kernel module first.
  const anomaly = () =>
    import('../../../src/kernels/runtime')
      .then((r) => r.loadKernels())
      .then(() => import('../../../src/anomaly/index'));

  async function detector(series: string) {
    let d = detectors.get(series);
    if (!d) {
      d = new (await anomaly()).StreamingDetector();
      detectors.set(series, d);
    }
    return d;
  }

  return {
    async info() {
      const { KERNEL_BACKEND } = await import('../../../src/kernels/runtime');
      const { getGpuStatus } = await import('../../../src/gpu/device');
      const g = await getGpuStatus();
      const a = g.adapter;
      return {
        kernels: KERNEL_BACKEND,
        gpu: {
          available: g.available,
          reason: g.reason,
          adapter: a ? `${a.vendor} ${a.architecture} ${a.description}`.trim() : undefined,
        },
      };
    },
    async reset(series) {
      detectors.delete(series);
    },
    async update(series, values, timestamps) {
      const d = await detector(series);
      const scores = d.updateBatch(values, timestamps);
      const names = Object.keys(d.members);
      const contributions: Record<string, number> = {};
      names.forEach((n, i) => {
        contributions[n] = d.contributions[i];
      });
      return { scores, contributions };
    },
    async snapshot(series) {
      return detectors.get(series)?.snapshot() ?? null;
    },
    async restore(series, snapshot) {
      (await detector(series)).restore(snapshot);
    },
    async parseCsv(text, onProgress) {
      const { parseSeriesCsv } = await import('../../../src/stream/csv');
      const ts: Float64Array[] = [];
      const vs: Float64Array[] = [];
      const keys: string[] = [];
      let hasKeys = false;
      const errors: ParsedSeries['errors'] = [];
      const CHUNK = 1 << 20; // ~1 MB of text at a time, cut at line ends
      let line = 1;
      for (let start = 0; start < text.length; ) {
        let end = Math.min(text.length, start + CHUNK);
        if (end < text.length) {
          const nl = text.indexOf('\n', end);
          end = nl < 0 ? text.length : nl + 1;
        }
        const chunk = text.slice(start, end);
        const part = parseSeriesCsv(chunk, {
          firstLine: line,
          maxErrors: Math.max(0, 1000 - errors.length),
        });
        ts.push(part.timestamps);
        vs.push(part.values);
        if (part.keys) hasKeys = true;
        keys.push(...(part.keys ?? new Array<string>(part.values.length).fill('')));
        errors.push(...part.errors);
        let lines = 0;
        for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
        line += lines;
        start = end;
        onProgress({ fraction: end / text.length, phase: 'parse' });
        await yieldToEvents();
      }
      const concat = (parts: Float64Array[]): Float64Array => {
        const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) {
          out.set(p, o);
          o += p.length;
        }
        return out;
      };
      return {
        timestamps: concat(ts),
        values: concat(vs),
        keys: hasKeys ? keys : undefined,
        errors,
      };
    },
  };
}
