/**
 * The demo's datasets: the built-in NAB series (served with the app, so they
 * work offline) with their labelled anomaly windows, and the user's CSV
 * uploads, parsed in a worker and kept in IndexedDB.
 */

import type { KvStore } from 'edgewise/storage';
import { type ParsedSeries, parseSeriesCsv, parseTimestamp } from 'edgewise/stream';
import type { CsvReply, CsvRequest } from './csv.worker';

export interface Dataset {
  id: string;
  label: string;
  timestamps: Float64Array;
  values: Float64Array;
  /** Labelled anomaly windows [start, end], ms. */
  bands: [number, number][];
}

export const BUILT_IN: Record<string, string> = {
  'machine_temperature_system_failure.csv': 'Machine temperature (NAB, ends in a failure)',
  'nyc_taxi.csv': 'NYC taxi passengers (NAB)',
};

/** The built-in series and their NAB labels. */
export async function loadBuiltIns(): Promise<Dataset[]> {
  const labels: Record<string, [string, string][]> = (
    await (await fetch('./data/labels.json')).json()
  ).windows;
  const out: Dataset[] = [];
  for (const [id, label] of Object.entries(BUILT_IN)) {
    const res = await fetch(`./data/${encodeURIComponent(id)}`);
    if (!res.ok) throw new Error(`could not load ${id} (${res.status})`);
    const s = parseSeriesCsv(await res.text());
    const bands = (labels[id] ?? []).map(
      ([a, b]) => [parseTimestamp(a), parseTimestamp(b)] as [number, number],
    );
    out.push({ id, label, timestamps: s.timestamps, values: s.values, bands });
  }
  return out;
}

interface StoredUpload {
  label: string;
  timestamps: Float64Array;
  values: Float64Array;
}

/** The uploads kept in `kv` (keys `data:<id>`). */
export async function loadUploads(kv: KvStore): Promise<Dataset[]> {
  const out: Dataset[] = [];
  for (const key of await kv.keys()) {
    if (!key.startsWith('data:')) continue;
    const d = await kv.get<StoredUpload>(key);
    if (d) out.push({ id: key.slice(5), ...d, bands: [] });
  }
  return out;
}

/** Keeps an upload in `kv` (its run state, if any, starts over). */
export async function saveUpload(kv: KvStore, d: Dataset): Promise<void> {
  const stored: StoredUpload = { label: d.label, timestamps: d.timestamps, values: d.values };
  await kv.set(`data:${d.id}`, stored);
  await kv.delete(`run:${d.id}`);
}

/** Parses a CSV file in the CSV worker, reporting progress in [0, 1]. */
export function parseCsvFile(file: File, onProgress: (f: number) => void): Promise<ParsedSeries> {
  return file.text().then(
    (text) =>
      new Promise<ParsedSeries>((resolve, reject) => {
        const w = new Worker(new URL('./csv.worker.ts', import.meta.url), { type: 'module' });
        const end = () => w.terminate();
        w.onmessage = (e: MessageEvent<CsvReply>) => {
          const m = e.data;
          if (m.type === 'progress') onProgress(m.fraction);
          else if (m.type === 'done') {
            end();
            resolve(m.result);
          } else {
            end();
            reject(new Error(m.message));
          }
        };
        w.onerror = (e) => {
          end();
          reject(new Error(e.message || 'the CSV worker failed'));
        };
        const req: CsvRequest = { text };
        w.postMessage(req);
      }),
  );
}

/** An upload's rows in event-time order (the replay runs in event time). */
export function datasetOf(id: string, label: string, parsed: ParsedSeries): Dataset {
  const order = [...parsed.timestamps.keys()].sort(
    (x, y) => parsed.timestamps[x] - parsed.timestamps[y],
  );
  return {
    id,
    label,
    timestamps: Float64Array.from(order, (i) => parsed.timestamps[i]),
    values: Float64Array.from(order, (i) => parsed.values[i]),
    bands: [],
  };
}

/** Index of the first record at or after `t` (the timestamps are sorted). */
export function indexAt(d: Dataset, t: number): number {
  let lo = 0;
  let hi = d.timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d.timestamps[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether `t` falls in one of the dataset's labelled windows. */
export const inBand = (d: Dataset, t: number): boolean =>
  d.bands.some(([s, e]) => t >= s && t <= e);
